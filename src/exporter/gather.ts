import type { Registry } from 'prom-client';
import type { ScrapeRunner } from './collector.js';
import { registryFamilies } from './instrumentation.js';
import type { MetricFamily } from './metric-family.js';

/**
 * Everything `/metrics` exposes, once: the collectors' fresh picture, then the long-lived metrics in the
 * prom-client registry (the exporter's own, ingestion, bridge, remote write). A scrape and a remote-write
 * gather read the same thing through here.
 */
export async function gatherFamilies(runner: ScrapeRunner, registry: Registry): Promise<MetricFamily[]> {
  const families = await runner.scrape();
  families.push(...(await registryFamilies(registry)));
  return families;
}
