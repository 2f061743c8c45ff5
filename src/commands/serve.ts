import { readBuildInfo } from '../build-info.js';
import { describeSettings } from '../cli/help.js';
import { parseFlags } from '../cli/parse-flags.js';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { SERVE_SETTINGS } from '../config/settings.js';
import { ScrapeRunner } from '../exporter/collector.js';
import { COLLECTORS } from '../exporter/collectors/index.js';
import { selectCollectors } from '../exporter/collector-registry.js';
import { createInstrumentation } from '../exporter/instrumentation.js';
import { ExporterServer } from '../exporter/server.js';
import { loadWebConfig, type WebConfig } from '../exporter/web-config.js';
import { createFeatures } from './serve-features.js';
import { createLogger, type Logger } from '../log.js';
import { exitPromptlyDespiteStuckIo } from './stuck-io.js';

/** Time a SIGTERM leaves in-flight scrapes before connections are cut; the process exits within 5 s. */
const SHUTDOWN_GRACE_MS = 3500;

export const SERVE_USAGE = `usage: ide-monitor serve [flags]

Serves host, process and LSP metrics for Prometheus on /metrics.

  --config.file=FILE
      YAML configuration file (see the README); env IDE_MONITOR_CONFIG_FILE.
${describeSettings(SERVE_SETTINGS)}

Precedence: flag > environment > config file > default.`;

/** Loads the configuration `serve` would run with; shared with `check-config`. */
export function resolveServeConfig(argv: readonly string[], env: NodeJS.ProcessEnv) {
  const flags = parseFlags(argv, SERVE_SETTINGS, { 'config.file': { type: 'string' } });
  const file = (flags.options['config.file'] as string | undefined) ?? env['IDE_MONITOR_CONFIG_FILE'];
  if (flags.options['help'] === true) return { help: true as const };
  const config = loadConfig({ file, env, flags: flags.settings, settings: SERVE_SETTINGS });
  const web: WebConfig = config.web.config_file === undefined ? { headers: {} } : loadWebConfig(config.web.config_file);
  return { help: false as const, config, web };
}

export async function serve(argv: readonly string[]): Promise<number> {
  const resolved = resolveServeConfig(argv, process.env);
  if (resolved.help) {
    process.stdout.write(`${SERVE_USAGE}\n`);
    return 0;
  }
  const { config, web } = resolved;
  const logger = createLogger(config.log);
  const runner = createRunner(config, logger);
  // One scrape before listening: hostinfo's one-off systeminformation calls (which spawn processes) are
  // paid here, not by Prometheus' first scrape, and a broken collector shows in the log at once.
  await runner.scrape();
  const build = readBuildInfo();
  const registry = createInstrumentation(build);
  const features = await createFeatures({ config, registry, build, logger, runner });
  for (const feature of features) await feature.start?.();
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
  });
  const address = await server.start();
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
  await server.stop(SHUTDOWN_GRACE_MS);
  for (const feature of [...features].reverse()) await feature.stop?.();
  logger.info('stopped');
  await exitPromptlyDespiteStuckIo(logger);
  return 0;
}

function createRunner(config: Config, logger: Logger): ScrapeRunner {
  const collectors = selectCollectors(COLLECTORS, config.collectors, logger);
  logger.info({ collectors: collectors.map((c) => c.name).join(',') }, 'collectors enabled');
  return new ScrapeRunner(collectors, { timeoutMs: config.collectors.timeout, paths: config.paths, logger });
}
