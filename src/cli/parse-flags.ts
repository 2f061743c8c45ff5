import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Setting } from '../config/setting.js';

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface ParsedFlags {
  /** Setting name → value given on the command line (booleans resolved from `--x` / `--no-x`). */
  readonly settings: Map<string, string | boolean>;
  /** The command's own options (not settings), e.g. `config.file`, `help`. */
  readonly options: Record<string, string | boolean | string[] | undefined>;
  readonly positionals: string[];
}

export type ExtraOptions = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses node_exporter-style flags: `--name=value` or `--name value`, `--name` / `--no-name` for booleans.
 * Unknown flags are an error that says how to get help.
 */
export function parseFlags(argv: readonly string[], settings: readonly Setting[], extra: ExtraOptions): ParsedFlags {
  const options: ExtraOptions = { ...extra, help: { type: 'boolean', short: 'h' } };
  for (const s of settings) {
    options[s.name] = { type: s.kind === 'boolean' ? 'boolean' : 'string' };
    if (s.kind === 'boolean') options[`no-${s.name}`] = { type: 'boolean' };
  }
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split('\n')[0]}; see --help`);
  }
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  const given = new Map<string, string | boolean>();
  for (const s of settings) {
    const value = values[s.name] ?? (values[`no-${s.name}`] === true ? false : undefined);
    // Settings are declared single-valued above, so parseArgs never gives them a list.
    if (Array.isArray(value)) continue;
    if (value !== undefined) given.set(s.name, value);
  }
  const own: Record<string, string | boolean | string[] | undefined> = {};
  for (const key of Object.keys(extra)) own[key] = values[key];
  own['help'] = values['help'];
  return { settings: given, options: own, positionals: parsed.positionals };
}
