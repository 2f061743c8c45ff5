import { accessSync, constants, lstatSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { loadMonitoringConfig } from '../monitoring/config.js';
import { resolveEndpoints } from '../remote-write/endpoints.js';
import { unsafeDataDir } from './data-dir.js';
import { ConfigError, type ConfigProblem } from './problems.js';
import type { Config } from './schema.js';
import { resolveSecret, SecretFileError, secretWhitespaceWarning } from './secret-file.js';

/**
 * Keys holding a credential. Each may also come from `<key>_file`; both are read here so a missing or
 * empty secret file fails `check-config` exactly as it would fail `serve`.
 */
const SECRET_KEYS = new Set(['token', 'webhook_url', 'routing_key', 'url', 'bearer_token', 'password', 'credentials']);
/** Secrets that are URLs (a Slack webhook URL carries its own credential). */
const URL_SECRETS = new Set(['webhook_url', 'url']);
/** `.env.example` and the docs write placeholders as `change-me…`; a server must not run with one. */
const PLACEHOLDER = /^change[-_]?me/i;

/**
 * What the schema cannot see but `serve` would refuse: secrets in `*_file`s, placeholder secrets, the
 * bridge's data directory, remote-write TLS files. Every problem is collected, so `check-config` lists them
 * all, each on one line naming its setting. Returns the warnings: what `serve` accepts but is likely a
 * mistake (whitespace around a secret read from a file).
 */
export function preflight(config: Config, source: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const warnings: ConfigProblem[] = [];
  walkSecrets(config, [], source, problems, warnings);
  if (config.bridge.enabled) checkDataDir(config.bridge.data_dir, source, problems);
  if (config.status.enabled && config.status.monitoring_config_file !== undefined) {
    try {
      loadMonitoringConfig(config.status.monitoring_config_file);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
    }
  }
  if (problems.length === 0) {
    try {
      resolveEndpoints(config.remote_write);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems.map((p) => ({ ...p, source })));
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return warnings;
}

function walkSecrets(
  node: Record<string, unknown>,
  at: readonly (string | number)[],
  source: string,
  problems: ConfigProblem[],
  warnings: ConfigProblem[],
): void {
  for (const [key, value] of Object.entries(node)) {
    if (typeof value === 'object' && value !== null) {
      walkSecrets(value as Record<string, unknown>, [...at, key], source, problems, warnings);
      continue;
    }
    const stem = key.endsWith('_file') ? key.slice(0, -'_file'.length) : undefined;
    if (SECRET_KEYS.has(key) && typeof value === 'string' && PLACEHOLDER.test(value)) {
      problems.push({ source, path: [...at, key].join('.'), message: 'is a placeholder (change-me…); set the real secret' });
    }
    if (stem === undefined || !SECRET_KEYS.has(stem) || typeof value !== 'string') continue;
    // The inline value wins over the file (see resolveSecret); then the file is not read by serve either.
    const inline = node[stem];
    if (typeof inline === 'string' && inline !== '') continue;
    const settingPath = [...at, key].join('.');
    try {
      const secret = resolveSecret([...at, stem].join('.'), undefined, value);
      const whitespace = secret === undefined ? undefined : secretWhitespaceWarning(secret);
      if (whitespace !== undefined) warnings.push({ source, path: settingPath, message: `${value}: ${whitespace}` });
      if (secret !== undefined && PLACEHOLDER.test(secret)) {
        problems.push({ source, path: settingPath, message: `${value} holds a placeholder (change-me…); put the real secret in it` });
      } else if (secret !== undefined && URL_SECRETS.has(stem) && !isHttpUrl(secret)) {
        // The schema checks inline URLs; one read from a file is checked here. Never echo it: it is a secret.
        problems.push({ source, path: settingPath, message: `${value} must hold an http:// or https:// URL (value not shown: it is a secret)` });
      }
    } catch (error) {
      if (!(error instanceof SecretFileError)) throw error;
      problems.push({ source, path: settingPath, message: `cannot read ${error.file}: ${error.reason}` });
    }
  }
}

function isHttpUrl(text: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(text).protocol);
  } catch {
    return false;
  }
}

/** The outbox directory: created by the bridge when missing, so only its nearest existing ancestor must be writable. */
function checkDataDir(dir: string, source: string, problems: ConfigProblem[]): void {
  const absolute = path.resolve(dir);
  const problem = (message: string) => problems.push({ source, path: 'bridge.data_dir', message: `${message} (flag --data-dir, env IDE_MONITOR_DATA_DIR)` });
  const own = lstatOrUndefined(absolute);
  // A plain file is reported by the walk below ("is not a directory"); a symlink or a directory is checked here.
  const unsafe = own === undefined || (!own.isDirectory() && !own.isSymbolicLink()) ? undefined : unsafeDataDir(own);
  if (unsafe !== undefined) {
    problem(`${absolute} ${unsafe}; use a directory of this user that only it can write`);
    return;
  }
  let existing = absolute;
  for (;;) {
    try {
      const stat = statSync(existing);
      if (!stat.isDirectory()) {
        problem(existing === absolute ? `${absolute} is not a directory` : `${absolute} cannot be created: ${existing} is not a directory`);
        return;
      }
      break;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') {
        problem(`cannot use ${absolute}: ${code ?? (error as Error).message}`);
        return;
      }
      const parent = path.dirname(existing);
      if (parent === existing) break;
      existing = parent;
    }
  }
  try {
    accessSync(existing, constants.W_OK | constants.X_OK);
  } catch {
    problem(
      existing === absolute
        ? `${absolute} is not writable by this user`
        : `${absolute} does not exist and cannot be created: ${existing} is not writable by this user`,
    );
  }
}

function lstatOrUndefined(file: string): Stats | undefined {
  try {
    return lstatSync(file);
  } catch {
    return undefined; // missing (created by the store) or unreadable: the walk below says which
  }
}
