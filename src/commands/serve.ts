import { readBuildInfo } from '../build-info.js';
import { describeSettings } from '../cli/help.js';
import { parseFlags } from '../cli/parse-flags.js';
import { ConfigError, formatProblem, type ConfigProblem } from '../config/problems.js';
import { loadConfig, type ConfigAddition } from '../config/load.js';
import { preflight } from '../config/preflight.js';
import type { Config } from '../config/schema.js';
import { SERVE_SETTINGS } from '../config/settings.js';
import { ScrapeRunner, type Collector } from '../exporter/collector.js';
import { COLLECTORS } from '../exporter/collectors/index.js';
import { selectCollectors } from '../exporter/collector-registry.js';
import { createInstrumentation } from '../exporter/instrumentation.js';
import { ExporterServer } from '../exporter/server.js';
import { loadWebConfig, type WebConfig } from '../exporter/web-config.js';
import { createFeatures } from './serve-features.js';
import { createAccessGuard } from '../access/create.js';
import { isLoopbackOnly } from '../access/loopback-only.js';
import { ConfigReloader } from './serve-reload.js';
import { listenError } from './startup-error.js';
import { createLogger, type Logger } from '../log.js';
import { exitPromptlyDespiteStuckIo } from './stuck-io.js';

/** Time a SIGTERM leaves in-flight scrapes before connections are cut; the process exits within 5 s. */
const SHUTDOWN_GRACE_MS = 3500;

export const SERVE_USAGE = `usage: ide-monitor serve [flags]

Serves host, process and LSP metrics for Prometheus on /metrics. SIGHUP or POST /-/reload reads the
configuration file again (a bad file is logged and the running configuration kept).

  --config.file=FILE
      YAML configuration file (see the README); env IDE_MONITOR_CONFIG_FILE.
  --remote-write.url=URL (repeatable)
      Push the samples /metrics exposes to this Prometheus remote-write endpoint (added to the file's
      remote_write: list); env IDE_MONITOR_REMOTE_WRITE_URL (URLs separated by spaces). See docs/remote-write.md.
  --remote-write.external-label=NAME=VALUE (repeatable)
      Label added to every remote-written sample, e.g. user=alice (global.external_labels in the file);
      env IDE_MONITOR_REMOTE_WRITE_EXTERNAL_LABELS (NAME=VALUE pairs separated by commas).
${describeSettings(SERVE_SETTINGS)}

Precedence: flag > environment > config file > default.`;

const LIST_OPTIONS = {
  'config.file': { type: 'string' },
  'remote-write.url': { type: 'string', multiple: true },
  'remote-write.external-label': { type: 'string', multiple: true },
} as const;

export interface ResolvedServeConfig {
  readonly config: Config;
  readonly web: WebConfig;
  /** Accepted but likely mistakes (src/config/preflight.ts), logged once per configuration read. */
  readonly warnings: readonly ConfigProblem[];
}

/**
 * Loads the configuration `serve` would run with and runs every check `serve` would refuse to start on
 * (secrets in files, placeholders, data directory, TLS files); shared with `check-config` and reloads.
 */
export function resolveServeConfig(argv: readonly string[], env: NodeJS.ProcessEnv) {
  const flags = parseFlags(argv, SERVE_SETTINGS, { ...LIST_OPTIONS });
  const file = (flags.options['config.file'] as string | undefined) ?? env['IDE_MONITOR_CONFIG_FILE'];
  if (flags.options['help'] === true) return { help: true as const };
  const additions = listAdditions(flags.options, env);
  const config = loadConfig({ file, env, flags: flags.settings, settings: SERVE_SETTINGS, additions });
  const web: WebConfig = config.web.config_file === undefined ? { headers: {} } : loadWebConfig(config.web.config_file);
  const warnings = preflight(config, file ?? 'config');
  return { help: false as const, config, web, warnings };
}

/**
 * The repeatable flags and their variables: flags win over the variable, and both add to the file's
 * `remote_write:` list and `global.external_labels`.
 */
