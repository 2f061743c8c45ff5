// Reads /proc/net/dev directly: systeminformation's networkStats() spawns a cat per interface on every call.
import { regex } from '../../config/schema-types.js';
import { procFileCollector } from '../collector-definition.js';
import { counter, sample, type MetricFamily, type Sample } from '../metric-family.js';
import { fields, lines, nonEmpty, toNumber } from './parse.js';

/** Column after `device:` → metric; receive has 8 columns (bytes packets errs drop fifo frame compressed multicast), then transmit. */
const SERIES = [
  [0, 'ide_host_network_receive_bytes_total', 'Data received by the device, in bytes.'],
  [1, 'ide_host_network_receive_packets_total', 'Packets received by the device, in packets.'],
  [2, 'ide_host_network_receive_errs_total', 'Receive errors detected by the device, in packets.'],
  [3, 'ide_host_network_receive_drop_total', 'Received packets dropped, in packets.'],
  [8, 'ide_host_network_transmit_bytes_total', 'Data transmitted by the device, in bytes.'],
  [9, 'ide_host_network_transmit_packets_total', 'Packets transmitted by the device, in packets.'],
  [10, 'ide_host_network_transmit_errs_total', 'Transmit errors detected by the device, in packets.'],
  [11, 'ide_host_network_transmit_drop_total', 'Transmitted packets dropped, in packets.'],
] as const;

function networkFamilies(netDev: string, deviceExclude: RegExp): MetricFamily[] {
  const samples = SERIES.map((): Sample[] => []);
  for (const line of lines(netDev)) {
    // Device names cannot contain ':'; old kernels print no space between it and a large first counter.
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const device = line.slice(0, colon).trim();
    if (device === '' || deviceExclude.test(device)) continue;
    const columns = fields(line.slice(colon + 1));
    SERIES.forEach(([column], i) => {
      const value = toNumber(columns[column]);
      if (value !== undefined) samples[i]?.push(sample(value, { device }));
    });
  }
  return nonEmpty(SERIES.map(([, name, help], i) => counter(name, help, samples[i] ?? [])));
}

const DEFAULT_NETWORK_DEVICE_EXCLUDE = '^(lo|veth.*)$';

export const networkCollector = procFileCollector({
  name: 'network',
  enabledByDefault: true,
  help: 'traffic and errors per network device (/proc/net/dev).',
  options: {
    device_exclude: { schema: regex.default(DEFAULT_NETWORK_DEVICE_EXCLUDE), flag: { kind: 'string', help: 'Regexp of network devices to exclude.' } },
  },
  file: 'net/dev',
  parser: (config) => {
    const deviceExclude = new RegExp(config.network.device_exclude);
    return (text) => networkFamilies(text, deviceExclude);
  },
});
