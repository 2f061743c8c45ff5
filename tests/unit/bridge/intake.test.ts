import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { actionHandler } from '../../../src/bridge/action-handler.js';
import type { ActionAlert, ActionPhase, ActionRecord } from '../../../src/bridge/actions/model.js';
import type { ActionDefinition } from '../../../src/bridge/actions/schema.js';
import type { DeliveryResult } from '../../../src/bridge/channels/notifier.js';
import { Dispatcher } from '../../../src/bridge/dispatcher.js';
import { Intake, type IntakeOptions } from '../../../src/bridge/intake.js';
import { BridgeMetrics } from '../../../src/bridge/metrics.js';
import { webhookPayloadSchema, type WebhookPayload } from '../../../src/bridge/payload.js';
import { DEFAULT_ROUTES } from '../../../src/bridge/routing.js';
import { SqliteStore } from '../../../src/bridge/store/sqlite.js';
import type { OutboxItem } from '../../../src/bridge/store/types.js';
import { silentLogger } from '../../../src/log.js';
import { amFixture, channelsNamed } from './fixtures.js';

const dirs: string[] = [];
const stores: SqliteStore[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function setup(options: Partial<IntakeOptions> = {}, dir = mkdtempSync(path.join(tmpdir(), 'bridge-intake-'))) {
  if (!dirs.includes(dir)) dirs.push(dir);
  let now = Date.parse('2024-05-01T12:00:00Z');
  const clock = { now: () => now, advance: (ms: number) => (now += ms) };
  const store = new SqliteStore(dir, clock.now);
  stores.push(store);
  const intake = new Intake(store, {
    routes: DEFAULT_ROUTES,
    channels: channelsNamed('slack', 'pagerduty', 'webhook'),
    applicableActions: () => [],
    now: clock.now,
    ...options,
  });
  return { dir, store, intake, clock };
}

const payload = (name: string): WebhookPayload => webhookPayloadSchema.parse(amFixture(name));

describe('the intake', () => {
  it('stores a payload as alert events and one delivery per routed channel: Slack per group, PagerDuty per alert', async () => {
    const { intake, store } = setup();
    const result = await intake.submit(payload('firing-group'));
    expect(result.newEvents).toHaveLength(3);
    expect(Object.fromEntries(result.enqueued)).toEqual({ pagerduty: 3, slack: 1, webhook: 1 });
    expect((await store.pendingStats()).map((s) => [s.channel, s.pending]).sort()).toEqual([
      ['pagerduty', 3],
      ['slack', 1],
      ['webhook', 1],
    ]);
    const [slack] = await store.claim('slack', 1, 1000);
    expect(JSON.parse(slack!.body)).toMatchObject({ kind: 'group', status: 'firing', alerts: [{}, {}, {}] });
  });

  it("treats a re-send or an HA peer's copy as a duplicate: nothing new is enqueued", async () => {
    const { intake } = setup();
    await intake.submit(payload('firing-group'));
    const again = await intake.submit(payload('firing-group'));
    expect(again.newEvents).toHaveLength(0);
    expect(again.enqueued.size).toBe(0);
    // A later state of the same group (one alert resolved) is new: a Slack message and one PagerDuty resolve.
    const next = await intake.submit(payload('firing-and-resolved'));
    expect(next.newEvents.map((a) => a.status)).toEqual(['resolved']);
    expect(Object.fromEntries(next.enqueued)).toEqual({ pagerduty: 1, slack: 1, webhook: 1 });
  });

  it('commits payloads submitted together in one transaction, each answered with its own outcome', async () => {
    const { intake } = setup();
    const results = await Promise.all([
      intake.submit(payload('firing-single')),
      intake.submit(payload('firing-single')),
      intake.submit(payload('firing-group')),
    ]);
    // firing-group carries firing-single's alert again: one event of it is a duplicate.
    expect(results.map((r) => r.newEvents.length)).toEqual([1, 0, 2]);
  });

  it('after a crash, requeues claimed notifications and finishes claimed actions as interrupted instead of re-running them', async () => {
    const definition = { name: 'restart-indexer', trigger: { exec: { argv: ['true'] } }, timeout: 1000, cooldown: 0 } as unknown as ActionDefinition;
    const first = setup({ applicableActions: () => [definition] });
    await first.intake.submit(payload('firing-single'));
    expect(await first.store.claim('pagerduty', 10, 60_000)).toHaveLength(1);
    expect(await first.store.claim('action', 10, 60_000)).toHaveLength(1);
    await first.store.close(); // the process dies here
    const second = setup({}, first.dir);
    const { requeued, interruptedActions } = await second.store.reclaim(true);
    expect(requeued).toBe(1);
    expect(interruptedActions.map((i) => i.dedupKey)).toEqual(['restart-indexer|trigger|bd8eabb4e0dccbec|2024-05-01T12:00:00Z']);
    expect(await second.store.claim('pagerduty', 10, 60_000)).toHaveLength(1);
    expect(await second.store.claim('action', 10, 60_000)).toHaveLength(0);
    // The dedup keys survived the restart too.
    expect((await second.intake.submit(payload('firing-single'))).enqueued.size).toBe(0);
  });

  it('shows the resolution note in the resolve messages of its episode', async () => {
    const { intake, store } = setup({ channels: channelsNamed('slack') });
    const firing = payload('firing-single');
    await intake.submit(firing);
    const alert = firing.alerts[0]!;
    await store.setResolution(alert.fingerprint, alert.startsAt, 'rolled back the plugin');
    await intake.submit({ ...firing, status: 'resolved', alerts: [{ ...alert, status: 'resolved', endsAt: '2024-05-01T12:05:00Z' }] });
    const items = await store.claim('slack', 10, 60_000);
    expect(items).toHaveLength(1);
    const [, resolved] = [items[0], ...(await (async () => (await store.markDelivered(items[0]!.id), store.claim('slack', 10, 60_000)))())];
    expect((JSON.parse(resolved!.body) as { alerts: unknown[] }).alerts[0]).toMatchObject({ status: 'resolved', resolution: 'rolled back the plugin' });
  });

  it("sends an escalated episode's resolve to the escalation's channels too, and starts the clock at intake", async () => {
    const routes = (await import('../../../src/bridge/routing.js')).compileRoutes([
      { match: {}, match_re: {}, channels: ['slack'], actions: false, continue: false, escalate_after: 60_000, escalate_to: ['pagerduty'] },
    ]);
    const { intake, store, clock } = setup({ routes, channels: channelsNamed('slack', 'pagerduty') });
    const firing = payload('firing-single');
    const alert = firing.alerts[0]!;
    const first = await intake.submit(firing);
    expect(Object.fromEntries(first.enqueued)).toEqual({ slack: 1 });
    expect((await store.getAlert(alert.fingerprint))?.escalateAt).toBe(new Date(clock.now() + 60_000).toISOString());
    clock.advance(60_000);
    expect((await store.takeDueEscalations(clock.now(), 10)).map((a) => a.fingerprint)).toEqual([alert.fingerprint]);
    const resolved = await intake.submit({ ...firing, status: 'resolved', alerts: [{ ...alert, status: 'resolved', endsAt: '2024-05-01T12:05:00Z' }] });
    expect(Object.fromEntries(resolved.enqueued)).toEqual({ slack: 1, pagerduty: 1 });
  });
});

describe('actions through the store', () => {
  const definition = {
    name: 'scale',
    trigger: { exec: { argv: ['true'] } },
    rollback: { exec: { argv: ['true'] } },
    timeout: 1000,
    cooldown: 600_000,
  } as unknown as ActionDefinition;
  function handlerWith(store: SqliteStore, clock: { now: () => number }) {
    const runs: string[] = [];
    const runner = {
      applicable: () => [definition],
      run: async (d: ActionDefinition, phase: ActionPhase, alert: ActionAlert): Promise<ActionRecord> => {
        runs.push(`${phase}@${alert.startsAt}`);
        return {
          action: d.name,
          phase,
          fingerprint: alert.fingerprint,
          alertname: '',
          kind: 'exec',
          target: 'true',
          startedAt: '',
          durationMs: 0,
          outcome: 'succeeded',
          outputExcerpt: '',
        };
      },
      close: async () => {},
    };
    const handler = actionHandler(runner, [definition], store, new BridgeMetrics(new Registry(), () => store, ['action']), 1, clock.now);
    return { handler, runs };
  }
  const item = (phase: ActionPhase, startsAt: string): OutboxItem => ({
    id: 1,
    channel: 'action',
    dedupKey: '',
    orderKey: '',
    attempts: 0,
    createdAt: 0,
    body: JSON.stringify({
      action: 'scale',
      phase,
      alert: {
        fingerprint: 'f',
        status: phase === 'trigger' ? 'firing' : 'resolved',
        labels: {},
        annotations: {},
        startsAt,
        endsAt: startsAt,
        generatorURL: '',
      },
    }),
  });

  it('on a flap inside the cooldown: trigger, rollback, then neither the held-back trigger nor its rollback run', async () => {
    const { store, clock } = setup();
    const { handler, runs } = handlerWith(store, clock);
    await handler.deliver(item('trigger', '2024-05-01T12:00:00Z'));
    clock.advance(60_000);
    await handler.deliver(item('rollback', '2024-05-01T12:00:00Z'));
    clock.advance(60_000);
    await handler.deliver(item('trigger', '2024-05-01T12:02:00Z'));
    clock.advance(60_000);
    await handler.deliver(item('rollback', '2024-05-01T12:02:00Z'));
    expect(runs).toEqual(['trigger@2024-05-01T12:00:00Z', 'rollback@2024-05-01T12:00:00Z']);
    const outcomes = (await store.auditLog(10, undefined, 'action')).map((e) => (e.detail as ActionRecord).outcome).reverse();
    expect(outcomes).toEqual(['succeeded', 'succeeded', 'skipped_cooldown', 'skipped_no_trigger']);
  });

  it('keeps the cooldown across a restart (it lives in the store)', async () => {
    const first = setup();
    await handlerWith(first.store, first.clock).handler.deliver(item('trigger', '2024-05-01T12:00:00Z'));
    await first.store.close();
    const second = setup({}, first.dir);
    const { handler, runs } = handlerWith(second.store, { now: () => first.clock.now() + 60_000 });
    await handler.deliver(item('trigger', '2024-05-01T12:01:00Z'));
    expect(runs).toEqual([]);
  });
});

describe('the dispatcher', () => {
  function dispatcherWith(results: DeliveryResult[], policy = { initialBackoffMs: 10, maxBackoffMs: 20, maxAttempts: 3, maxAgeMs: 60_000 }) {
    // Real time for the dispatcher: the store on the wall clock.
    const env = setup({ channels: channelsNamed('pagerduty') });
    const store = new SqliteStore(env.dir);
    stores.push(store);
    const registry = new Registry();
    const metrics = new BridgeMetrics(registry, () => store, ['pagerduty', 'action']);
    const seen: OutboxItem[] = [];
    /** When each attempt in `seen` started (Date.now, the dispatcher's clock). */
    const seenAt: number[] = [];
    const dispatcher = new Dispatcher(
      [
        {
          channel: 'pagerduty',
          concurrency: 2,
          minIntervalMs: 0,
          oneShot: false,
          deliver: async (item) => (seen.push(item), seenAt.push(Date.now()), results.shift() ?? { outcome: 'delivered' }),
        },
      ],
      { store, metrics, policy, leaseMs: 60_000, logger: silentLogger },
    );
    const intake = new Intake(store, { routes: DEFAULT_ROUTES, channels: channelsNamed('pagerduty'), applicableActions: () => [] });
    return { ...env, store, registry, dispatcher, intake, seen, seenAt };
  }

  const counter = async (registry: Registry, outcome: string) =>
    (await registry.getSingleMetric('ide_bridge_notifications_total')!.get()).values.find((v) => v.labels['outcome'] === outcome)?.value ?? 0;
  const settle = async (check: () => boolean | Promise<boolean>) => {
    for (let i = 0; i < 200 && !(await check()); i++) await new Promise((r) => setTimeout(r, 10));
  };

  it('replaces a handler on reload only after the delivery the old one has in flight ends, and sends later ones with the new', async () => {
    const t = dispatcherWith([]);
    let release: () => void = () => {};
    const oldSeen: number[] = [];
    const slowOld = { channel: 'pagerduty', concurrency: 1, minIntervalMs: 0, oneShot: false } as const;
    await t.dispatcher.replaceHandlers([
      { ...slowOld, deliver: async (item) => (oldSeen.push(item.id), await new Promise<void>((r) => (release = r)), { outcome: 'delivered' as const }) },
    ]);
    t.dispatcher.start();
    await t.intake.submit(payload('firing-single'));
    t.dispatcher.wake(['pagerduty']);
    await settle(() => oldSeen.length === 1);
    const newSeen: number[] = [];
    let replaced = false;
    const replacing = t.dispatcher
      .replaceHandlers([{ ...slowOld, deliver: async (item) => (newSeen.push(item.id), { outcome: 'delivered' as const }) }])
      .then(() => (replaced = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(replaced).toBe(false);
    release();
    await replacing;
    await t.intake.submit(payload('resolved-group'));
    t.dispatcher.wake(['pagerduty']);
    await settle(() => newSeen.length > 0);
    expect(oldSeen).toEqual([1]);
    expect(newSeen.length).toBeGreaterThan(0);
    expect(newSeen).not.toContain(1);
    await t.dispatcher.stop(1000);
  });

  it('retries a retryable failure with backoff and delivers it, counting each outcome', async () => {
    const t = dispatcherWith([{ outcome: 'retry', reason: 'HTTP 500' }]);
    t.dispatcher.start();
    await t.intake.submit(payload('firing-single'));
    t.dispatcher.wake(['pagerduty']);
    await settle(async () => (await counter(t.registry, 'delivered')) === 1);
    expect(await counter(t.registry, 'retried')).toBe(1);
    expect(await counter(t.registry, 'delivered')).toBe(1);
    expect(t.seen.map((i) => i.attempts)).toEqual([0, 1]);
    expect(await t.store.delivery(1)).toMatchObject({ state: 'delivered', attempts: 2, lastError: null });
    await t.dispatcher.stop(1000);
  });

  it('records a result the store refused once it accepts writes again, so the resolve behind it is not held until a restart', async () => {
    const t = dispatcherWith([]);
    const markDelivered = t.store.markDelivered.bind(t.store);
    let refusals = 1;
    t.store.markDelivered = async (id: number) => {
      if (refusals-- > 0) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
      await markDelivered(id);
    };
    const firing = payload('firing-single');
    const resolved: WebhookPayload = {
      ...firing,
      status: 'resolved',
      alerts: firing.alerts.map((a) => ({ ...a, status: 'resolved', endsAt: '2024-05-01T12:05:00Z' })),
    };
    t.dispatcher.start();
    await t.intake.submit(firing);
    await t.intake.submit(resolved);
    t.dispatcher.wake(['pagerduty']);
    await settle(async () => (await counter(t.registry, 'delivered')) === 2);
    expect(t.seen.map((i) => (JSON.parse(i.body) as { alert: { status: string } }).alert.status)).toEqual(['firing', 'resolved']);
    expect([(await t.store.delivery(1))?.state, (await t.store.delivery(2))?.state]).toEqual(['delivered', 'delivered']);
    await t.dispatcher.stop(1000);
  });

  it('dead-letters a rejected event at once, with the reason in the audit log', async () => {
    const t = dispatcherWith([{ outcome: 'give_up', reason: 'HTTP 400: invalid event' }]);
    t.dispatcher.start();
    await t.intake.submit(payload('firing-single'));
    t.dispatcher.wake(['pagerduty']);
    await settle(async () => (await counter(t.registry, 'failed')) === 1);
    expect(await counter(t.registry, 'failed')).toBe(1);
    expect(t.seen).toHaveLength(1);
    expect(await t.store.delivery(1)).toMatchObject({ state: 'dead', attempts: 1, lastError: 'rejected: HTTP 400: invalid event' });
    expect((await t.store.auditLog(10, undefined, 'dead_letter')).map((e) => (e.detail as { reason: string }).reason)).toEqual([
      'rejected: HTTP 400: invalid event',
    ]);
    await t.dispatcher.stop(1000);
  });

  it('dead-letters a retried event after the last attempt', async () => {
    const failure: DeliveryResult = { outcome: 'retry', reason: 'HTTP 503' };
    const t = dispatcherWith([failure, failure, failure]);
    t.dispatcher.start();
    await t.intake.submit(payload('firing-single'));
    t.dispatcher.wake(['pagerduty']);
    await settle(async () => (await counter(t.registry, 'dead_lettered')) === 1);
    expect(await counter(t.registry, 'retried')).toBe(2);
    expect(await counter(t.registry, 'dead_lettered')).toBe(1);
    expect(await t.store.delivery(1)).toMatchObject({ state: 'dead', attempts: 3, lastError: 'gave up after 3 attempts; last error: HTTP 503' });
    await t.dispatcher.stop(1000);
  });

  it('pauses the whole channel for a Retry-After', async () => {
    const t = dispatcherWith([{ outcome: 'retry', reason: 'HTTP 429', retryAfterMs: 400 }]);
    t.dispatcher.start();
    const started = Date.now();
    await t.intake.submit(payload('firing-group'));
    t.dispatcher.wake(['pagerduty']);
    await settle(async () => (await counter(t.registry, 'delivered')) === 3);
    expect(await counter(t.registry, 'delivered')).toBe(3);
    // The 429 came on the first request; the second was already in flight beside it. Everything after (the
    // third alert, a different order key, and the retry) waited out the Retry-After with it.
    expect(t.seen).toHaveLength(4);
    expect(
      t.seen
        .slice(2)
        .map((i) => i.id)
        .sort(),
    ).toEqual([t.seen[0]!.id, 3].sort());
    // Timers may fire a millisecond early by Date.now().
    for (const at of t.seenAt.slice(2)) expect(at - t.seenAt[0]!).toBeGreaterThanOrEqual(398);
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    await t.dispatcher.stop(1000);
  });
});
