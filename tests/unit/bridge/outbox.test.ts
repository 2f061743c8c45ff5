import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { ActionDefinition } from '../../../src/bridge/actions/schema.js';
import { AlertStore } from '../../../src/bridge/alert-store.js';
import type { DeliveryResult } from '../../../src/bridge/channels/notifier.js';
import { openDatabase, type Db } from '../../../src/bridge/db.js';
import { Dispatcher } from '../../../src/bridge/dispatcher.js';
import { Intake, type IntakeOptions } from '../../../src/bridge/intake.js';
import { BridgeMetrics } from '../../../src/bridge/metrics.js';
import { Outbox, type OutboxItem } from '../../../src/bridge/outbox.js';
import { webhookPayloadSchema, type WebhookPayload } from '../../../src/bridge/payload.js';
import { DEFAULT_ROUTES } from '../../../src/bridge/routing.js';
import { silentLogger } from '../../../src/log.js';
import { amFixture } from './fixtures.js';

const dirs: string[] = [];
const dbs: Db[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) if (db.open) db.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function setup(options: Partial<IntakeOptions> = {}, dir = mkdtempSync(path.join(tmpdir(), 'bridge-outbox-'))) {
  if (!dirs.includes(dir)) dirs.push(dir);
  const db = openDatabase(dir);
  dbs.push(db);
  let now = Date.parse('2024-05-01T12:00:00Z');
  const clock = { now: () => now, advance: (ms: number) => (now += ms) };
  const outbox = new Outbox(db, clock.now);
  const alerts = new AlertStore(db, clock.now);
  const intake = new Intake(db, alerts, outbox, {
    routes: DEFAULT_ROUTES,
    channels: new Set(['slack', 'pagerduty', 'webhook']),
    sendResolved: { slack: true, pagerduty: true, webhook: true },
    applicableActions: () => [],
    ...options,
  });
  return { dir, db, outbox, alerts, intake, clock };
}

const payload = (name: string): WebhookPayload => webhookPayloadSchema.parse(amFixture(name));

describe('intake and outbox', () => {
  it('keeps the outbox readable by its owner only: it holds alerts, the audit log and action output', () => {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'bridge-outbox-')), 'data');
    dirs.push(path.dirname(dir));
    const { intake } = setup({}, dir);
    intake.accept(payload('firing-single'));
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const name of readdirSync(dir)) expect(statSync(path.join(dir, name)).mode & 0o777, name).toBe(0o600);
  });

  it('sets SQLite\'s page cache to 2 MB (cache_size -2000), not the 16 MB better-sqlite3 builds in', () => {
    const { db } = setup();
    expect(db.pragma('cache_size', { simple: true })).toBe(-2000);
  });

  it('stores a payload as alert events and one delivery per routed channel: Slack per group, PagerDuty per alert', () => {
    const { intake, outbox } = setup();
    const result = intake.accept(payload('firing-group'));
    expect(result.newEvents).toHaveLength(3);
    expect(Object.fromEntries(result.enqueued)).toEqual({ pagerduty: 3, slack: 1 });
    expect(outbox.pendingStats().map((s) => [s.channel, s.pending]).sort()).toEqual([['pagerduty', 3], ['slack', 1]]);
  });

  it('treats a re-send or an HA peer\'s copy as a duplicate: nothing new is enqueued', () => {
    const { intake } = setup();
    intake.accept(payload('firing-group'));
    const again = intake.accept(payload('firing-group'));
    expect(again.newEvents).toHaveLength(0);
    expect(again.enqueued.size).toBe(0);
    // A later state of the same group (one alert resolved) is new: a Slack message and one PagerDuty resolve.
    const next = intake.accept(payload('firing-and-resolved'));
    expect(next.newEvents.map((a) => a.status)).toEqual(['resolved']);
    expect(Object.fromEntries(next.enqueued)).toEqual({ pagerduty: 1, slack: 1 });
  });

  it('claims in order per order key: a later delivery of a group waits for the earlier one, even during its backoff', () => {
    const { intake, outbox, clock } = setup({ channels: new Set(['slack']) });
    intake.accept(payload('firing-single'));
    intake.accept(payload('truncated'));
    intake.accept(payload('firing-group'));
    const first = outbox.claim('slack', 10);
    // One per group: the CPU group's second message waits behind its first.
    expect(first.map((i) => i.id)).toEqual([1, 2]);
    expect(outbox.claim('slack', 10)).toEqual([]);
    outbox.scheduleRetry(1, 5000, 'HTTP 500');
    outbox.markDelivered(2);
    expect(outbox.claim('slack', 10)).toEqual([]);
    expect(outbox.nextDue('slack')).toBe(clock.now() + 5000);
    clock.advance(5000);
    const retried = outbox.claim('slack', 10);
    expect(retried.map((i) => [i.id, i.attempts])).toEqual([[1, 1]]);
    outbox.markDelivered(1);
    expect(outbox.claim('slack', 10).map((i) => i.id)).toEqual([3]);
  });

  it('after a crash, requeues claimed notifications and finishes claimed actions as interrupted instead of re-running them', () => {
    const definition = { name: 'restart-indexer', trigger: { exec: { argv: ['true'] } }, timeout: 1000, cooldown: 0 } as unknown as ActionDefinition;
    const first = setup({ applicableActions: () => [definition] });
    first.intake.accept(payload('firing-single'));
    expect(first.outbox.claim('pagerduty', 10)).toHaveLength(1);
    expect(first.outbox.claim('action', 10)).toHaveLength(1);
    first.db.close(); // the process dies here
    const second = setup({}, first.dir);
    const { requeued, interruptedActions } = second.outbox.reclaim();
    expect(requeued).toBe(1);
    expect(interruptedActions.map((i) => i.dedupKey)).toEqual(['restart-indexer|trigger|bd8eabb4e0dccbec|2024-05-01T12:00:00Z']);
    expect(second.outbox.claim('pagerduty', 10)).toHaveLength(1);
    expect(second.outbox.claim('action', 10)).toHaveLength(0);
    // The dedup keys survived the restart too.
    expect(second.intake.accept(payload('firing-single')).enqueued.size).toBe(0);
  });

  it('keeps the newest state per alert: a late firing event does not undo a resolve', () => {
    const { intake, alerts } = setup();
    intake.accept(payload('resolved-group'));
    intake.accept(payload('firing-group'));
    expect(alerts.firing()).toEqual([]);
    expect(alerts.get('bd8eabb4e0dccbec')?.status).toBe('resolved');
  });
});

