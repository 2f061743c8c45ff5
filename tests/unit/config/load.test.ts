import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { DEFAULT_FS_TYPES_EXCLUDE, DEFAULT_PORT } from '../../../src/config/schema.js';
import { SERVE_SETTINGS } from '../../../src/config/settings.js';
import { parseFlags } from '../../../src/cli/parse-flags.js';
import { problemsOf } from '../../support/config-problems.js';

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/config/${name}`, import.meta.url));

function load(options: { file?: string; env?: NodeJS.ProcessEnv; argv?: string[] } = {}) {
  const flags = parseFlags(options.argv ?? [], SERVE_SETTINGS, {});
  return loadConfig({ file: options.file, env: options.env ?? {}, flags: flags.settings, settings: SERVE_SETTINGS });
}

describe('loadConfig', () => {
  it('gives sane defaults with no file, env or flags', () => {
    const config = load();
    expect(config.web).toEqual({
      listen_address: { text: `:${DEFAULT_PORT}`, host: undefined, port: DEFAULT_PORT },
      telemetry_path: '/metrics',
      headers_timeout: 10_000,
      request_timeout: 30_000,
      max_connections: 1024,
      disable_exporter_metrics: false,
    });
    expect(config.log).toEqual({ level: 'info', format: 'logfmt' });
    expect(config.collectors.timeout).toBe(5000);
    expect(config.collectors.cpu.enabled).toBe(true);
    expect(config.collectors.network.device_exclude).toBe('^(lo|veth.*)$');
  });

  it('reads a good file and keeps defaults for what it does not set', () => {
    const config = load({ file: fixture('good.yml') });
    expect(config.web.listen_address).toEqual({ text: '127.0.0.1:19100', host: '127.0.0.1', port: 19100 });
    expect(config.web.telemetry_path).toBe('/custom-metrics');
    expect(config.log).toEqual({ level: 'debug', format: 'json' });
    expect(config.paths).toEqual({ procfs: '/host/proc', rootfs: '/' });
    expect(config.collectors.timeout).toBe(1500);
    expect(config.collectors.pressure.enabled).toBe(false);
    expect(config.collectors.memory.enabled).toBe(true);
    expect(config.collectors.filesystem.mount_points_exclude).toBe('^/(boot|snap)($|/)');
    expect(config.collectors.filesystem.fs_types_exclude).toBe(DEFAULT_FS_TYPES_EXCLUDE);
  });

  it('treats a file of only comments as no settings, not as a syntax error', () => {
    expect(load({ file: fixture('comments-only.yml') })).toEqual(load());
  });

  it('applies precedence flag > env > file > default', () => {
    const file = fixture('good.yml');
    expect(load({ file }).web.listen_address.text).toBe('127.0.0.1:19100');
    const env = { IDE_MONITOR_WEB_LISTEN_ADDRESS: '127.0.0.1:19200', IDE_MONITOR_COLLECTOR_CPU: 'false' };
    expect(load({ file, env }).web.listen_address.text).toBe('127.0.0.1:19200');
    expect(load({ file, env }).collectors.cpu.enabled).toBe(false);
    const config = load({ file, env, argv: ['--web.listen-address=127.0.0.1:19300', '--collector.cpu', '--no-collector.memory'] });
    expect(config.web.listen_address.text).toBe('127.0.0.1:19300');
    expect(config.collectors.cpu.enabled).toBe(true);
    expect(config.collectors.memory.enabled).toBe(false);
  });

  it('names the file, line and path of every problem in a bad file', () => {
    expect(problemsOf(() => load({ file: fixture('bad.yml') }))).toEqual([
      `${fixture('bad.yml')}:2 web.listen_address: invalid listen address: use host:port, :port or [ipv6]:port, e.g. ":10451" or "127.0.0.1:10451"`,
      `${fixture('bad.yml')}:3 web.telemetry_path: must start with "/"`,
      `${fixture('bad.yml')}:5 log.level: must be one of "debug", "info", "warn", "error"`,
      `${fixture('bad.yml')}:7 collectors.timeout: invalid duration "5 seconds": use a number and a unit, e.g. 500ms, 5s, 1m`,
      `${fixture('bad.yml')}:9 collectors.cpu.enabled: expected boolean, got string "yes please"`,
      `${fixture('bad.yml')}:11 collectors.filesystem.mount_points_exclude: invalid regular expression "([": Unterminated character class`,
      `${fixture('bad.yml')}:12 collectors.netwrok: unknown setting; check its spelling and indentation against the README`,
    ]);
  });

  it('reports a YAML syntax error with its line', () => {
    const [problem] = problemsOf(() => load({ file: fixture('syntax-error.yml') }));
    expect(problem).toMatch(new RegExp(`^${fixture('syntax-error.yml')}:\\d+: YAML syntax error: `));
  });

  it('reports a missing file by name', () => {
    expect(problemsOf(() => load({ file: '/nonexistent/ide-monitor.yml' }))).toEqual([
      "/nonexistent/ide-monitor.yml: cannot read the file: ENOENT: no such file or directory, open '/nonexistent/ide-monitor.yml'",
    ]);
  });

  it('names the environment variable or flag a bad value came from', () => {
    expect(problemsOf(() => load({ env: { IDE_MONITOR_COLLECTOR_TIMEOUT: 'soon' } }))).toEqual([
      'env IDE_MONITOR_COLLECTOR_TIMEOUT collectors.timeout: invalid duration "soon": use a number and a unit, e.g. 500ms, 5s, 1m',
    ]);
    expect(problemsOf(() => load({ argv: ['--collector.network.device-exclude=(('] }))).toEqual([
      'flag --collector.network.device-exclude collectors.network.device_exclude: invalid regular expression "((": Unterminated group',
    ]);
    expect(problemsOf(() => load({ env: { IDE_MONITOR_COLLECTOR_CPU: 'maybe' } }))).toEqual([
      'env IDE_MONITOR_COLLECTOR_CPU collectors.cpu.enabled: expected true or false, got "maybe"',
    ]);
  });

  it('names the type of a bad secret, never its value', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'config-secret-'));
    try {
      const file = path.join(dir, 'secret.yml');
      writeFileSync(file, 'ingest:\n  token: 8675309\nbridge:\n  webhook:\n    token: [hunter2]\n');
      const problems = problemsOf(() => load({ file }));
      expect(problems).toEqual([`${file}:2 ingest.token: expected string, got number`, `${file}:5 bridge.webhook.token: expected string, got object`]);
      expect(problems.join('\n')).not.toMatch(/8675309|hunter2/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the type, never the value, of anything under exec.env and http.headers (where secrets go)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'config-secret-'));
    try {
      const file = path.join(dir, 'secret.yml');
      writeFileSync(
        file,
        [
          'bridge:',
          '  actions:',
          '    definitions:',
          '      - name: restart',
          '        trigger: { exec: { argv: [/bin/true], env: { API_KEY: 987654321 } } }',
          '      - name: call',
          '        trigger: { http: { url: "https://ops.example/x", headers: { X-Api-Key: 123456789 } } }',
          'remote_write:',
          '  - url: https://metrics.example/api/v1/write',
          '    headers: { X-Scope-Token: 55501234 }',
          '',
        ].join('\n'),
      );
      const problems = problemsOf(() => load({ file }));
      expect(problems).toEqual([
        `${file}:5 bridge.actions.definitions.0.trigger.exec.env.API_KEY: expected string, got number`,
        `${file}:7 bridge.actions.definitions.1.trigger.http.headers.X-Api-Key: expected string, got number`,
        `${file}:10 remote_write.0.headers.X-Scope-Token: expected string, got number`,
      ]);
      expect(problems.join('\n')).not.toMatch(/987654321|123456789|55501234/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects a file whose top level is not a mapping', () => {
    expect(problemsOf(() => load({ file: fixture('../config/list.yml') }))).toEqual([`${fixture('list.yml')}: the top level must be a mapping of settings`]);
  });
});

describe('parseFlags', () => {
  it('rejects unknown flags with a pointer to --help', () => {
    expect(() => parseFlags(['--web.listen-adress=:1'], SERVE_SETTINGS, {})).toThrow(/Unknown option '--web.listen-adress'.*see --help/);
  });
});
