import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ActionRunner } from '../../../../src/bridge/actions/runner.js';
import { silentLogger } from '../../../../src/log.js';
import { alert, definition, FIXTURES } from './fixtures.js';

const work = mkdtempSync(join(tmpdir(), 'ide-actions-runner-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const noop = { exec: { argv: ['true'] } };

/** A clock the test moves by hand. */
function manualClock(start = Date.parse('2024-05-01T10:00:00Z')) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('ActionRunner cooldown', () => {
  const scale = definition({ name: 'scale', trigger: noop, rollback: noop, cooldown: '5m' });

  it('skips a second trigger for the same alert within the cooldown, not for another alert', async () => {
    const clock = manualClock();
    const runner = new ActionRunner({ definitions: [scale], dryRun: false, maxConcurrent: 2, logger: silentLogger, now: clock.now });
    expect((await runner.run(scale, 'trigger', alert({ fingerprint: 'a' }))).outcome).toBe('succeeded');
    clock.advance(60_000);
    const skipped = await runner.run(scale, 'trigger', alert({ fingerprint: 'a' }));
    expect(skipped).toMatchObject({
      outcome: 'skipped_cooldown',
      durationMs: 0,
      error: 'triggered 60s ago for this alert; cooldown is 300s',
      startedAt: '2024-05-01T10:01:00.000Z',
    });
    expect((await runner.run(scale, 'trigger', alert({ fingerprint: 'b' }))).outcome).toBe('succeeded');
    clock.advance(240_000); // exactly 5m after the first trigger
    expect((await runner.run(scale, 'trigger', alert({ fingerprint: 'a' }))).outcome).toBe('succeeded');
  });

  it('never holds back a rollback', async () => {
    const clock = manualClock();
    const runner = new ActionRunner({ definitions: [scale], dryRun: true, maxConcurrent: 1, logger: silentLogger, now: clock.now });
    expect((await runner.run(scale, 'trigger', alert())).outcome).toBe('dry_run');
    expect((await runner.run(scale, 'rollback', alert({ status: 'resolved' }))).outcome).toBe('dry_run');
    expect((await runner.run(scale, 'rollback', alert({ status: 'resolved' }))).outcome).toBe('dry_run');
    expect((await runner.run(scale, 'trigger', alert())).outcome).toBe('skipped_cooldown');
  });

  it('holds back duplicate triggers that arrive together', async () => {
    const runner = new ActionRunner({ definitions: [scale], dryRun: false, maxConcurrent: 1, logger: silentLogger });
    const outcomes = (await Promise.all([1, 2, 3].map(() => runner.run(scale, 'trigger', alert())))).map((r) => r.outcome);
    expect(outcomes).toEqual(['succeeded', 'skipped_cooldown', 'skipped_cooldown']);
  });
});

describe('ActionRunner concurrency', () => {
  it('never runs more than maxConcurrent commands at once (measured by the commands)', async () => {
    const dir = join(work, 'slots');
    mkdirSync(join(dir, 'running'), { recursive: true });
    const slow = definition({ name: 'slow', trigger: { exec: { argv: [process.execPath, join(FIXTURES, 'count-concurrent.mjs'), dir, '2', '1000'] } } });
    const runner = new ActionRunner({ definitions: [slow], dryRun: false, maxConcurrent: 2, logger: silentLogger });
    const records = await Promise.all([1, 2, 3, 4, 5].map((n) => runner.run(slow, 'trigger', alert({ fingerprint: `fp-${n}` }))));
    expect(records.map((r) => r.outcome)).toEqual(Array(5).fill('succeeded'));
    const seen = readFileSync(join(dir, 'seen.log'), 'utf8').trim().split('\n').map(Number);
    expect(seen).toHaveLength(5);
    expect(Math.max(...seen)).toBe(2); // the limit was reached, and never exceeded
  });

  it('refuses with a failed record, not silently, when the queue is full', async () => {
    const wait = definition({ name: 'wait', trigger: { exec: { argv: ['sleep', '0.2'] } } });
    const runner = new ActionRunner({ definitions: [wait], dryRun: false, maxConcurrent: 1, maxQueued: 1, logger: silentLogger });
    const records = await Promise.all([1, 2, 3].map((n) => runner.run(wait, 'trigger', alert({ fingerprint: `q-${n}` }))));
    expect(records.map((r) => r.outcome)).toEqual(['succeeded', 'succeeded', 'failed']);
    expect(records[2]?.error).toBe('not run: 1 actions already waiting for one of 1 slots (limit 1)');
    // The refused trigger did not start its cooldown: a later retry runs.
    expect((await runner.run(wait, 'trigger', alert({ fingerprint: 'q-3' }))).outcome).toBe('succeeded');
  });

  it('close() waits for the running action and fails the queued ones with a record', async () => {
    const out = join(work, 'close.txt');
    const write = definition({
      name: 'write',
      trigger: { exec: { argv: [process.execPath, '-e', `setTimeout(() => require('fs').writeFileSync(${JSON.stringify(out)}, 'done'), 300)`] } },
    });
    const runner = new ActionRunner({ definitions: [write], dryRun: false, maxConcurrent: 1, logger: silentLogger });
    const first = runner.run(write, 'trigger', alert({ fingerprint: 'c-1' }));
    const queued = runner.run(write, 'trigger', alert({ fingerprint: 'c-2' }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await runner.close();
    expect(readFileSync(out, 'utf8')).toBe('done');
    expect((await first).outcome).toBe('succeeded');
    expect(await queued).toMatchObject({ outcome: 'failed', error: 'not run: the action runner shut down before this action could start' });
    expect(await runner.run(write, 'trigger', alert({ fingerprint: 'c-3' }))).toMatchObject({
      outcome: 'failed',
      error: 'not run: the action runner is shutting down',
    });
  });
});

describe('ActionRunner dry run', () => {
  it('records what would run, with inserted values, and runs nothing', async () => {
    const marker = join(work, 'dry-run-marker');
    const definitions = [
      definition({
        name: 'breaker',
        trigger: {
          http: {
            method: 'PUT',
            url: 'http://user:pw@breaker.internal/breakers/{{ labels.job }}/open?token=s3cret',
            body: { reason: '{{ annotations.summary }}', job: '{{ labels.job }}' },
          },
        },
      }),
      definition({ name: 'touch', trigger: { exec: { argv: ['touch', marker], working_dir: '/tmp', env: { TOKEN: 'secret' } } } }),
    ];
    const runner = new ActionRunner({ definitions, dryRun: true, maxConcurrent: 1, logger: silentLogger });
    const fired = alert({ labels: { alertname: 'IdeLspErrors', job: 'ide lsp/1' }, annotations: { summary: 'Errors "high".' } });
    const [http, exec] = await Promise.all(runner.applicable(fired).map((d) => runner.run(d, 'trigger', fired)));
    expect(http).toMatchObject({
      action: 'breaker',
      kind: 'http',
      outcome: 'dry_run',
      alertname: 'IdeLspErrors',
      target: 'PUT http://breaker.internal/breakers/ide%20lsp%2F1/open',
      outputExcerpt: 'body: {"reason":"Errors \\"high\\".","job":"ide lsp/1"}',
    });
    expect(exec).toMatchObject({ action: 'touch', kind: 'exec', outcome: 'dry_run', target: `touch ${marker}` });
    expect(exec?.outputExcerpt).toBe(
      [
        'working_dir=/tmp',
        'ALERT_ALERTNAME="IdeLspErrors"',
        'ALERT_JOB="ide lsp/1"',
        'ALERT_STATUS="firing"',
        'ALERT_FINGERPRINT="fp-1"',
        'ALERT_PHASE="trigger"',
      ].join('\n'),
    );
    expect(exec?.outputExcerpt).not.toContain('secret');
    expect(() => readFileSync(marker)).toThrow();
  });

  it('records a rollback of an action without one as failed, without throwing', async () => {
    const only = definition({ name: 'restart', trigger: noop });
    const runner = new ActionRunner({ definitions: [only], dryRun: false, maxConcurrent: 1, logger: silentLogger });
    expect(await runner.run(only, 'rollback', alert({ status: 'resolved' }))).toMatchObject({
      outcome: 'failed',
      kind: 'exec',
      error: 'action "restart" has no rollback step',
    });
  });
});
