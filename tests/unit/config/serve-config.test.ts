import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveServeConfig } from '../../../src/commands/serve.js';
import { problemsOf } from '../../support/config-problems.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ide-monitor-serve-config-'));
let n = 0;
function file(text: string): string {
  const name = path.join(dir, `config-${n++}.yml`);
  writeFileSync(name, text);
  return name;
}
/** Every config here runs without the bridge unless it says so, so the data-dir check stays out of the way. */
const noBridge = 'bridge: { enabled: false }\n';
function resolve(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const resolved = resolveServeConfig(argv, env);
  if (resolved.help) throw new Error('unexpected --help');
  return resolved.config;
}

describe('remote write settings', () => {
  it("adds repeatable --remote-write.url flags to the file's remote_write: list, with Prometheus' defaults", () => {
    const config = file(`${noBridge}remote_write:\n  - url: https://mimir.example/api/v1/push\n    basic_auth: { username: u, password: p }\n`);
    const c = resolve([`--config.file=${config}`, '--remote-write.url=http://a.example/api/v1/write', '--remote-write.url', 'http://b.example/api/v1/write']);
    expect(c.remote_write.map((e) => e.url)).toEqual(['https://mimir.example/api/v1/push', 'http://a.example/api/v1/write', 'http://b.example/api/v1/write']);
    expect(c.remote_write[1]).toMatchObject({
      remote_timeout: 30_000,
      queue_config: { capacity: 100_000, max_samples_per_send: 2000, min_backoff: 30, max_backoff: 5000 },
    });
    expect(c.global).toEqual({ external_labels: {}, remote_write_interval: 15_000 });
  });

  it('takes URLs and external labels from the environment, flags winning', () => {
    const env = {
      IDE_MONITOR_REMOTE_WRITE_URL: 'http://a.example/w http://b.example/w',
      IDE_MONITOR_REMOTE_WRITE_EXTERNAL_LABELS: 'user=alice, machine=laptop-1',
      IDE_MONITOR_BRIDGE_ENABLED: 'false',
    };
    const c = resolve(['--remote-write.interval=30s'], env);
    expect(c.remote_write.map((e) => e.url)).toEqual(['http://a.example/w', 'http://b.example/w']);
    expect(c.global).toEqual({ external_labels: { user: 'alice', machine: 'laptop-1' }, remote_write_interval: 30_000 });
    const flagged = resolve(['--remote-write.url=http://c.example/w', '--remote-write.external-label=user=bob'], env);
    expect(flagged.remote_write.map((e) => e.url)).toEqual(['http://c.example/w']);
    expect(flagged.global.external_labels).toEqual({ user: 'bob' });
  });

  it('names the flag, file line or path of each bad remote-write setting', () => {
    expect(problemsOf(() => resolve(['--no-bridge.enabled', '--remote-write.url=ftp://x']))).toEqual([
      'flag --remote-write.url remote_write.0.url: must be an http:// or https:// URL',
    ]);
    expect(problemsOf(() => resolve(['--no-bridge.enabled', '--remote-write.external-label=user']))).toEqual([
      'flag --remote-write.external-label global.external_labels: expected NAME=VALUE, got "user"',
    ]);
    expect(problemsOf(() => resolve(['--no-bridge.enabled', '--remote-write.external-label=__x=1']))).toEqual([
      'flag --remote-write.external-label global.external_labels.__x: invalid key: label names starting with "__" are reserved',
    ]);
    const both = file(`${noBridge}remote_write:\n  - url: http://x/w\n    bearer_token: t\n    basic_auth: { username: u }\n`);
    expect(problemsOf(() => resolve([`--config.file=${both}`]))).toEqual([
      `${both}:5 remote_write.0.basic_auth.password: needs password or password_file`,
      `${both}:3 remote_write.0: at most one of basic_auth, authorization and bearer_token may be set`,
    ]);
  });
});