function listAdditions(options: Record<string, unknown>, env: NodeJS.ProcessEnv): ConfigAddition[] {
  const additions: ConfigAddition[] = [];
  const flagUrls = (options['remote-write.url'] as string[] | undefined) ?? [];
  const envUrls = (env['IDE_MONITOR_REMOTE_WRITE_URL'] ?? '').split(/\s+/).filter((u) => u !== '');
  const [urls, urlSource] = flagUrls.length > 0 ? [flagUrls, 'flag --remote-write.url'] : [envUrls, 'env IDE_MONITOR_REMOTE_WRITE_URL'];
  for (const url of urls) additions.push({ path: ['remote_write'], value: { url }, source: urlSource, append: true });
  const flagLabels = (options['remote-write.external-label'] as string[] | undefined) ?? [];
  const envLabels = (env['IDE_MONITOR_REMOTE_WRITE_EXTERNAL_LABELS'] ?? '')
    .split(',')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const [labels, labelSource] =
    flagLabels.length > 0 ? [flagLabels, 'flag --remote-write.external-label'] : [envLabels, 'env IDE_MONITOR_REMOTE_WRITE_EXTERNAL_LABELS'];
  for (const pair of labels) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new ConfigError([{ source: labelSource, path: 'global.external_labels', message: `expected NAME=VALUE, got ${JSON.stringify(pair)}` }]);
    additions.push({ path: ['global', 'external_labels', pair.slice(0, eq)], value: pair.slice(eq + 1), source: labelSource });
  }
  return additions;
}

/** Settings read once at start; a reload that changes one says so in the log and applies the rest. */
const RESTART_ONLY: readonly (readonly string[])[] = [
  ['web', 'listen_address'],
  ['web', 'telemetry_path'],
  ['web', 'headers_timeout'],
  ['web', 'request_timeout'],
  ['web', 'max_connections'],
  ['web', 'disable_exporter_metrics'],
  ['log', 'format'],
  // Turning a feature on or off: a feature that is not running cannot name its own section. The rest of
  // a feature's start-time settings are named by its `reload` (src/serve/unapplied.ts).
  ['ingest', 'enabled'],
  ['bridge', 'enabled'],
  ['status', 'enabled'],
];

function logConfigWarnings(logger: Logger, warnings: readonly ConfigProblem[]): void {
  for (const warning of warnings) logger.warn({ setting: warning.path }, formatProblem(warning));
}

