import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { alertVariableName } from '../../../../src/bridge/actions/exec.js';
import { ActionRunner } from '../../../../src/bridge/actions/runner.js';
import { silentLogger } from '../../../../src/log.js';
import { waitFor } from '../../../support/ports.mjs';
import { alert, definition, FIXTURES } from './fixtures.js';

const work = mkdtempSync(join(tmpdir(), 'ide-actions-exec-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const runner = () => new ActionRunner({ definitions: [], dryRun: false, maxConcurrent: 4, logger: silentLogger, killGraceMs: 300 });

interface Invocation {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  stdin: string;
}

/** Pids of processes whose command line is exactly `argv` (read from /proc, so no shell or ps is involved). */
function pidsOf(argv: readonly string[]): number[] {
  const wanted = argv.join('\0');
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0$/, '') === wanted;
      } catch {
        return false; // exited while we looked
      }
    })
    .map(Number);
}

describe('exec actions', () => {
  it('passes hostile label text only as inert data in ALERT_* and stdin', async () => {
    const sideEffect = join(tmpdir(), `pwned-${randomUUID()}`);
    const hostile = {
      semicolon: '; rm -rf / ;',
      subshell: `$(touch ${sideEffect})`,
      backticks: `\`touch ${sideEffect}\``,
      chain: `x && touch ${sideEffect} || touch ${sideEffect}`,
      pipe: `| tee ${sideEffect}`,
      newline: `a\ntouch ${sideEffect}\n`,
      quotes: `'"\\ $HOME \${PATH}`,
      unicode: 'ünïcødé ✓ 😀',
    };
    const out = join(work, 'invocation.json');
    const record = await runner().run(
      definition({
        name: 'restart-indexer',
        trigger: { exec: { argv: [process.execPath, join(FIXTURES, 'record-invocation.mjs'), out, 'static-arg'], working_dir: work, env: { MODE: 'safe' } } },
      }),
      'trigger',
      alert({ labels: { alertname: 'IdeIndexerStuck', instance: 'ide-1', ...hostile }, annotations: { summary: hostile.subshell } }),
    );
    expect(record).toMatchObject({ action: 'restart-indexer', kind: 'exec', outcome: 'succeeded', exitCode: 0, alertname: 'IdeIndexerStuck' });
    expect(existsSync(sideEffect)).toBe(false);

    const seen = JSON.parse(readFileSync(out, 'utf8')) as Invocation;
    expect(seen.argv).toEqual(['static-arg']);
    expect(realpathSync(seen.cwd)).toBe(realpathSync(work));
    for (const [label, text] of Object.entries(hostile)) expect(seen.env[alertVariableName(label)]).toBe(text);
    expect(seen.env).toMatchObject({
      ALERT_STATUS: 'firing',
      ALERT_FINGERPRINT: 'fp-1',
      ALERT_PHASE: 'trigger',
      ALERT_ALERTNAME: 'IdeIndexerStuck',
      MODE: 'safe',
    });
    // Minimal environment: nothing of ours leaks beyond PATH, HOME, LANG and the configured variables.
    const allowed = new Set(['PATH', 'HOME', 'LANG', 'MODE']);
    expect(Object.keys(seen.env).filter((name) => !name.startsWith('ALERT_') && !allowed.has(name))).toEqual([]);
    expect(seen.stdin.endsWith('\n')).toBe(true);
    const stdinAlert = JSON.parse(seen.stdin) as { labels: Record<string, string>; annotations: Record<string, string>; fingerprint: string };
    expect(stdinAlert.labels).toMatchObject(hostile);
    expect(stdinAlert.annotations.summary).toBe(hostile.subshell);
    expect(stdinAlert.fingerprint).toBe('fp-1');
  });

  it('sets ALERT_PHASE=rollback and lets reserved variables win over look-alike labels', async () => {
    const out = join(work, 'rollback.json');
    const step = { exec: { argv: [process.execPath, join(FIXTURES, 'record-invocation.mjs'), out] } };
    const record = await runner().run(
      definition({ name: 'r', trigger: step, rollback: step }),
      'rollback',
      alert({ status: 'resolved', labels: { phase: 'trigger', Status: 'firing', 'team-name': 'lsp' } }),
    );
    expect(record.outcome).toBe('succeeded');
    const seen = JSON.parse(readFileSync(out, 'utf8')) as Invocation;
    expect(seen.env).toMatchObject({ ALERT_PHASE: 'rollback', ALERT_STATUS: 'resolved', ALERT_TEAM_NAME: 'lsp' });
  });

  it('records a non-zero exit with its code and an output excerpt', async () => {
    const script = "process.stdout.write('checking indexer\\n'); process.stderr.write('error: indexer socket missing\\n'); process.exit(3)";
    const record = await runner().run(definition({ name: 'fails', trigger: { exec: { argv: [process.execPath, '-e', script] } } }), 'trigger', alert());
    expect(record).toMatchObject({ outcome: 'failed', exitCode: 3, error: 'exited with code 3' });
    expect(record.outputExcerpt).toContain('checking indexer\n');
    expect(record.outputExcerpt).toContain('error: indexer socket missing\n');
    expect(record.target).toBe(`${process.execPath} -e ${JSON.stringify(script)}`);
  });

  it('keeps a bounded excerpt of a chatty command: its start and its end', async () => {
    const script = "process.stdout.write('BEGIN' + 'a'.repeat(200000) + 'END')";
    const record = await runner().run(definition({ name: 'chatty', trigger: { exec: { argv: [process.execPath, '-e', script] } } }), 'trigger', alert());
    expect(record.outcome).toBe('succeeded');
    expect(record.outputExcerpt.startsWith('BEGIN')).toBe(true);
    expect(record.outputExcerpt.endsWith('END')).toBe(true);
    expect(record.outputExcerpt).toContain('bytes omitted');
    expect(Buffer.byteLength(record.outputExcerpt)).toBeLessThan(4200);
  });

  it('fails, without running, when a label cannot be an environment variable (NUL byte)', async () => {
    const out = join(work, 'nul.json');
    const record = await runner().run(
      definition({ name: 'nul', trigger: { exec: { argv: [process.execPath, join(FIXTURES, 'record-invocation.mjs'), out] } } }),
      'trigger',
      alert({ labels: { instance: 'ide-1\0; reboot' } }),
    );
    expect(record.outcome).toBe('failed');
    expect(record.error).toMatch(/^could not start .*null bytes/);
    expect(existsSync(out)).toBe(false);
  });

  it('records a missing program as failed', async () => {
    const record = await runner().run(definition({ name: 'missing', trigger: { exec: { argv: ['/nonexistent/restart-indexer'] } } }), 'trigger', alert());
    expect(record.outcome).toBe('failed');
    expect(record.error).toMatch(/^could not start \/nonexistent\/restart-indexer: .*ENOENT/);
  });

  it('kills `sleep` at its timeout: the process is really gone', async () => {
    const argv = ['sleep', `30.${Date.now() % 100_000}`];
    const running = runner().run(definition({ name: 'sleepy', trigger: { exec: { argv } }, timeout: '400ms' }), 'trigger', alert());
    await waitFor('sleep to start', async () => pidsOf(argv).length === 1, 3000, 20);
    const started = Date.now();
    const record = await running;
    expect(record).toMatchObject({ outcome: 'timed_out', error: 'killed after the timeout of 400ms' });
    expect(Date.now() - started).toBeLessThan(1500);
    expect(pidsOf(argv)).toEqual([]);
  });

  it('escalates to SIGKILL for a command that ignores SIGTERM, and stops what it started', async () => {
    const child = ['sleep', `31.${Date.now() % 100_000}`];
    // The parent ignores SIGTERM and starts a grandchild; both must be gone after timeout + grace.
    const script = `process.on('SIGTERM', () => {}); require('child_process').spawn(${JSON.stringify(child[0])}, [${JSON.stringify(child[1])}], { stdio: 'inherit' }); setInterval(() => {}, 1000)`;
    const argv = [process.execPath, '-e', script];
    const started = Date.now();
    const running = runner().run(definition({ name: 'stubborn', trigger: { exec: { argv } }, timeout: '600ms' }), 'trigger', alert());
    await waitFor('the grandchild to start', async () => pidsOf(child).length === 1, 3000, 20);
    const record = await running;
    expect(record.outcome).toBe('timed_out');
    expect(Date.now() - started).toBeLessThan(2500);
    await waitFor('the process group to be gone', async () => pidsOf(argv).length === 0 && pidsOf(child).length === 0, 1000, 20);
  });
});
