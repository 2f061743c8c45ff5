import { describe, expect, it } from 'vitest';
import { startExporter } from '../../support/exporter.js';
import { waitFor } from '../../support/ports.mjs';

/**
 * Beside node_exporter, `/metrics` leaves the host metrics out (`--collector.disable-defaults`); the status
 * page still shows this machine's CPU, memory and disk, from collectors of its own.
 */
describe('the status page when /metrics leaves host metrics to node_exporter', () => {
  it('shows the host bars while /metrics has no ide_host_* family', async () => {
    const exporter = await startExporter({ args: ['--collector.disable-defaults', '--collector.process'] });
    try {
      const metrics = await (await fetch(`${exporter.url}/metrics`)).text();
      expect(metrics).not.toMatch(/^ide_host_/m);
      expect(metrics).toContain('ide_exporter_collector_success{collector="process"} 1');
      type Bar = { value: number | null; detail: string };
      let health: Record<'cpu' | 'memory' | 'disk', Bar> | undefined;
      // The CPU bar needs two samples (a rate), one status tick apart.
      await waitFor('the host bars', async () => {
        health = ((await (await fetch(`${exporter.url}/api/v1/snapshot`)).json()) as { health: typeof health }).health;
        return health?.cpu.value !== null && health?.memory.value !== null && health?.disk.value !== null;
      });
      for (const bar of [health!.cpu, health!.memory, health!.disk]) expect(bar.value).toBeGreaterThanOrEqual(0);
      expect(health!.memory.value).toBeLessThanOrEqual(1);
      // Still nothing host-level on /metrics: the page's collectors are its own.
      expect(await (await fetch(`${exporter.url}/metrics`)).text()).not.toMatch(/^ide_host_/m);
    } finally {
      expect(await exporter.stop()).toBe(0);
    }
  });
});
