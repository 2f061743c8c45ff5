import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { requireBinary } from '../../support/binaries.js';

// The deployable stack validated with each program's own checker, as CI can (no Docker engine there).
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const dockerCompose = requireBinary('docker-compose', 'docker-compose');
const promtool = requireBinary('promtool', 'prometheus');
const amtool = requireBinary('amtool', 'prometheus-alertmanager');

/** The newest dashboard schemaVersion each Grafana minor release reads (its @grafana/schema package). */
const GRAFANA_SCHEMA_VERSION: Record<string, number> = { '11.6': 41, '12.0': 41, '12.1': 41, '12.2': 42 };

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs with none of the stack's variables from the developer's shell, so only the env file counts. */
async function run(command: string, args: readonly string[]): Promise<Run> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(IDE_MONITOR_|GRAFANA_|COMPOSE_)/.test(name)));
  try {
    const { stdout, stderr } = await promisify(execFile)(command, [...args], { cwd: repo, env, maxBuffer: 16 << 20 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

interface ComposeService {
  readonly healthcheck?: { readonly test?: readonly string[] };
  readonly environment?: Record<string, string | null>;
  readonly volumes?: readonly string[];
  readonly ports?: readonly string[];
  readonly image?: string;
}

describe.skipIf(dockerCompose === undefined)('docker-compose config', () => {
  const compose = (...args: string[]) => run(dockerCompose ?? 'docker-compose', ['--env-file', '.env.example', '-f', 'docker-compose.yml', ...args]);

  it('accepts the file with .env.example and hands the webhook token to ide-monitor and Alertmanager', async () => {
    const result = await compose('config');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const config = load(result.stdout) as { services: Record<string, ComposeService>; volumes: Record<string, unknown> };
    expect(Object.keys(config.services).sort()).toEqual(['alertmanager', 'grafana', 'ide-monitor', 'prometheus']);
    const { 'ide-monitor': ide, alertmanager, grafana } = config.services;
    expect(ide?.environment?.['IDE_MONITOR_WEBHOOK_TOKEN']).toBe('change-me-webhook-token');
    expect(alertmanager?.environment?.['IDE_MONITOR_WEBHOOK_TOKEN']).toBe('change-me-webhook-token');
    expect(grafana?.environment?.['GF_SECURITY_ADMIN_PASSWORD']).toBe('change-me-grafana-password');
    expect(grafana?.environment?.['GF_AUTH_ANONYMOUS_ENABLED']).toBe('false');
    // Optional channels commented out in .env.example: passed through unset, never as an empty string.
    expect(ide?.environment?.['IDE_MONITOR_SLACK_WEBHOOK_URL']).toBeNull();
    expect(Object.keys(config.volumes).sort()).toEqual(['alertmanager-data', 'grafana-data', 'ide-monitor-data', 'prometheus-data']);
    // Exact image tags: no `latest`, no floating major.
    for (const [name, service] of Object.entries(config.services)) {
      if (name !== 'ide-monitor') expect(service.image, name).toMatch(/^[\w./-]+:v?\d+\.\d+\.\d+$/);
    }
    for (const service of Object.values(config.services)) {
      for (const port of service.ports ?? []) expect(port).toMatch(/^127\.0\.0\.1:/);
    }
  });

  it('checks the health of every service, and starts Grafana once Prometheus is ready', async () => {
    const config = load((await compose('config')).stdout) as {
      services: Record<string, ComposeService & { depends_on?: Record<string, { condition?: string }> }>;
    };
    for (const name of ['prometheus', 'alertmanager', 'grafana']) {
      expect(config.services[name]?.healthcheck?.test?.join(' '), name).toMatch(/^CMD wget -q --spider http:\/\/localhost:\d+\/(-\/ready|api\/health)$/);
    }
    // ide-monitor's image carries its own HEALTHCHECK (the slim Node image has no wget).
    expect(readFileSync(join(repo, 'Dockerfile'), 'utf8')).toMatch(/^HEALTHCHECK .*\n +CMD .*\/-\/healthy/m);
    expect(config.services['grafana']?.depends_on?.['prometheus']?.condition).toBe('service_healthy');
  });

  // Grafana reads dashboards up to the schemaVersion it knows; newer ones load unmigrated, and may not render.
  // Verified with @grafana/schema (the npm package of Grafana's dashboard schema): 11.6.x knows 41, 12.2.x 42.
  it('pins a Grafana that reads the schemaVersion the dashboards declare', async () => {
    const config = load((await compose('config')).stdout) as { services: Record<string, ComposeService> };
    const version = /^grafana\/grafana:(\d+\.\d+)\.\d+$/.exec(config.services['grafana']?.image ?? '')?.[1];
    const schemaVersions = new Set(
      readdirSync(join(repo, 'grafana/dashboards')).map(
        (f) => (JSON.parse(readFileSync(join(repo, 'grafana/dashboards', f), 'utf8')) as { schemaVersion: number }).schemaVersion,
      ),
    );
    expect([...schemaVersions]).toEqual([GRAFANA_SCHEMA_VERSION[version ?? '']]);
  });

  it('refuses to render without the webhook token, naming the variable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ide-monitor-compose-'));
    try {
      const envFile = join(dir, 'env');
      const example = readFileSync(join(repo, '.env.example'), 'utf8');
      writeFileSync(envFile, example.replace(/^IDE_MONITOR_WEBHOOK_TOKEN=.*$/m, ''));
      const result = await run(dockerCompose ?? 'docker-compose', ['--env-file', envFile, '-f', 'docker-compose.yml', 'config']);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('set IDE_MONITOR_WEBHOOK_TOKEN in .env');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(promtool === undefined)('promtool check config', () => {
  it('accepts prometheus/prometheus.yml with its rules', async () => {
    const result = await run(promtool ?? 'promtool', ['check', 'config', 'prometheus/prometheus.yml']);
    expect(result.stdout + result.stderr).toMatch(/SUCCESS: \d+ rule files found/);
    expect(result.code).toBe(0);
  });
});

describe.skipIf(amtool === undefined)('amtool check-config', () => {
  it('accepts alertmanager/alertmanager.yml: one receiver, the inhibition rules of every severity pair', async () => {
    const result = await run(amtool ?? 'amtool', ['check-config', 'alertmanager/alertmanager.yml']);
    const output = result.stdout + result.stderr;
    expect(output).toContain('SUCCESS');
    expect(output).toContain(' - 3 inhibit rules');
    expect(output).toContain(' - 1 receivers');
    expect(result.code).toBe(0);
  });
});
