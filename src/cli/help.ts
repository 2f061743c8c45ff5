import { configSchema } from '../config/schema.js';
import { envNameOf, type Setting } from '../config/settings.js';

const DEFAULTS = configSchema.parse(undefined) as unknown as Record<string, unknown>;

/** `--help` text for settings: each flag with its environment variable and its default. */
export function describeSettings(settings: readonly Setting[]): string {
  const rows = settings.map((s) => {
    const flag = s.kind === 'boolean' ? `--[no-]${s.name}` : `--${s.name}=VALUE`;
    const fallback = defaultOf(s);
    return `  ${flag}\n      ${s.help}\n      env ${envNameOf(s)}; default ${fallback}`;
  });
  return rows.join('\n');
}

function defaultOf(setting: Setting): string {
  let node: unknown = DEFAULTS;
  for (const key of setting.path) node = (node as Record<string, unknown> | undefined)?.[key];
  if (node === undefined) return '(none)';
  // Durations are held in milliseconds; show them the way they are written.
  if (setting.path.join('.') === 'collectors.timeout' && typeof node === 'number') return `${node / 1000}s`;
  return typeof node === 'string' ? JSON.stringify(node) : String(node);
}
