import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CLI, startExporter } from '../../support/exporter.js';

function cli(...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { PATH: process.env['PATH'] } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the ide-monitor program', () => {
  it('exits 0 within 5 s of SIGTERM, after an in-flight scrape', async () => {
    const exporter = await startExporter();
    const scrape = fetch(`${exporter.url}/metrics`).then((r) => r.status);
    const started = Date.now();
    exporter.process.child.kill('SIGTERM');
    const code = await exporter.process.exited;
    expect(Date.now() - started).toBeLessThan(5000);
    expect(code).toBe(0);
    expect(await scrape.catch(() => 'connection closed')).toBeDefined();
    expect(exporter.process.output()).toContain('msg=stopped');
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

  it('lists every flag with its default in --help, and rejects unknown flags with exit 2', () => {
    const help = cli('serve', '--help');
    expect(help.code).toBe(0);
    for (const flag of ['--web.listen-address', '--web.telemetry-path', '--web.config.file', '--log.level', '--log.format', '--config.file', '--[no-]collector.cpu', '--[no-]collector.filesystem']) {
      expect(help.stdout).toContain(flag);
    }
    expect(help.stdout).toContain('default ":10451"');
    const bad = cli('serve', '--bogus');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("Unknown option '--bogus'");
  });

  it('answers "not built yet" with exit 2 for subcommands later work fills', () => {
    expect(cli('lsp-proxy', '--', 'true')).toMatchObject({ code: 2, stderr: 'ide-monitor lsp-proxy: not built yet\n' });
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
