import { existsSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../src/monitoring/config.js';
import { renderAll } from '../../../src/monitoring/render/index.js';

// docker-compose.yml against what `ide-monitor generate` writes: a mount that misses a generated directory,
// or a provisioning path that points where nothing is mounted, fails here rather than in a running Grafana.
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const read = (file: string) => readFileSync(`${repo}${file}`, 'utf8');

interface Service {
  readonly command?: string[];
  readonly entrypoint?: string[];
  readonly environment?: Record<string, string | null>;
  readonly volumes?: string[];
  readonly tmpfs?: string[];
  readonly pid?: string;
  readonly ports?: string[];
}
const compose = load(read('docker-compose.yml')) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const service = (name: string): Service => compose.services[name] ?? expect.fail(`docker-compose.yml has no service ${name}`);
const generated = [...renderAll(DEFAULT_CONFIG, { tests: false }).keys()];

interface Mount {
  /** Relative to the repository for bind mounts (`./x` → `x`), absolute for host paths, `volume:NAME` for volumes. */
  readonly source: string;
  readonly target: string;
  readonly options: string;
}
function mounts(name: string): Mount[] {
  return (service(name).volumes ?? []).map((spec) => {
    const [source = '', target = '', options = ''] = spec.split(':');
    const bind = source.startsWith('.') || source.startsWith('/');
    return { source: bind ? source.replace(/^\.\//, '') : `volume:${source}`, target, options };
  });
}
const binds = (name: string) => mounts(name).filter((m) => !m.source.startsWith('volume:'));
/** Where a repository path appears inside the container, through whichever bind mount covers it. */
function inContainer(name: string, file: string): string | undefined {
  for (const m of binds(name)) {
    if (file === m.source) return m.target;
    if (file.startsWith(`${m.source}/`)) return posix.join(m.target, file.slice(m.source.length + 1));
  }
  return undefined;
}
const flag = (name: string, flagName: string) =>
  service(name)
    .command?.find((a) => a.startsWith(`--${flagName}=`))
    ?.split('=')[1];

describe('docker-compose.yml mounts what the generator writes, where the generated files expect it', () => {
  it('Grafana: exactly the two provisioning directories and the dashboards directory, read-only', () => {
    const dirs = new Set(generated.filter((f) => f.startsWith('grafana/')).map((f) => posix.dirname(f)));
    expect([...dirs].sort()).toEqual(['grafana/dashboards', 'grafana/provisioning/dashboards', 'grafana/provisioning/datasources']);
    expect(
      binds('grafana')
        .map((m) => m.source)
        .sort(),
    ).toEqual([...dirs].sort());
    for (const m of binds('grafana')) expect(m.options, m.source).toBe('ro');
    expect(inContainer('grafana', 'grafana/provisioning/datasources')).toBe('/etc/grafana/provisioning/datasources');
    expect(inContainer('grafana', 'grafana/provisioning/dashboards')).toBe('/etc/grafana/provisioning/dashboards');
  });

  it('Grafana: the dashboard provider reads the directory compose mounts the dashboards at', () => {
    const provider = load(read('grafana/provisioning/dashboards/ide-monitor.yml')) as { providers: { options: { path: string } }[] };
    expect(provider.providers).toHaveLength(1);
    expect(provider.providers[0]?.options.path).toBe(inContainer('grafana', 'grafana/dashboards'));
    const home = service('grafana').environment?.['GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH'];
    expect(generated.map((f) => inContainer('grafana', f))).toContain(home);
  });

  it('Grafana: admin password from .env, anonymous access off, data in a named volume', () => {
    const env = service('grafana').environment ?? {};
    expect(env['GF_SECURITY_ADMIN_PASSWORD']).toMatch(/^\$\{GRAFANA_ADMIN_PASSWORD:\?/);
    expect(env['GF_AUTH_ANONYMOUS_ENABLED']).toBe('false');
    expect(mounts('grafana')).toContainEqual({ source: 'volume:grafana-data', target: '/var/lib/grafana', options: '' });
  });

  it('Prometheus: the config and the rules directory; rule_files resolve inside the rules mount', () => {
    expect(
      binds('prometheus')
        .map((m) => m.source)
        .sort(),
    ).toEqual(['prometheus/prometheus.yml', 'prometheus/rules']);
    const configFile = flag('prometheus', 'config.file');
    expect(configFile).toBe(inContainer('prometheus', 'prometheus/prometheus.yml'));
    const config = load(read('prometheus/prometheus.yml')) as { rule_files: string[] };
    const rulesDir = inContainer('prometheus', 'prometheus/rules')!;
    for (const glob of config.rule_files) expect(posix.dirname(posix.resolve(posix.dirname(configFile!), glob))).toBe(rulesDir);
    for (const file of generated.filter((f) => f.startsWith('prometheus/rules/')))
      expect(inContainer('prometheus', file)).toMatch(/^\/etc\/prometheus\/rules\/\w+\.yml$/);
  });

  it('Prometheus scrapes and alerts the compose services on the ports they listen on', () => {
    const config = load(read('prometheus/prometheus.yml')) as {
      alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    const targets = Object.fromEntries(config.scrape_configs.map((j) => [j.job_name, j.static_configs.flatMap((s) => s.targets)]));
    expect(targets).toEqual({ 'ide-monitor': ['ide-monitor:10451'], prometheus: ['localhost:9090'], alertmanager: ['alertmanager:9093'] });
    expect(config.alerting.alertmanagers[0]?.static_configs[0]?.targets).toEqual(['alertmanager:9093']);
    const published = (name: string) => service(name).ports?.map((p) => p.split(':').at(-1));
    expect(published('ide-monitor')).toEqual(['10451']);
    expect(published('alertmanager')).toEqual(['9093']);
    expect(published('prometheus')).toEqual(['9090']);
  });

  it('Alertmanager: the generated config, and the credentials file written on a tmpfs by the mounted entrypoint', () => {
    expect(binds('alertmanager')).toEqual([{ source: 'alertmanager', target: '/etc/alertmanager', options: 'ro' }]);
    expect(flag('alertmanager', 'config.file')).toBe(inContainer('alertmanager', 'alertmanager/alertmanager.yml'));
    const am = load(read('alertmanager/alertmanager.yml')) as {
      receivers: { webhook_configs: { url: string; http_config: { authorization: { credentials_file: string } } }[] }[];
    };
    const hook = am.receivers[0]?.webhook_configs[0];
    const credentials = hook?.http_config.authorization.credentials_file;
    const env = service('alertmanager').environment ?? {};
    expect(env['IDE_MONITOR_WEBHOOK_TOKEN_FILE']).toBe(credentials);
    expect(service('alertmanager').tmpfs).toContain(posix.dirname(credentials!));
    // The same variable feeds both ends of the webhook.
    expect(env['IDE_MONITOR_WEBHOOK_TOKEN']).toBe(service('ide-monitor').environment?.['IDE_MONITOR_WEBHOOK_TOKEN']);
    const script = service('alertmanager').entrypoint?.at(-1) ?? '';
    const scriptInRepo = posix.join('alertmanager', posix.relative('/etc/alertmanager', script));
    expect(existsSync(`${repo}${scriptInRepo}`), scriptInRepo).toBe(true);
    expect(read(scriptInRepo)).toContain('> "$IDE_MONITOR_WEBHOOK_TOKEN_FILE"');
    const url = new URL(hook!.url);
    expect([url.hostname, url.port, url.pathname]).toEqual(['ide-monitor', '10451', '/api/v1/alertmanager/webhook']);
  });

  it('ide-monitor: host /proc and / read-only, pid namespace of the host, outbox in a named volume', () => {
    const ide = service('ide-monitor');
    expect(ide.pid).toBe('host');
    expect(mounts('ide-monitor')).toEqual(
      expect.arrayContaining([
        { source: '/proc', target: '/host/proc', options: 'ro' },
        { source: '/', target: '/host/root', options: 'ro,rslave' },
        { source: 'volume:ide-monitor-data', target: ide.environment?.['IDE_MONITOR_DATA_DIR'], options: '' },
      ]),
    );
    expect(flag('ide-monitor', 'path.procfs')).toBe('/host/proc');
    expect(flag('ide-monitor', 'path.rootfs')).toBe('/host/root');
    expect(Object.keys(compose.volumes).sort()).toEqual(['alertmanager-data', 'grafana-data', 'ide-monitor-data', 'prometheus-data']);
  });

  it('.env.example defines every variable compose requires', () => {
    const required = [...read('docker-compose.yml').matchAll(/\$\{(\w+):\?/g)].map((m) => m[1]);
    const defined = [...read('.env.example').matchAll(/^(\w+)=\S+/gm)].map((m) => m[1]);
    expect(new Set(required)).toEqual(new Set(['IDE_MONITOR_WEBHOOK_TOKEN', 'IDE_MONITOR_INGEST_TOKEN', 'GRAFANA_ADMIN_PASSWORD']));
    for (const name of required) expect(defined, name).toContain(name);
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  it('builds in a full image and runs on an exactly tagged slim one, as a non-root user', () => {
    const froms = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
    expect(froms).toHaveLength(2);
    expect(froms[0]).toMatch(/^node:20\.\d+\.\d+-bookworm$/);
    expect(froms[1]).toMatch(/^node:20\.\d+\.\d+-bookworm-slim$/);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toContain('npm prune --omit=dev');
  });

  it('checks health on /-/healthy with Node (there is no curl in slim)', () => {
    const healthcheck = /^HEALTHCHECK[\s\S]*?CMD (\[.*\])$/m.exec(dockerfile)?.[1];
    const argv = JSON.parse(healthcheck ?? '[]') as string[];
    expect(argv[0]).toBe('node');
    expect(argv.join(' ')).toContain("fetch('http://127.0.0.1:10451/-/healthy')");
    const instructions = dockerfile
      .split('\n')
      .filter((l) => !l.trimStart().startsWith('#'))
      .join('\n');
    expect(instructions).not.toMatch(/curl|wget/);
  });

  it('.dockerignore keeps secrets and host builds out of the context (allowlist)', () => {
    const lines = read('.dockerignore')
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'));
    expect(lines[0]).toBe('*');
    expect(lines.slice(1).every((l) => l.startsWith('!'))).toBe(true);
    expect(lines).not.toContain('!.env');
  });
});
