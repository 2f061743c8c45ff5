import { configSchema, type Config } from '../config/schema.js';
import { envNameOf, type Setting } from '../config/setting.js';

const DEFAULTS = configSchema.parse(undefined) as unknown as Record<string, unknown>;

/**
 * `--help` text for settings: each flag with its environment variable and its default, read at the
 * setting's path in `defaults` (the parsed empty configuration).
 */
export function describeSettings(settings: readonly Setting[], defaults: unknown = DEFAULTS): string {
  const rows = settings.map((s) => {
    const flag = s.kind === 'boolean' ? `--[no-]${s.name}` : `--${s.name}=VALUE`;
    const fallback = defaultOf(s, defaults);
    return `  ${flag}\n      ${s.help}\n      env ${envNameOf(s)}; default ${fallback}`;
  });
  return rows.join('\n');
}

function defaultOf(setting: Setting, defaults: unknown): string {
  let node: unknown = defaults;
  for (const key of setting.path) node = (node as Record<string, unknown> | undefined)?.[key];
  if (node === undefined) return '(none)';
  if (setting.secret === true) return '(set)';
  return SHOWN[setting.kind](node);
}

/** Each kind's parsed default, written back the way a user writes it. */
const SHOWN: Record<Setting['kind'], (value: unknown) => string> = {
  string: (value) => JSON.stringify(value),
  boolean: (value) => String(value),
  duration: (ms) => (Number(ms) % 1000 === 0 ? `${Number(ms) / 1000}s` : `${String(ms)}ms`),
  address: (address) => JSON.stringify((address as Config['web']['listen_address']).text),
};
