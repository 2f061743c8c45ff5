import type { Logger } from 'pino';
import type { CollectorsConfig, CollectorName } from '../config/schema.js';
import type { Collector } from './collector.js';
import type { CollectorDefinition } from './collector-definition.js';

/** Instantiates the collectors the configuration enables, in registration order. */
export function selectCollectors(
  definitions: readonly CollectorDefinition<CollectorName>[],
  config: CollectorsConfig,
  logger: Logger,
): Collector[] {
  return definitions
    .filter((d) => config[d.name].enabled)
    .map((d) => d.create(config, logger.child({ collector: d.name })));
}
