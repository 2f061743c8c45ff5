// Reads /proc/sys/fs/file-nr directly: systeminformation has no equivalent, and it is one tiny file.
import { procFileCollector } from '../collector-definition.js';
import { gauge, sample, type MetricFamily } from '../metric-family.js';
import { fields, toNumber } from './parse.js';

/** file-nr is "allocated  unused(always 0 since 2.6)  max". */
function filefdFamilies(fileNr: string): MetricFamily[] {
  const [allocated, , max] = fields(fileNr).map(toNumber);
  const families: MetricFamily[] = [];
  if (allocated !== undefined) {
    families.push(gauge('ide_host_file_descriptors_allocated', 'File handles the kernel has allocated, in handles.', [sample(allocated)]));
  }
  if (max !== undefined) {
    families.push(gauge('ide_host_file_descriptors_max', 'Most file handles the kernel will allocate (fs.file-max), in handles.', [sample(max)]));
  }
  return families;
}

export const filefdCollector = procFileCollector({
  name: 'filefd',
  enabledByDefault: true,
  help: 'allocated and maximum file descriptors (/proc/sys/fs/file-nr).',
  options: {},
  file: 'sys/fs/file-nr',
  parser: () => filefdFamilies,
});
