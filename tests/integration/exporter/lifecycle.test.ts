import { mkdtempSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { CLI, startExporter } from '../../support/exporter.js';

function cli(...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { PATH: process.env['PATH'] } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the ide-monitor program', () => {
  it('answers a scrape that was under way when SIGTERM came, then exits 0 within 5 s', async () => {
    // A procfs whose loadavg is a FIFO: a scrape blocks reading it until the test writes a line. The read
    // is synchronous, so the signal is handled only after it: this proves the signal path end to end
    // (answer not lost, exit code, time); that stop() itself waits is proven in unit/exporter/server.test.ts.
    const procfs = mkdtempSync(path.join(tmpdir(), 'ide-monitor-procfs-'));
    const fifo = path.join(procfs, 'loadavg');
    spawnSync('mkfifo', [fifo]);
    const feed = () => writeFile(fifo, '0.5 0.25 0.125 1/100 4242\n');
    const warmUp = feed();
    // The status page samples by scraping every second; here only the test's own scrapes may read the FIFO.
    const exporter = await startExporter({ args: [`--path.procfs=${procfs}`, '--no-collector.hostinfo', '--no-status.enabled'] });
    await warmUp;
    const socket = connect(exporter.port, '127.0.0.1');
    let response = '';
    socket.on('data', (d: Buffer) => (response += d.toString()));
    const closed = new Promise((resolve) => socket.on('close', resolve));
    socket.write('GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await new Promise((r) => setTimeout(r, 300));

    const started = Date.now();
    exporter.process.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    expect(response).toBe('');
    await feed();
    const code = await exporter.process.exited;
    await closed;
    expect(Date.now() - started).toBeLessThan(5000);
    expect(code).toBe(0);
    expect(response).toMatch(/^HTTP\/1.1 200 OK/);
    expect(response).toContain('ide_host_load1 0.5\n');
    expect(exporter.process.output()).toContain('msg=stopped');
  });

  it('after shutdown, ends promptly with a reason when a filesystem call is stuck forever (a dead mount)', async () => {
    // Node joins libuv's threadpool at exit; an async read of a FIFO nobody writes plays the statfs that
    // a dead NFS server never answers.
    const dir = mkdtempSync(path.join(tmpdir(), 'ide-monitor-stuck-'));
    const fifo = path.join(dir, 'never');
    spawnSync('mkfifo', [fifo]);
    const script = `
      import { readFile } from 'node:fs/promises';
      import { createLogger } from ${JSON.stringify(path.resolve('dist/log.js'))};
      import { exitPromptlyDespiteStuckIo } from ${JSON.stringify(path.resolve('dist/commands/stuck-io.js'))};
      readFile(${JSON.stringify(fifo)}).catch(() => {});
      await exitPromptlyDespiteStuckIo(createLogger({ level: 'info', format: 'logfmt' }));
      process.exit(0);`;
    const started = Date.now();
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 10_000 });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result.signal).toBe('SIGKILL');
    expect(result.stderr).toContain('filesystem calls are stuck (a dead mount?); exiting without waiting for them');
  });

  it('refuses to start on a bad config, naming file, line and path; exit 1', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ide-monitor-cfg-'));
    const file = path.join(dir, 'config.yml');
    writeFileSync(file, 'collectors:\n  filesystem:\n    mount_points_exclude: "(["\n');
    const result = cli('serve', `--config.file=${file}`);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`${file}:3 collectors.filesystem.mount_points_exclude: invalid regular expression "([": Unterminated character class\n`);
    const checked = cli('check-config', file);
    expect(checked.code).toBe(1);
    expect(checked.stderr).toBe(result.stderr);
  });

  it('check-config says OK for a good file', () => {
    const good = path.resolve('tests/fixtures/config/good.yml');
    expect(cli('check-config', good)).toEqual({ code: 0, stdout: `${good}: OK\n`, stderr: '' });
  });

  it("warns once, in serve's log and in check-config, when a token file has whitespace besides its final newline", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ide-monitor-token-'));
    const token = path.join(dir, 'ingest-token');
    writeFileSync(token, 'tok-with-space \n');
    const config = path.join(dir, 'config.yml');
    writeFileSync(config, `bridge: { enabled: false }\ningest:\n  token_file: ${token}\n`);
    const warning = `${token}: the secret in this file ends with whitespace other than a final newline`;
    const checked = cli('check-config', config);
    expect(checked.code).toBe(0);
    expect(checked.stdout).toContain(`${config}: warning: ingest.token_file: ${warning}`);
    const exporter = await startExporter({ args: [`--config.file=${config}`, '--no-collector.hostinfo'] });
    try {
      const lines = exporter.process
        .output()
        .split('\n')
        .filter((l) => l.includes(warning));
      expect(lines).toHaveLength(1);
      expect(exporter.process.output()).not.toContain('tok-with-space');
    } finally {
      await exporter.stop();
    }
  });

  it('lists every flag with its default in --help, and rejects unknown flags with exit 2', () => {
    const help = cli('serve', '--help');
    expect(help.code).toBe(0);
    for (const flag of [
      '--web.listen-address',
      '--web.telemetry-path',
      '--web.config.file',
      '--log.level',
      '--log.format',
      '--config.file',
      '--[no-]collector.cpu',
      '--[no-]collector.filesystem',
    ]) {
      expect(help.stdout).toContain(flag);
    }
    expect(help.stdout).toContain('default ":10451"');
    const bad = cli('serve', '--bogus');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("Unknown option '--bogus'");
  });

  it('answers a usage error with exit 2 when lsp-proxy has no server command', () => {
    expect(cli('lsp-proxy')).toMatchObject({ code: 2, stdout: '', stderr: expect.stringContaining('lsp-proxy needs the language server command after "--"') });
  });

  it('turns collectors off with --no-collector.NAME', async () => {
    const exporter = await startExporter({ args: ['--no-collector.cpu', '--no-collector.hostinfo'] });
    try {
      const body = await (await fetch(`${exporter.url}/metrics`)).text();
      expect(body).not.toContain('ide_host_cpu_seconds_total');
      expect(body).not.toContain('collector="cpu"');
      expect(body).toContain('ide_exporter_collector_success{collector="memory"} 1');
    } finally {
      await exporter.stop();
    }
  });
});
