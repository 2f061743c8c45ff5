import { Histogram, Registry } from 'prom-client';
import { counter, gauge, sample, type MetricFamily } from '../../../src/exporter/metric-family.js';

/** Host families as the collectors emit them: two cores' CPU seconds, memory and two filesystems. */
export function hostFamilies(cpu: { busy: number; idle: number }, memory = { total: 1000, available: 400 }): MetricFamily[] {
  const perCore = (v: number) => v / 2;
  return [
    counter('ide_host_cpu_seconds_total', 'cpu', [
      ...['0', '1'].flatMap((c) => [
        sample(perCore(cpu.busy * 0.75), { cpu: c, mode: 'user' }),
        sample(perCore(cpu.busy * 0.25), { cpu: c, mode: 'system' }),
        sample(perCore(cpu.idle * 0.9), { cpu: c, mode: 'idle' }),
        sample(perCore(cpu.idle * 0.1), { cpu: c, mode: 'iowait' }),
      ]),
    ]),
    gauge('ide_host_memory_total_bytes', 'm', [sample(memory.total)]),
    gauge('ide_host_memory_available_bytes', 'm', [sample(memory.available)]),
    gauge('ide_host_filesystem_size_bytes', 'fs', [
      sample(100, { device: 'sda1', mountpoint: '/', fstype: 'ext4' }),
      sample(100, { device: 'sdb1', mountpoint: '/data', fstype: 'ext4' }),
      sample(100, { device: 'sr0', mountpoint: '/media/cd', fstype: 'udf' }),
    ]),
    gauge('ide_host_filesystem_avail_bytes', 'fs', [
      sample(50, { device: 'sda1', mountpoint: '/', fstype: 'ext4' }),
      sample(8, { device: 'sdb1', mountpoint: '/data', fstype: 'ext4' }),
      sample(0, { device: 'sr0', mountpoint: '/media/cd', fstype: 'udf' }),
    ]),
    gauge('ide_host_filesystem_readonly', 'fs', [
      sample(0, { device: 'sda1', mountpoint: '/', fstype: 'ext4' }),
      sample(0, { device: 'sdb1', mountpoint: '/data', fstype: 'ext4' }),
      sample(1, { device: 'sr0', mountpoint: '/media/cd', fstype: 'udf' }),
    ]),
  ];
}

/** The LSP histogram as the ingestion API registers it (METRICS.md buckets 1 ms … 10 s). */
export function lspHistogram(registry: Registry): Histogram<'server' | 'method' | 'outcome'> {
  return new Histogram({
    name: 'ide_lsp_request_duration_seconds',
    help: 'LSP request duration.',
    labelNames: ['server', 'method', 'outcome'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
}
