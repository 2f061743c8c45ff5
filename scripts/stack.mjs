// `npm run stack`: the docker-compose stack without Docker. Runs ide-monitor (from dist/), Prometheus,
// Alertmanager and, when installed, Grafana from local binaries with the same checked-in config files,
// rewritten from compose service names to loopback ports, in a temporary directory that is removed at exit.
// Ctrl-C or SIGTERM stops everything; if any program dies, the rest are stopped and the exit code is 1.
//
//   node scripts/stack.mjs [--free-ports] [--scrape-interval=15s] [--keep]
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { dump, load } from 'js-yaml';
import { freePort, StopWaiting, waitFor } from '../tests/support/ports.mjs';
import { startProcess } from '../tests/support/process.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const STOP_GRACE_MS = 10_000;
const READY_TIMEOUT_MS = 60_000;
/** The ports of docker-compose.yml and the README; `--free-ports` picks ephemeral ones instead. */
const FIXED_PORTS = { 'ide-monitor': 10451, prometheus: 9090, alertmanager: 9093, grafana: 3000 };
/** How the checked-in files name each service (compose service names), and what that becomes here. */
const COMPOSE_HOSTS = {
  'ide-monitor:10451': 'ide-monitor',
  'localhost:9090': 'prometheus',
  'prometheus:9090': 'prometheus',
  'alertmanager:9093': 'alertmanager',
};

class StackError extends Error {}

