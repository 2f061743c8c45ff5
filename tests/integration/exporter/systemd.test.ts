import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireBinary } from '../../support/binaries.js';
import { CLI } from '../../support/exporter.js';

const analyze = requireBinary('systemd-analyze', 'systemd');
const unit = (name: string) => readFileSync(path.resolve('deploy/systemd', name), 'utf8');

/**
 * `systemd-analyze verify` parses a unit as systemd would and warns about every unknown key or bad value.
 * It also insists that ExecStart exists, so the installed path is swapped for the built CLI.
 */
function verify(name: string, user: boolean): { code: number | null; output: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'ide-monitor-systemd-'));
  const file = path.join(dir, name);
  writeFileSync(file, unit(name).replaceAll('/usr/local/bin/ide-monitor', CLI));
  const runtime = path.join(dir, 'run');
  mkdirSync(runtime, { mode: 0o700 });
  const result = spawnSync(analyze!, ['verify', '--man=no', ...(user ? ['--user'] : []), file], {
    encoding: 'utf8',
    env: { ...process.env, XDG_RUNTIME_DIR: runtime },
  });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

describe.skipIf(analyze === undefined)('the shipped systemd units', () => {
  it('the system unit verifies clean and reloads with SIGHUP', () => {
    expect(verify('ide-monitor.service', false)).toEqual({ code: 0, output: '' });
    expect(unit('ide-monitor.service')).toMatch(/^ExecReload=\/bin\/kill -HUP \$MAINPID$/m);
    expect(unit('ide-monitor.service')).toMatch(/^Environment=IDE_MONITOR_DATA_DIR=\/var\/lib\/ide-monitor$/m);
  });

  it("the user unit verifies clean, reads its EnvironmentFile and keeps the outbox under the user's state dir", () => {
    expect(verify('ide-monitor-user.service', true)).toEqual({ code: 0, output: '' });
    expect(unit('ide-monitor-user.service')).toMatch(/^EnvironmentFile=-%E\/ide-monitor\/env$/m);
    expect(unit('ide-monitor-user.service')).toMatch(/^Environment=IDE_MONITOR_DATA_DIR=%S\/ide-monitor$/m);
  });

  it('every variable the env file names is one serve knows', () => {
    const help = spawnSync(process.execPath, [CLI, 'serve', '--help'], { encoding: 'utf8' }).stdout;
    const names = [...unit('ide-monitor.env').matchAll(/^#?(IDE_MONITOR_[A-Z_]+)=/gm)].map((m) => m[1]!);
    expect(names.length).toBeGreaterThan(5);
    for (const name of names) expect(help).toContain(name);
  });
});
