import type { FeatureContext, ServeFeature } from '../commands/serve-features.js';
import type { Config } from '../config/schema.js';
import { resolveEndpoints } from './endpoints.js';
import { createRemoteWriteMetrics } from './metrics.js';
import type { RemoteWriter } from './writer.js';

/** Remote write as a `serve` feature; a reload that changes `remote_write:` or `global:` starts new queues. */
export function createRemoteWriteFeature(ctx: FeatureContext): ServeFeature {
  const metrics = createRemoteWriteMetrics(ctx.registry);
  // The protobuf and snappy code loads only once a URL is configured.
  const make = async (config: Config): Promise<RemoteWriter | undefined> => {
    if (config.remote_write.length === 0) return undefined;
    const { RemoteWriter } = await import('./writer.js');
    return new RemoteWriter({
      endpoints: resolveEndpoints(config.remote_write).map((endpoint, i) => ({ endpoint, config: config.remote_write[i]! })),
      intervalMs: config.global.remote_write_interval,
      externalLabels: config.global.external_labels,
      runner: ctx.runner,
      registry: ctx.registry,
      build: ctx.build,
      logger: ctx.logger,
      metrics,
    });
  };
  const settingsOf = (config: Config) => JSON.stringify([config.remote_write, config.global]);
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
      if (settingsOf(next) === current) return;
      // The batch in flight gets the stop grace; samples still queued for the old endpoints are counted as dropped.
      await writer?.stop();
      writer = await make(next);
      writer?.start();
      current = settingsOf(next);
    },
  };
}
