import type { FeatureContext, ServeFeature } from '../serve/feature.js';
import type { Config } from '../config/schema.js';
import { resolveEndpoints } from './endpoints.js';
import { createRemoteWriteMetrics, forgetEndpoint, initialiseEndpoint } from './metrics.js';
import type { RemoteWriter } from './writer.js';

/** Remote write as a `serve` feature; a reload that changes `remote_write:`, `global:` or a secret file they name starts new queues. */
export function createRemoteWriteFeature(ctx: FeatureContext): ServeFeature {
  const metrics = createRemoteWriteMetrics(ctx.registry);
  /** The endpoint labels whose series exist. */
  let known = new Set<string>();
  // The protobuf and snappy code loads only once a URL is configured.
  const make = async (config: Config): Promise<RemoteWriter | undefined> => {
    const endpoints = resolveEndpoints(config.remote_write);
    const labels = new Set(endpoints.map((e) => e.label));
    for (const label of known) if (!labels.has(label)) forgetEndpoint(metrics, label);
    for (const label of labels) if (!known.has(label)) initialiseEndpoint(metrics, label);
    known = labels;
    if (endpoints.length === 0) return undefined;
    const { RemoteWriter } = await import('./writer.js');
    return new RemoteWriter({
      endpoints: endpoints.map((endpoint, i) => ({ endpoint, config: config.remote_write[i]! })),
      intervalMs: config.global.remote_write_interval,
      externalLabels: config.global.external_labels,
      runner: ctx.runner,
      registry: ctx.registry,
      build: ctx.build,
      logger: ctx.logger,
      metrics,
    });
  };
  // The endpoints as resolved (secrets and certificates read from their files) are part of the comparison:
  // a rotated password file or renewed certificate behind the same path is a change a reload applies.
  const settingsOf = (config: Config) => JSON.stringify([config.remote_write, config.global, resolveEndpoints(config.remote_write)]);
  let current = settingsOf(ctx.config);
  let writer: RemoteWriter | undefined;
  return {
    extension: { name: 'remote-write' },
    async start() {
      writer = await make(ctx.config);
      writer?.start();
    },
    async stop() {
      await writer?.stop();
    },
    async reload(next: Config) {
      if (settingsOf(next) === current) return [];
      // The batch in flight gets the stop grace; samples still queued for the old endpoints are counted as dropped.
      await writer?.stop();
      writer = await make(next);
      writer?.start();
      current = settingsOf(next);
      return [];
    },
  };
}
