import type { Registry } from 'prom-client';
import type { BuildInfo } from '../build-info.js';
import type { Config } from '../config/schema.js';
import type { ServerExtension } from '../exporter/server.js';
import type { Logger } from '../log.js';

/** What every `serve` feature gets: the typed config, the shared prom-client registry and a logger. */
export interface FeatureContext {
  readonly config: Config;
  readonly registry: Registry;
  readonly build: BuildInfo;
  readonly logger: Logger;
}

/**
 * A part of `serve` beyond the collectors (ingestion API, alert bridge, status page): its routes, and
 * what it must start before listening and drain on SIGTERM.
 */
export interface ServeFeature {
  readonly extension: ServerExtension;
  start?(): Promise<void>;
  /** Called after the HTTP server stopped accepting; drain and release (flush the outbox, close files). */
  stop?(): Promise<void>;
}

/** The enabled features, in mount order; each module is imported only when enabled. */
export async function createFeatures(ctx: FeatureContext): Promise<ServeFeature[]> {
  const features: ServeFeature[] = [];
  void ctx;
  return features;
}