describe('the dispatcher', () => {
  function dispatcherWith(results: DeliveryResult[], policy = { initialBackoffMs: 10, maxBackoffMs: 20, maxAttempts: 3, maxAgeMs: 60_000 }) {
    const env = setup({ channels: new Set(['pagerduty']) });
    // Real time for the dispatcher: rebuild the outbox on the wall clock.
    const outbox = new Outbox(env.db);
    const alerts = new AlertStore(env.db);
    const registry = new Registry();
    const metrics = new BridgeMetrics(registry, () => outbox, ['pagerduty', 'action']);
    const seen: OutboxItem[] = [];
    /** When each attempt in `seen` started (Date.now, the dispatcher's clock). */
    const seenAt: number[] = [];
    const dispatcher = new Dispatcher(
      [{ channel: 'pagerduty', concurrency: 2, minIntervalMs: 0, oneShot: false, deliver: async (item) => (seen.push(item), seenAt.push(Date.now()), results.shift() ?? { outcome: 'delivered' }) }],
      { outbox, alerts, metrics, policy, logger: silentLogger },
    );
    const intake = new Intake(env.db, alerts, outbox, {
      routes: DEFAULT_ROUTES,
      channels: new Set(['pagerduty']),
      sendResolved: { slack: true, pagerduty: true, webhook: true },
      applicableActions: () => [],
    });
    return { ...env, outbox, alerts, registry, dispatcher, intake, seen, seenAt };
  }

  const counter = async (registry: Registry, outcome: string) =>
    (await registry.getSingleMetric('ide_bridge_notifications_total')!.get()).values.find((v) => v.labels['outcome'] === outcome)?.value ?? 0;
  const settle = async (check: () => boolean | Promise<boolean>) => {
    for (let i = 0; i < 200 && !(await check()); i++) await new Promise((r) => setTimeout(r, 10));
  };

  it('retries a retryable failure with backoff and delivers it, counting each outcome', async () => {
    const t = dispatcherWith([{ outcome: 'retry', reason: 'HTTP 500' }]);
    t.dispatcher.start();
    t.intake.accept(payload('firing-single'));
    t.dispatcher.wake(['pagerduty']);
    await settle(async () => (await counter(t.registry, 'delivered')) === 1);
    expect(await counter(t.registry, 'retried')).toBe(1);
    expect(await counter(t.registry, 'delivered')).toBe(1);
    expect(t.seen.map((i) => i.attempts)).toEqual([0, 1]);
    expect(t.outbox.state(1)).toMatchObject({ state: 'delivered', attempts: 2, lastError: null });
    await t.dispatcher.stop(1000);
  });

  it('records a result the store refused once it accepts writes again, so the resolve behind it is not held until a restart', async () => {
    const t = dispatcherWith([]);
    const markDelivered = t.outbox.markDelivered.bind(t.outbox);
    let refusals = 1;
    t.outbox.markDelivered = (id: number) => {
      if (refusals-- > 0) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
      markDelivered(id);
    };
    const firing = payload('firing-single');
    const resolved: WebhookPayload = { ...firing, status: 'resolved', alerts: firing.alerts.map((a) => ({ ...a, status: 'resolved', endsAt: '2024-05-01T12:05:00Z' })) };
    t.dispatcher.start();
    t.intake.accept(firing);
    t.intake.accept(resolved);
    t.dispatcher.wake(['pagerduty']);
    await settle(async () => (await counter(t.registry, 'delivered')) === 2);
    expect(t.seen.map((i) => JSON.parse(i.body).alert.status)).toEqual(['firing', 'resolved']);
    expect([t.outbox.state(1)?.state, t.outbox.state(2)?.state]).toEqual(['delivered', 'delivered']);
    await t.dispatcher.stop(1000);
  });

  it('dead-letters a rejected event at once, with the reason in the audit log', async () => {
    const t = dispatcherWith([{ outcome: 'give_up', reason: 'HTTP 400: invalid event' }]);
    t.dispatcher.start();
    t.intake.accept(payload('firing-single'));
    t.dispatcher.wake(['pagerduty']);
    await settle(async () => (await counter(t.registry, 'failed')) === 1);
    expect(await counter(t.registry, 'failed')).toBe(1);
    expect(t.seen).toHaveLength(1);
    expect(t.outbox.state(1)).toMatchObject({ state: 'dead', attempts: 1, lastError: 'rejected: HTTP 400: invalid event' });
    expect(t.alerts.auditLog(10, undefined, 'dead_letter').map((e) => (e.detail as { reason: string }).reason)).toEqual(['rejected: HTTP 400: invalid event']);
    await t.dispatcher.stop(1000);
  });

  it('dead-letters a retried event after the last attempt', async () => {
    const failure: DeliveryResult = { outcome: 'retry', reason: 'HTTP 503' };
    const t = dispatcherWith([failure, failure, failure]);
    t.dispatcher.start();
    t.intake.accept(payload('firing-single'));
    t.dispatcher.wake(['pagerduty']);
    await settle(async () => (await counter(t.registry, 'dead_lettered')) === 1);
    expect(await counter(t.registry, 'retried')).toBe(2);
    expect(await counter(t.registry, 'dead_lettered')).toBe(1);
    expect(t.outbox.state(1)).toMatchObject({ state: 'dead', attempts: 3, lastError: 'gave up after 3 attempts; last error: HTTP 503' });
    await t.dispatcher.stop(1000);
  });

  it('pauses the whole channel for a Retry-After', async () => {
    const t = dispatcherWith([{ outcome: 'retry', reason: 'HTTP 429', retryAfterMs: 400 }]);
    t.dispatcher.start();
    const started = Date.now();
    t.intake.accept(payload('firing-group'));
    t.dispatcher.wake(['pagerduty']);
    await settle(async () => (await counter(t.registry, 'delivered')) === 3);
    expect(await counter(t.registry, 'delivered')).toBe(3);
    // The 429 came on the first request; the second was already in flight beside it. Everything after (the
    // third alert, a different order key, and the retry) waited out the Retry-After with it.
    expect(t.seen).toHaveLength(4);
    expect(t.seen.slice(2).map((i) => i.id).sort()).toEqual([t.seen[0]!.id, 3].sort());
    // Timers may fire a millisecond early by Date.now().
    for (const at of t.seenAt.slice(2)) expect(at - t.seenAt[0]!).toBeGreaterThanOrEqual(398);
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    await t.dispatcher.stop(1000);
  });
});
