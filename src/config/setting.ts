// One flag/environment setting's shape, below both the settings list (settings.ts) and the config sections
// that contribute to it (sections/*.ts), so neither imports the other.

/**
 * Every setting a flag or an environment variable can set, node_exporter style. A setting lives at one
 * path in the YAML config; the flag is `--<name>`, the variable `IDE_MONITOR_<NAME>` (upper case, `.` and
 * `-` as `_`), and booleans also take `--no-<name>`.
 */
export interface Setting {
  readonly name: string;
  readonly path: readonly string[];
  /** How the value is written; all but booleans reach the schema as text. */
  readonly kind: 'string' | 'boolean' | 'duration' | 'address';
  readonly help: string;
  /** A secret is never shown as a default or logged. */
  readonly secret?: boolean;
}

export function envNameOf(setting: Setting): string {
  return `IDE_MONITOR_${setting.name.toUpperCase().replace(/[.-]/g, '_')}`;
}
