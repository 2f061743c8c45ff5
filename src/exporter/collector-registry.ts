import type { Logger } from 'pino';
import type { Collector } from './collector.js';
import type { CollectorDefinition, CollectorsConfigOf } from './collector-definition.js';

/** Instantiates the collectors the configuration enables, in registration order. */
export function selectCollectors<const Definitions extends readonly CollectorDefinition[]>(
  definitions: Definitions,
  config: CollectorsConfigOf<Definitions>,
  logger: Logger,
): Collector[] {
  // Each definition gets the section it declared: the type checker cannot pair them up through the list.
  const sections = config as unknown as { readonly timeout: number } & Readonly<Record<string, { readonly enabled: boolean }>>;
  return definitions.filter((d) => sections[d.name]?.enabled === true).map((d) => d.create(sections, logger.child({ collector: d.name })));
}
