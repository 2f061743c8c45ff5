import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, startExporter } from '../../support/exporter.js';

function cli(...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { PATH: process.env['PATH'] }, timeout: 20_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
/** The last stderr line: earlier ones are the info log of a start that got as far as listening. */
const lastLine = (text: string) => text.trimEnd().split('\n').at(-1);

describe('serve refuses to start with one line naming the setting, no stack trace; check-config says the same', () => {
  it('port in use (EADDRINUSE)', async () => {
    const first = await startExporter({ args: ['--no-status.enabled'] });
    try {
      const second = cli('serve', `--web.listen-address=127.0.0.1:${first.port}`, '--no-bridge.enabled', '--no-collector.hostinfo');
      expect(second.code).toBe(1);
      expect(lastLine(second.stderr)).toBe(
        `ide-monitor: web.listen_address: cannot listen on 127.0.0.1:${first.port}: the address is already in use (EADDRINUSE); stop the other program or choose another address with --web.listen-address (env IDE_MONITOR_WEB_LISTEN_ADDRESS)`,
      );
      expect(second.stderr).not.toContain('    at ');
    } finally {
      await first.stop();
    }
  });

  it('TLS files unreadable', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ide-monitor-tls-'));
    const web = path.join(dir, 'web.yml');
    writeFileSync(web, 'tls_server_config:\n  cert_file: missing.crt\n  key_file: missing.key\n');
    const result = cli('serve', `--web.config.file=${web}`, '--no-bridge.enabled');
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toBe(`${web} tls_server_config.cert_file: cannot read missing.crt: ENOENT: no such file or directory, open '${dir}/missing.crt'\n`);
  });

  it('the shipped examples/bridge.yml: its secret files are missing here, and check-config says so as serve does', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ide-monitor-data-'));
    const served = cli('serve', '--config.file=examples/bridge.yml', `--data-dir=${dir}`);
    const checked = cli('check-config', 'examples/bridge.yml');
    expect(served.code).toBe(1);
    expect(checked.code).toBe(1);
    expect(checked.stderr).toContain('examples/bridge.yml bridge.webhook.token_file: cannot read /run/secrets/ide-monitor-webhook-token: ENOENT\n');
    expect(served.stderr).toContain('examples/bridge.yml bridge.webhook.token_file: cannot read /run/secrets/ide-monitor-webhook-token: ENOENT\n');
    expect(
      served.stderr
        .split('\n')
        .filter((l) => l !== '')
        .every((l) => l.startsWith('examples/bridge.yml ')),
    ).toBe(true);
  });

  it('a placeholder secret from .env.example', () => {
    const result = cli('serve', '--no-bridge.enabled', '--ingest.token=change-me-ingest-token');
    expect(result).toMatchObject({ code: 1, stderr: 'config ingest.token: is a placeholder (change-me…); set the real secret\n' });
  });

  it('a data dir that is a file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ide-monitor-data-'));
    const file = path.join(dir, 'outbox');
    writeFileSync(file, '');
    expect(cli('serve', `--data-dir=${file}`)).toMatchObject({
      code: 1,
      stderr: `config bridge.data_dir: ${file} is not a directory (flag --data-dir, env IDE_MONITOR_DATA_DIR)\n`,
    });
  });

  it('a data dir that is a symlink (another user could point it at a file of ours)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ide-monitor-data-'));
    mkdirSync(path.join(dir, 'real'), { mode: 0o700 });
    symlinkSync(path.join(dir, 'real'), path.join(dir, 'data'));
    const result = cli('serve', `--data-dir=${path.join(dir, 'data')}`, '--web.listen-address=127.0.0.1:0', '--no-collector.hostinfo');
    expect(result).toMatchObject({
      code: 1,
      stderr: `config bridge.data_dir: ${dir}/data is a symbolic link; use a directory of this user that only it can write (flag --data-dir, env IDE_MONITOR_DATA_DIR)\n`,
    });
  });
});
