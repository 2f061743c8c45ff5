import { describe, expect, it } from 'vitest';
import { networkCollector } from '../../../src/exporter/collectors/network.js';
import { collectorsConfig, fixtureContext, names, samplesOf, silent } from './support.js';

const series = ['receive_bytes', 'receive_packets', 'receive_errs', 'receive_drop', 'transmit_bytes', 'transmit_packets', 'transmit_errs', 'transmit_drop'];

describe('network collector', () => {
  it('exports the counters of /proc/net/dev per device, leaving out lo and veth pairs', async () => {
    const families = await networkCollector.create(collectorsConfig(), silent).collect(fixtureContext('crafted'));
    expect(names(families)).toEqual(series.map((s) => `ide_host_network_${s}_total`));
    expect(families.every((f) => f.type === 'counter')).toBe(true);
    const table = Object.fromEntries(series.map((s) => [s, samplesOf(families, `ide_host_network_${s}_total`).map((x) => [x.labels.device, x.value])]));
    expect(table).toEqual({
      receive_bytes: [
        ['eth0', 204502864],
        ['wlan0', 4294967296],
      ],
      receive_packets: [
        ['eth0', 7924],
        ['wlan0', 123456],
      ],
      receive_errs: [
        ['eth0', 3],
        ['wlan0', 1],
      ],
      receive_drop: [
        ['eth0', 4],
        ['wlan0', 2],
      ],
      transmit_bytes: [
        ['eth0', 547474],
        ['wlan0', 8589934592],
      ],
      transmit_packets: [
        ['eth0', 4744],
        ['wlan0', 654321],
      ],
      transmit_errs: [
        ['eth0', 9],
        ['wlan0', 3],
      ],
      transmit_drop: [
        ['eth0', 10],
        ['wlan0', 4],
      ],
    });
    expect(samplesOf(families, 'ide_host_network_receive_bytes_total').map((s) => s.labels)).toEqual([{ device: 'eth0' }, { device: 'wlan0' }]);
  });

  it('honours a configured device pattern', async () => {
    const config = collectorsConfig({ network: { device_exclude: '^(eth|wlan)' } });
    const families = await networkCollector.create(config, silent).collect(fixtureContext('crafted'));
    expect(samplesOf(families, 'ide_host_network_transmit_packets_total')).toEqual([
      { labels: { device: 'lo' }, value: 29 },
      { labels: { device: 'veth1a2b3c' }, value: 2 },
    ]);
  });

  it('reads a real /proc/net/dev', async () => {
    const families = await networkCollector.create(collectorsConfig(), silent).collect(fixtureContext('real'));
    expect(samplesOf(families, 'ide_host_network_receive_bytes_total')).toEqual([
      { labels: { device: 'ifb0' }, value: 0 },
      { labels: { device: 'ifb1' }, value: 0 },
      { labels: { device: 'eth0' }, value: 204502864 },
    ]);
  });
});
