import { z } from 'zod';
import type { CollectorDefinition } from '../../exporter/collector-definition.js';
import { duration } from '../schema-types.js';
import type { Setting } from '../setting.js';

// `collectors:` is derived from the collectors' own definitions (src/exporter/collectors/index.ts): one
// section per collector in list order, and its flags. Both functions take the list so a test can hand in
// its own.

/** The `collectors.<name>` sections of a list of definitions, by name. */
type SectionShape<Definitions extends readonly CollectorDefinition[]> = {
  readonly [D in Definitions[number] as D['name']]: D['schema'];
};

/** `collectors:` — the shared settings, then each collector's section (`enabled` and its options). */
export function collectorsSchemaOf<const Definitions extends readonly CollectorDefinition[]>(definitions: Definitions) {
  const sections = Object.fromEntries(definitions.map((d) => [d.name, d.schema])) as SectionShape<Definitions>;
  const section = z.strictObject({
    timeout: duration.default(5000),
    /**
     * node_exporter's `--collector.disable-defaults`: every collector not enabled explicitly (file,
     * environment or flag) is off. Applied by loadConfig before the defaults, see there.
     */
    disable_defaults: z.boolean().default(false),
    ...sections,
  });
  // Every key has a default, so {} is a valid input; the type checker cannot see that through the generic shape.
  return section.prefault({} as z.input<typeof section>);
}

/** The flags of `collectors:`: the shared ones, `--[no-]collector.<name>` for each, then each option that has a flag. */
export function collectorSettingsOf(definitions: readonly CollectorDefinition[]): Setting[] {
  return [
    {
      name: 'collector.disable-defaults',
      path: ['collectors', 'disable_defaults'],
      kind: 'boolean',
      help: 'Turn off every collector not enabled explicitly; then enable them one by one with --collector.<name>.',
    },
    { name: 'collector.timeout', path: ['collectors', 'timeout'], kind: 'duration', help: 'Time a collector may take before it is reported as failed.' },
    ...definitions.map((d): Setting => ({
      name: `collector.${d.name}`,
      path: ['collectors', d.name, 'enabled'],
      kind: 'boolean',
      help: `Enable the ${d.name} collector: ${d.help}`,
    })),
    ...definitions.flatMap((d) =>
      Object.entries(d.options).flatMap(([key, option]): Setting[] =>
        option.flag === undefined
          ? []
          : [{ name: `collector.${d.name}.${key.replaceAll('_', '-')}`, path: ['collectors', d.name, key], kind: option.flag.kind, help: option.flag.help }],
      ),
    ),
  ];
}
