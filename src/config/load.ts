import { COLLECTOR_DESCRIPTIONS } from './collector-descriptions.js';
import { configSchema, type Config } from './schema.js';
import { envNameOf, type Setting } from './setting.js';
import { readYamlFile, validate, type PathSegment } from './yaml-file.js';
import { ConfigError } from './problems.js';

export interface ConfigInputs {
  /** `--config.file`, or `IDE_MONITOR_CONFIG_FILE`. */
  readonly file?: string | undefined;
  readonly env: NodeJS.ProcessEnv;
  /** Parsed flags by setting name (`web.listen-address` → value); booleans already negated for `--no-`. */
  readonly flags: ReadonlyMap<string, string | boolean>;
  readonly settings: readonly Setting[];
  /**
   * Values of repeatable flags and variables (`--remote-write.url`, `--remote-write.external-label`),
   * added to what the file says: `append` adds a list item, otherwise the value is set at `path`.
   */
  readonly additions?: readonly ConfigAddition[];
}

export interface ConfigAddition {
  readonly path: readonly string[];
  readonly value: unknown;
  /** `flag --remote-write.url`, for error messages. */
  readonly source: string;
  readonly append?: boolean;
}

/**
 * Builds the one typed Config: defaults < file < environment < flags. Every problem names where the bad
 * value came from (file and line, variable or flag) and the setting's path.
 */
export function loadConfig(inputs: ConfigInputs): Config {
  const { data, text } = inputs.file === undefined ? { data: {}, text: undefined } : readYamlFile(inputs.file);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ConfigError([{ source: inputs.file ?? 'config', path: '', message: 'the top level must be a mapping of settings' }]);
  }
  const merged = structuredClone(data) as Record<string, unknown>;
  const overrides = new Map<string, string>();
  const problems = [];
  for (const setting of inputs.settings) {
    const envName = envNameOf(setting);
    const fromEnv = inputs.env[envName];
    const fromFlag = inputs.flags.get(setting.name);
    const [raw, source] = fromFlag !== undefined ? [fromFlag, `flag --${setting.name}`] : fromEnv !== undefined ? [fromEnv, `env ${envName}`] : [undefined, ''];
    if (raw === undefined) continue;
    const value = setting.kind === 'boolean' ? parseBoolean(raw) : String(raw);
    if (value === undefined) {
      problems.push({ source, path: setting.path.join('.'), message: `expected true or false, got ${JSON.stringify(raw)}` });
      continue;
    }
    setPath(merged, setting.path, value);
    overrides.set(setting.path.join('.'), source);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  for (const addition of inputs.additions ?? []) {
    if (addition.append === true) {
      const list = getPath(merged, addition.path);
      const items = Array.isArray(list) ? list : [];
      items.push(addition.value);
      setPath(merged, addition.path, items);
      overrides.set([...addition.path, items.length - 1].join('.'), addition.source);
    } else {
      setPath(merged, addition.path, addition.value);
      overrides.set(addition.path.join('.'), addition.source);
    }
  }
  applyDisableDefaults(merged);
  return validate(configSchema, merged, {
    ...(inputs.file !== undefined && { file: inputs.file }),
    ...(text !== undefined && { text }),
    // The deepest path a flag or variable set, so `remote_write.1.url` names the flag that added item 1.
    sourceOf: (path: readonly PathSegment[]) => {
      for (let n = path.length; n > 0; n--) {
        const source = overrides.get(path.slice(0, n).join('.'));
        if (source !== undefined) return source;
      }
      return undefined;
    },
  });
}

/**
 * `collectors.disable_defaults` (node_exporter's `--collector.disable-defaults`) turns the default of every
 * collector's `enabled` to false; those enabled by the file, a variable or a flag stay on.
 */
function applyDisableDefaults(merged: Record<string, unknown>): void {
  const collectors = merged['collectors'];
  if (typeof collectors !== 'object' || collectors === null || (collectors as Record<string, unknown>)['disable_defaults'] !== true) return;
  for (const name of Object.keys(COLLECTOR_DESCRIPTIONS)) {
    if (getPath(merged, ['collectors', name, 'enabled']) === undefined) setPath(merged, ['collectors', name, 'enabled'], false);
  }
}

function getPath(target: Record<string, unknown>, path: readonly string[]): unknown {
  let node: unknown = target;
  for (const key of path) node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined;
  return node;
}

function parseBoolean(raw: string | boolean): boolean | undefined {
  if (typeof raw === 'boolean') return raw;
  const text = raw.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(text)) return true;
  if (['false', '0', 'no', 'off'].includes(text)) return false;
  return undefined;
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}