export async function serve(argv: readonly string[]): Promise<number> {
  // Until the server listens a SIGHUP must not kill the process either (Node's default for it is to exit);
  // one that arrives then is logged once the logger exists and not acted on (the file was just read).
  let hupDuringStartup = false;
  const early = () => (hupDuringStartup = true);
  process.on('SIGHUP', early);
  const resolved = resolveServeConfig(argv, process.env);
  if (resolved.help) {
    process.stdout.write(`${SERVE_USAGE}\n`);
    return 0;
  }
  const { config, web } = resolved;
  let running: ResolvedServeConfig = resolved;
  const logger = createLogger(config.log);
  logConfigWarnings(logger, resolved.warnings);
  const runner = new ScrapeRunner(createCollectors(config, logger), runnerOptions(config, logger));
  // One scrape before listening: hostinfo's one-off systeminformation calls (which spawn processes) are
  // paid here, not by Prometheus' first scrape, and a broken collector shows in the log at once.
  await runner.scrape();
  const build = readBuildInfo();
  const registry = createInstrumentation(build, { exporterMetrics: !config.web.disable_exporter_metrics });
  const access = createAccessGuard(
    () => running.config,
    () => running.web,
    registry,
    logger,
  );
  const features = await createFeatures({ config, registry, build, logger, runner, access });
  for (const feature of features) await feature.start?.();
  const reloader = new ConfigReloader<ResolvedServeConfig>(
    () => {
      const next = resolveServeConfig(argv, process.env);
      if (next.help) throw new Error('unreachable: --help exits before serving');
      return next;
    },
    async (next) => {
      const restart = RESTART_ONLY.filter((path) => JSON.stringify(valueAt(running.config, path)) !== JSON.stringify(valueAt(next.config, path)));
      const needRestart = restart.map((path) => path.join('.'));
      // `server` is declared below: this runs only on a reload, and reloads are wired up after the server exists.
      const tls = server.updateWebConfig(next.web);
      if (tls !== undefined) needRestart.push(`web.config_file (${tls})`);
      logger.level = next.config.log.level;
      logConfigWarnings(logger, next.warnings);
      runner.reconfigure(createCollectors(next.config, logger), runnerOptions(next.config, logger));
      for (const feature of features) {
        if (feature.reload !== undefined) needRestart.push(...(await feature.reload(next.config)));
        else {
          // A feature without a reload hook keeps its start-time settings: say so when its section changed.
          const section = feature.extension.name as keyof Config;
          if (section in next.config && JSON.stringify(running.config[section]) !== JSON.stringify(next.config[section])) needRestart.push(section);
        }
      }
      running = next;
      if (needRestart.length > 0)
        logger.warn({ settings: needRestart.join(', ') }, 'these settings change only on restart; the rest of the new configuration is applied');
    },
    registry,
    logger,
  );
  /** A reload, and its record in the audit log: who or what asked, and which sections changed (names only, never values). */
  const reloadAudited = async (trigger: string) => {
    const before = running.config;
    const result = await reloader.reload(trigger);
    const after = running.config;
    const changed = (Object.keys(after) as Array<keyof Config>).filter((section) => JSON.stringify(before[section]) !== JSON.stringify(after[section]));
    // No problem text: a config error may quote a value, and the audit log is read by more people than the server log.
    const detail = { trigger, ok: result.ok, changedSections: result.ok ? changed : [] };
    for (const feature of features)
      await feature.audit?.('config_reload', detail).catch((error: unknown) => logger.warn({ err: error }, 'cannot record the reload in the audit log'));
    return result;
  };
  const server = new ExporterServer({
    listenAddress: config.web.listen_address,
    telemetryPath: config.web.telemetry_path,
    web,
    limits: { headersTimeoutMs: config.web.headers_timeout, requestTimeoutMs: config.web.request_timeout, maxConnections: config.web.max_connections },
    runner,
    registry,
    build,
    logger,
    extensions: features.map((f) => f.extension),
    reload: (by) => reloadAudited(`POST /-/reload by ${by}`),
    reloadGuard: access.require('admin', 'POST /-/reload'),
    loopbackOnly: () => isLoopbackOnly(running.config, running.web),
  });
  let address;
  try {
    address = await server.start();
  } catch (error) {
    throw listenError(error as NodeJS.ErrnoException, config.web.listen_address.text) ?? error;
  }
  // The reload handler goes on before the early one comes off: with no listener for a moment, Node puts
  // back SIGHUP's default action (exit), and a SIGHUP in that gap killed the process.
  process.on('SIGHUP', () => void reloadAudited('SIGHUP'));
  process.off('SIGHUP', early);
  if (hupDuringStartup) logger.warn('SIGHUP during startup ignored; send it again now that ide-monitor is listening');
  const shown = address.family === 'IPv6' && address.address === '::' ? 'localhost' : address.address;
  const scheme = web.tls === undefined ? 'http' : 'https';
  logger.info(
    { address: `${address.address}:${address.port}`, tls: web.tls !== undefined, basic_auth: web.basicAuthUsers !== undefined },
    `ide-monitor listening; metrics at ${scheme}://${shown}:${address.port}${config.web.telemetry_path}, landing page at ${scheme}://${shown}:${address.port}/`,
  );
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  logger.info({ signal }, 'shutting down: no new connections, finishing in-flight scrapes');
  // A reload still applying would otherwise hand new settings to features while they stop.
  await reloader.close();
  await server.stop(SHUTDOWN_GRACE_MS);
  for (const feature of [...features].reverse()) await feature.stop?.();
  logger.info('stopped');
  await exitPromptlyDespiteStuckIo(logger);
  return 0;
}

function createCollectors(config: Config, logger: Logger): Collector[] {
  const collectors = selectCollectors(COLLECTORS, config.collectors, logger);
  logger.info({ collectors: collectors.map((c) => c.name).join(',') }, 'collectors enabled');
  return collectors;
}

function runnerOptions(config: Config, logger: Logger) {
  return { timeoutMs: config.collectors.timeout, paths: config.paths, logger };
}

function valueAt(config: Config, path: readonly string[]): unknown {
  let node: unknown = config;
  for (const key of path) node = (node as Record<string, unknown> | undefined)?.[key];
  return node;
}
