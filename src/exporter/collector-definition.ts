import type { Logger } from 'pino';
import { z } from 'zod';
import { enabled } from '../config/schema-types.js';
import type { Setting } from '../config/setting.js';
import type { Collector } from './collector.js';
import type { MetricFamily } from './metric-family.js';

// What a collector declares about itself, node_exporter style (flags beside the collector): its name, whether
// it is on by default, its `--help` line and its options. The `collectors:` config schema, the flags, their
// variables and `--help` are derived from the list of these (collectors/index.ts), so adding an option edits
// only the collector's file and adding a collector adds a file and one list entry.

/** One option of a collector: `collectors.<collector>.<key>` in the config file. */
interface CollectorOption<Schema extends z.ZodType = z.ZodType> {
  /** Its type and default, e.g. `regex.default('^lo$')`. */
  readonly schema: Schema;
  /**
   * With this, a flag sets it too: `--collector.<collector>.<key with "-" for "_">`, and the variable named
   * after the flag (`IDE_MONITOR_COLLECTOR_…`), shown in `--help` with `help`. Without, it is set in the file
   * only (lists, nested settings).
   */
  readonly flag?: { readonly kind: Setting['kind']; readonly help: string };
}

type CollectorOptions = Readonly<Record<string, CollectorOption>>;

/** The parsed `collectors.<name>` section: `enabled` and each option's value. */
type CollectorSection<Options extends CollectorOptions> = { readonly enabled: boolean } & {
  readonly [Key in keyof Options]: z.output<Options[Key]['schema']>;
};

/**
 * What `create` gets: the parsed `collectors:` section, of which a collector reads its own part and the
 * shared timeout (the whole section fits, so tests and the registry pass it as it is).
 */
export type CollectorConfig<Name extends string, Options extends CollectorOptions> = { readonly timeout: number } & {
  readonly [N in Name]: CollectorSection<Options>;
};

/** The parsed `collectors:` section a list of definitions makes (config/sections/collectors.ts builds its schema). */
export type CollectorsConfigOf<Definitions extends readonly CollectorDefinition[]> = { readonly timeout: number } & {
  readonly [D in Definitions[number] as D['name']]: D extends CollectorDefinition<string, infer Options> ? CollectorSection<Options> : never;
};

interface CollectorSpec<Name extends string, Options extends CollectorOptions> {
  readonly name: Name;
  /** Off by `--no-collector.<name>`, or on by `--collector.<name>` when false; `--collector.disable-defaults` turns every default off. */
  readonly enabledByDefault: boolean;
  /** What it collects and from where, one sentence: `--help` prints "Enable the <name> collector: <help>". */
  readonly help: string;
  readonly options: Options;
  create(config: CollectorConfig<Name, Options>, logger: Logger): Collector;
}

/** A collector as registered by name, with the schema of its config section built from its options. */
export interface CollectorDefinition<Name extends string = string, Options extends CollectorOptions = CollectorOptions> extends CollectorSpec<Name, Options> {
  readonly schema: z.ZodType<CollectorSection<Options>, unknown>;
}

export function defineCollector<const Name extends string, const Options extends CollectorOptions = Record<never, never>>(
  spec: CollectorSpec<Name, Options>,
): CollectorDefinition<Name, Options> {
  const shape: Record<string, z.ZodType> = { enabled: enabled(spec.enabledByDefault) };
  for (const [key, option] of Object.entries(spec.options)) {
    // A programming mistake, caught when the module loads: the flag is derived from the key, `enabled` is taken.
    if (!/^[a-z][a-z0-9_]*$/.test(key) || key === 'enabled')
      throw new Error(`collector ${spec.name}: option key ${JSON.stringify(key)} must be snake_case and not "enabled"`);
    shape[key] = option.schema;
  }
  const schema = z.strictObject(shape).prefault({}) as unknown as z.ZodType<CollectorSection<Options>, unknown>;
  return { ...spec, schema };
}

/**
 * The common shape: one procfs file read per scrape and parsed into families. `parser` runs once at
 * creation, so options such as exclude patterns are compiled once.
 */
export function procFileCollector<const Name extends string, const Options extends CollectorOptions = Record<never, never>>(
  spec: Omit<CollectorSpec<Name, Options>, 'create'> & {
    /** Under the procfs root, e.g. `net/dev`. */
    readonly file: string;
    readonly parser: (config: CollectorConfig<Name, Options>) => (text: string) => MetricFamily[];
  },
): CollectorDefinition<Name, Options> {
  const { file, parser, ...rest } = spec;
  return defineCollector<Name, Options>({
    ...rest,
    create: (config) => {
      const parse = parser(config);
      return { name: spec.name, collect: async (ctx) => parse(await ctx.files.proc(file)) };
    },
  });
}