describe('what serve would refuse, checked before it starts (and by check-config)', () => {
  it('reads every *_file secret and names the setting of each one that is missing or empty', () => {
    const empty = path.join(dir, 'empty-token');
    writeFileSync(empty, '\n');
    const config = file(
      `${noBridge}ingest:\n  token_file: ${empty}\nremote_write:\n  - url: http://x/w\n    authorization: { credentials_file: ${dir}/missing }\n`,
    );
    expect(problemsOf(() => resolve([`--config.file=${config}`]))).toEqual([
      `${config} ingest.token_file: cannot read ${empty}: the file is empty`,
      `${config} remote_write.0.authorization.credentials_file: cannot read ${dir}/missing: ENOENT`,
    ]);
  });

  it('drops final newlines of a secret file and warns, without the value, about any other whitespace around it', () => {
    const trailing = path.join(dir, 'token-trailing-space');
    writeFileSync(trailing, 's3cret-ingest-token \n');
    const leading = path.join(dir, 'token-blank-first-line');
    writeFileSync(leading, '\n\ts3cret-webhook-token\r\n');
    const clean = path.join(dir, 'token-clean');
    writeFileSync(clean, 's3cret-remote-token\n\n');
    const config = file(
      `bridge: { data_dir: ${dir}, webhook: { token_file: ${leading} } }\ningest:\n  token_file: ${trailing}\nremote_write:\n  - url: http://x/w\n    authorization: { credentials_file: ${clean} }\n`,
    );
    const resolved = resolveServeConfig([`--config.file=${config}`], {});
    if (resolved.help) throw new Error('unexpected --help');
    const tail =
      'with whitespace other than a final newline, which is kept as part of it (clients sending it without that whitespace are refused); remove it if it was not meant';
    expect(resolved.warnings).toEqual([
      { source: config, path: 'ingest.token_file', message: `${trailing}: the secret in this file ends ${tail}` },
      { source: config, path: 'bridge.webhook.token_file', message: `${leading}: the secret in this file starts ${tail}` },
    ]);
    expect(JSON.stringify(resolved.warnings)).not.toContain('s3cret');
  });

  it('refuses a bridge data dir that is a symlink or writable by others, as serve would (check-config and reloads too)', () => {
    const real = mkdtempSync(path.join(dir, 'real-'));
    const link = path.join(dir, 'data-link');
    symlinkSync(real, link);
    const open = mkdtempSync(path.join(dir, 'open-'));
    chmodSync(open, 0o777);
    for (const [dataDir, why] of [
      [link, 'is a symbolic link'],
      [open, 'is writable by its group or by everyone (mode 777; chmod 700 it)'],
    ] as const) {
      const config = file(`bridge: { data_dir: ${dataDir} }\n`);
      expect(problemsOf(() => resolve([`--config.file=${config}`]))).toEqual([
        `${config} bridge.data_dir: ${dataDir} ${why}; use a directory of this user that only it can write (flag --data-dir, env IDE_MONITOR_DATA_DIR)`,
      ]);
    }
  });

  it('refuses a URL secret file that holds no http(s) URL, without echoing it', () => {
    const slack = path.join(dir, 'slack-url');
    writeFileSync(slack, 'xoxb-not-a-url\n');
    const config = file(`${noBridge}`.replace('enabled: false', `enabled: true, data_dir: ${dir}, channels: { slack: { webhook_url_file: ${slack} } }`));
    expect(problemsOf(() => resolve([`--config.file=${config}`]))).toEqual([
      `${config} bridge.channels.slack.webhook_url_file: ${slack} must hold an http:// or https:// URL (value not shown: it is a secret)`,
    ]);
  });

  it('refuses placeholder secrets, inline or in a file, with a line saying so', () => {
    const placeholder = path.join(dir, 'placeholder');
    writeFileSync(placeholder, 'change-me-webhook-token\n');
    const config = file(`bridge:\n  data_dir: ${dir}\n  webhook: { token_file: ${placeholder} }\n`);
    expect(problemsOf(() => resolve([`--config.file=${config}`], { IDE_MONITOR_INGEST_TOKEN: 'change-me-ingest-token' }))).toEqual([
      `${config} ingest.token: is a placeholder (change-me…); set the real secret`,
      `${config} bridge.webhook.token_file: ${placeholder} holds a placeholder (change-me…); put the real secret in it`,
    ]);
  });

  it('refuses a bridge data dir that is a file or cannot be created, naming the setting and its flag', () => {
    const notDir = path.join(dir, 'a-file');
    writeFileSync(notDir, '');
    expect(problemsOf(() => resolve([`--data-dir=${notDir}`]))).toEqual([
      `config bridge.data_dir: ${notDir} is not a directory (flag --data-dir, env IDE_MONITOR_DATA_DIR)`,
    ]);
    expect(problemsOf(() => resolve([`--data-dir=${notDir}/sub`]))).toEqual([
      `config bridge.data_dir: ${notDir}/sub cannot be created: ${notDir} is not a directory (flag --data-dir, env IDE_MONITOR_DATA_DIR)`,
    ]);
    // Root ignores permission bits, so this case only means something for an ordinary user.
    if (process.getuid?.() !== 0) {
      const locked = path.join(dir, 'locked');
      mkdirSync(locked);
      chmodSync(locked, 0o500);
      expect(problemsOf(() => resolve([`--data-dir=${locked}/data`]))).toEqual([
        `config bridge.data_dir: ${locked}/data does not exist and cannot be created: ${locked} is not writable by this user (flag --data-dir, env IDE_MONITOR_DATA_DIR)`,
      ]);
    }
    // A missing directory under a writable parent is fine: the bridge creates it.
    expect(resolve([`--data-dir=${dir}/new/outbox`]).bridge.data_dir).toBe(`${dir}/new/outbox`);
  });

  it('checks the generate config file the status page takes its thresholds from', () => {
    const monitoring = path.join(dir, 'monitoring.yml');
    writeFileSync(monitoring, '_config:\n  thresholds:\n    hostCpuHighUsage: { levels: [{ severity: urgent, value: 0.2, for: 5m }] }\n');
    const problems = problemsOf(() => resolve(['--no-bridge.enabled', `--status.monitoring-config-file=${monitoring}`]));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${monitoring}:3 _config\\.thresholds\\.hostCpuHighUsage\\.levels\\.0\\.severity: must be one of `));
  });

  it('refuses unreadable remote-write TLS files, naming the setting', () => {
    const config = file(`${noBridge}remote_write:\n  - url: https://x/w\n    tls_config: { ca_file: ${dir}/no-ca.pem }\n`);
    expect(problemsOf(() => resolve([`--config.file=${config}`]))).toEqual([
      `${config} remote_write.0.tls_config.ca_file: cannot read ${dir}/no-ca.pem: ENOENT`,
    ]);
  });
});

describe('node_exporter-style collector and exporter-metrics switches', () => {
  it('--collector.disable-defaults turns off every collector not enabled by the file, a variable or a flag', () => {
    const config = file(`${noBridge}collectors:\n  memory: { enabled: true }\n`);
    const c = resolve([`--config.file=${config}`, '--collector.disable-defaults', '--collector.load'], { IDE_MONITOR_COLLECTOR_CPU: 'true' });
    const on = Object.entries(c.collectors)
      .filter(([, v]) => typeof v === 'object' && v.enabled)
      .map(([k]) => k);
    expect(on.sort()).toEqual(['cpu', 'load', 'memory']);
    const all = Object.entries(resolve(['--no-bridge.enabled']).collectors).filter(([, v]) => typeof v === 'object' && v.enabled);
    expect(all.length).toBeGreaterThan(10);
  });

  it('--web.disable-exporter-metrics is a setting like the others', () => {
    expect(resolve(['--no-bridge.enabled', '--web.disable-exporter-metrics']).web.disable_exporter_metrics).toBe(true);
    expect(resolve(['--no-bridge.enabled']).web.disable_exporter_metrics).toBe(false);
  });
});