const { values: options } = parseArgs({
  options: {
    'free-ports': { type: 'boolean', default: false },
    'scrape-interval': { type: 'string' },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (options.help) {
  process.stdout.write(`usage: node scripts/stack.mjs [--free-ports] [--scrape-interval=DURATION] [--keep]

Runs ide-monitor, Prometheus, Alertmanager and (when grafana-server is installed) Grafana on 127.0.0.1
with the checked-in prometheus/, alertmanager/ and grafana/ files; Ctrl-C stops them all.
  --free-ports             ephemeral ports instead of 10451, 9090, 9093 and 3000
  --scrape-interval=D      Prometheus' scrape and evaluation interval (default: prometheus.yml's)
  --keep                   keep the temporary directory (data, rewritten configs) at exit
`);
  process.exit(0);
}

/** @type {Map<string, {name: string, proc: import('../tests/support/process.mjs').RunningProcess}>} */
const running = new Map();
let stopping = false;
let failed = false;
let workDir;

function which(name) {
  try {
    return execFileSync('sh', ['-c', `command -v "$1"`, 'sh', name], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

function firstBinary(names) {
  for (const name of names) {
    const found = which(name);
    if (found !== undefined) return found;
  }
  return undefined;
}

async function portIsFree(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function choosePorts(names) {
  const ports = {};
  for (const name of names) {
    if (options['free-ports']) {
      ports[name] = await freePort();
    } else {
      const port = FIXED_PORTS[name];
      if (!(await portIsFree(port))) throw new StackError(`port ${port} (${name}) is in use on 127.0.0.1; stop what uses it or run with --free-ports`);
      ports[name] = port;
    }
  }
  return ports;
}

const readYaml = (file) => load(readFileSync(path.join(root, file), 'utf8'));

/** Replaces compose `host:port` targets with the loopback address of the same service. */
function loopback(target, ports) {
  const service = COMPOSE_HOSTS[target];
  return service !== undefined && ports[service] !== undefined ? `127.0.0.1:${ports[service]}` : target;
}

function loopbackUrl(url, ports) {
  const parsed = new URL(url);
  const rewritten = loopback(`${parsed.hostname}:${parsed.port}`, ports);
  if (rewritten === `${parsed.hostname}:${parsed.port}`) return url;
  return `http://${rewritten}${parsed.pathname}${parsed.search}`;
}

function prometheusConfig(ports) {
  const config = readYaml('prometheus/prometheus.yml');
  if (options['scrape-interval'] !== undefined) {
    config.global = { ...config.global, scrape_interval: options['scrape-interval'], evaluation_interval: options['scrape-interval'] };
  }
  // Relative rule_files resolve against the config file's directory, which is now the temporary one.
  config.rule_files = (config.rule_files ?? []).map((glob) => (path.isAbsolute(glob) ? glob : path.join(root, 'prometheus', glob)));
  for (const am of config.alerting?.alertmanagers ?? []) {
    for (const sc of am.static_configs ?? []) sc.targets = sc.targets.map((t) => loopback(t, ports));
  }
  for (const job of config.scrape_configs ?? []) {
    for (const sc of job.static_configs ?? []) sc.targets = sc.targets.map((t) => loopback(t, ports));
  }
  return config;
}

function alertmanagerConfig(ports, tokenFile) {
  const config = readYaml('alertmanager/alertmanager.yml');
  for (const receiver of config.receivers ?? []) {
    for (const hook of receiver.webhook_configs ?? []) {
      hook.url = loopbackUrl(hook.url, ports);
      if (hook.http_config?.authorization?.credentials_file !== undefined) hook.http_config.authorization.credentials_file = tokenFile;
    }
  }
  return config;
}

function grafanaProvisioning(ports, dir) {
  const datasources = readYaml('grafana/provisioning/datasources/prometheus.yml');
  for (const ds of datasources.datasources ?? []) ds.url = loopbackUrl(ds.url, ports);
  const providers = readYaml('grafana/provisioning/dashboards/ide-monitor.yml');
  for (const provider of providers.providers ?? []) provider.options = { ...provider.options, path: path.join(root, 'grafana/dashboards') };
  for (const sub of ['datasources', 'dashboards', 'plugins', 'alerting', 'notifiers']) mkdirSync(path.join(dir, sub), { recursive: true });
  writeFileSync(path.join(dir, 'datasources/prometheus.yml'), dump(datasources));
  writeFileSync(path.join(dir, 'dashboards/ide-monitor.yml'), dump(providers));
}

/** Child output goes to stderr, each line prefixed with its program; stdout carries only the stack's own lines. */
function prefixLines(name, stream) {
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) process.stderr.write(`${name.padEnd(12)} | ${line}\n`);
  });
  stream.on('end', () => pending !== '' && process.stderr.write(`${name.padEnd(12)} | ${pending}\n`));
}

function start(name, command, args, env = process.env) {
  // Only a tail of the output is kept: all of it goes to stderr as it comes, and the stack runs for hours.
  const proc = startProcess(command, args, { name, env, tailChars: 4000 });
  prefixLines(name, proc.child.stdout);
  prefixLines(name, proc.child.stderr);
  void proc.exited.then(() => {
    running.delete(name);
    const { exitCode, signalCode } = proc.child;
    const spawned = exitCode !== null || signalCode !== null;
    if (!spawned) process.stderr.write(`stack: cannot start ${name}: ${proc.exitReason()}\n`);
    else if (!stopping) process.stderr.write(`stack: ${name} exited unexpectedly (${signalCode ?? `code ${exitCode}`})\n`);
    if (!spawned || !stopping) onUnexpectedExit(name);
  });
  running.set(name, { name, proc });
}

function onUnexpectedExit() {
  // Ctrl-C in a terminal signals the whole process group: a child may exit a moment before our own
  // SIGINT handler has run. Wait a beat before calling it a failure.
  setTimeout(() => {
    if (stopping) return;
    failed = true;
    void stopAll();
  }, 200);
}

async function stopAll() {
  if (stopping) return;
  stopping = true;
  process.stderr.write(`stack: stopping ${[...running.keys()].join(', ') || 'nothing'}\n`);
  await Promise.all([...running.values()].map(({ proc }) => proc.stop(STOP_GRACE_MS)));
  if (workDir !== undefined && !options.keep) rmSync(workDir, { recursive: true, force: true });
  process.stdout.write(failed ? 'stack: stopped after a failure\n' : 'stack: stopped\n');
  process.exit(failed ? 1 : 0);
}

async function waitReady(name, url) {
  try {
    await waitFor(
      `${name} to be ready (${url})`,
      async () => {
        if (stopping || !running.has(name)) throw new StopWaiting(`${name} exited before it was ready`);
        return (await fetch(url, { signal: AbortSignal.timeout(2000) })).ok;
      },
      READY_TIMEOUT_MS,
      200,
    );
  } catch (error) {
    throw new StackError(error.message);
  }
}

async function main() {
  const cli = path.join(root, 'dist/cli.js');
  if (!existsSync(cli)) throw new StackError('dist/cli.js is missing: run `npm run build` (npm run stack does it for you)');
  const prometheus = which('prometheus');
  const alertmanager = firstBinary(['prometheus-alertmanager', 'alertmanager']);
  if (prometheus === undefined || alertmanager === undefined) {
    throw new StackError(
      'needs prometheus and prometheus-alertmanager on PATH (Debian: apt-get install prometheus prometheus-alertmanager, or scripts/install-test-deps.sh)',
    );
  }
  const grafana = firstBinary(['grafana-server', 'grafana']);
  const names = ['ide-monitor', 'prometheus', 'alertmanager', ...(grafana !== undefined ? ['grafana'] : [])];
  const ports = await choosePorts(names);

  workDir = mkdtempSync(path.join(tmpdir(), 'ide-monitor-stack-'));
  const data = (name) => {
    const dir = path.join(workDir, 'data', name);
    mkdirSync(dir, { recursive: true });
    return dir;
  };
  // The user's token if they exported one (so their curl commands work), else a fresh random one.
  const token = process.env.IDE_MONITOR_WEBHOOK_TOKEN || randomBytes(32).toString('hex');
  const tokenFile = path.join(workDir, 'webhook-token');
  writeFileSync(tokenFile, token, { mode: 0o600 });
  writeFileSync(path.join(workDir, 'prometheus.yml'), dump(prometheusConfig(ports)));
  writeFileSync(path.join(workDir, 'alertmanager.yml'), dump(alertmanagerConfig(ports, tokenFile)));

  const url = (name) => `http://127.0.0.1:${ports[name]}`;
  // Through its shebang, so it runs with the same V8 flags as the installed command.
  start(
    'ide-monitor',
    cli,
    ['serve', `--web.listen-address=127.0.0.1:${ports['ide-monitor']}`, `--data-dir=${data('ide-monitor')}`, `--alertmanager.url=${url('alertmanager')}`],
    { ...process.env, IDE_MONITOR_WEBHOOK_TOKEN: token, IDE_MONITOR_BRIDGE_ENABLED: 'true' },
  );
  start('prometheus', prometheus, [
    `--config.file=${path.join(workDir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${data('prometheus')}`,
    `--web.listen-address=127.0.0.1:${ports.prometheus}`,
    `--web.external-url=${url('prometheus')}`,
    '--log.level=warn',
  ]);
  start('alertmanager', alertmanager, [
    `--config.file=${path.join(workDir, 'alertmanager.yml')}`,
    `--storage.path=${data('alertmanager')}`,
    `--web.listen-address=127.0.0.1:${ports.alertmanager}`,
    `--web.external-url=${url('alertmanager')}`,
    '--cluster.listen-address=',
    '--log.level=warn',
  ]);
  let grafanaPasswordFile;
  if (grafana !== undefined) {
    const provisioning = path.join(workDir, 'grafana-provisioning');
    grafanaProvisioning(ports, provisioning);
    grafanaPasswordFile = path.join(workDir, 'grafana-admin-password');
    const password = process.env.GRAFANA_ADMIN_PASSWORD || randomBytes(12).toString('hex');
    writeFileSync(grafanaPasswordFile, password, { mode: 0o600 });
    const home = ['/usr/share/grafana', path.join(path.dirname(grafana), '..', 'share', 'grafana')].find((dir) => existsSync(dir));
    const args = [...(path.basename(grafana) === 'grafana' ? ['server'] : []), ...(home !== undefined ? [`--homepath=${home}`] : [])];
    start('grafana', grafana, args, {
      ...process.env,
      GF_PATHS_DATA: data('grafana'),
      GF_PATHS_LOGS: data('grafana-logs'),
      GF_PATHS_PLUGINS: data('grafana-plugins'),
      GF_PATHS_PROVISIONING: provisioning,
      GF_SERVER_HTTP_ADDR: '127.0.0.1',
      GF_SERVER_HTTP_PORT: String(ports.grafana),
      GF_SECURITY_ADMIN_PASSWORD: password,
      GF_AUTH_ANONYMOUS_ENABLED: 'false',
      GF_ANALYTICS_REPORTING_ENABLED: 'false',
    });
  }

  await Promise.all([
    waitReady('ide-monitor', `${url('ide-monitor')}/-/ready`),
    waitReady('prometheus', `${url('prometheus')}/-/ready`),
    waitReady('alertmanager', `${url('alertmanager')}/-/ready`),
    ...(grafana !== undefined ? [waitReady('grafana', `${url('grafana')}/api/health`)] : []),
  ]);

  const line = (name, link) => `  ${name.padEnd(13)} ${link.padEnd(32)} pid ${running.get(name)?.proc.pid}`;
  const out = [
    'ide-monitor stack is running (Ctrl-C stops everything):',
    line('ide-monitor', `${url('ide-monitor')}/`),
    line('prometheus', `${url('prometheus')}/`),
    line('alertmanager', `${url('alertmanager')}/`),
    grafana !== undefined
      ? `${line('grafana', `${url('grafana')}/`)}   (admin; password in ${grafanaPasswordFile})`
      : '  grafana       not started: no grafana-server on PATH (install Grafana to get the dashboards here)',
    `  files         ${workDir}${options.keep ? '' : ' (removed at exit)'}`,
    `  webhook token ${tokenFile}`,
    'stack: ready',
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

process.on('SIGINT', () => (stopping ? forceKill() : void stopAll()));
process.on('SIGTERM', () => void stopAll());
// Last resort if this script crashes: never leave a child behind.
process.on('exit', () => {
  for (const { proc } of running.values()) proc.child.kill('SIGKILL');
});

function forceKill() {
  process.stderr.write('stack: second interrupt, killing\n');
  for (const { proc } of running.values()) proc.child.kill('SIGKILL');
}

main().catch((error) => {
  // Interrupted while starting: the waits fail because we are stopping, which is no error.
  if (stopping && !failed) return;
  process.stderr.write(`stack: ${error instanceof StackError ? error.message : error.stack}\n`);
  failed = true;
  if (running.size === 0 && workDir === undefined) process.exit(1);
  void stopAll();
});
