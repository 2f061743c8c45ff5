import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventKey, type AlertEventInput, type BridgeStore, type IntakeBatch, type PlannedDelivery } from '../../../../src/bridge/store/types.js';

/** A store under test with the clock it was made with. */
export interface StoreUnderTest {
  readonly store: BridgeStore;
  readonly clock: { now(): number; advance(ms: number): void };
  /** The same database through a second store instance (another replica), where the store can be shared. */
  readonly replica?: () => Promise<BridgeStore>;
  /** Close and open again on the same database (a restart). */
  readonly reopen: () => Promise<BridgeStore>;
  readonly cleanup: () => Promise<void>;
}

const T0 = Date.parse('2024-05-01T12:00:00Z');

function event(fingerprint: string, status: 'firing' | 'resolved', startsAt = '2024-05-01T12:00:00Z', extra: Partial<AlertEventInput> = {}): AlertEventInput {
  return {
    fingerprint,
    status,
    startsAt,
    endsAt: status === 'firing' ? '0001-01-01T00:00:00Z' : '2024-05-01T12:10:00Z',
    alertname: `Alert${fingerprint}`,
    severity: 'critical',
    labels: { alertname: `Alert${fingerprint}`, severity: 'critical', instance: `host-${fingerprint}` },
    annotations: { summary: `summary of ${fingerprint}` },
    generatorURL: 'http://prometheus.example/graph',
    groupKey: 'group-1',
    externalURL: 'http://alertmanager.example',
    ...extra,
  };
}

function delivery(channel: string, dedupKey: string, orderKey: string, ifNew: string[] = [], fingerprints: string[] = []): PlannedDelivery {
  return { channel, dedupKey, orderKey, body: JSON.stringify({ dedupKey }), fingerprints, ifNew };
}

const batch = (events: AlertEventInput[], deliveries: PlannedDelivery[]): IntakeBatch => ({ events, deliveries });

/**
 * One contract for every BridgeStore: the same cases and expectations for SQLite and PostgreSQL. The
 * clock is the test's, never the database's, so time-based cases are exact on both.
 */
export function describeStoreContract(name: string, make: () => Promise<StoreUnderTest>): void {
  describe(`the ${name} store`, () => {
    let t: StoreUnderTest;
    let store: BridgeStore;
    beforeEach(async () => {
      t = await make();
      store = t.store;
    });
    afterEach(async () => {
      await t.cleanup();
    });

    it('records events once and enqueues a planned delivery only when one of its events is new', async () => {
      const a = event('a1', 'firing');
      const b = event('b1', 'firing');
      const [first] = await store.intake([
        batch(
          [a, b],
          [delivery('slack', 'g1', 'group-1', [eventKey(a), eventKey(b)], ['a1', 'b1']), delivery('pagerduty', eventKey(a), 'a1', [eventKey(a)], ['a1'])],
        ),
      ]);
      expect([...first!.newEvents].sort()).toEqual([eventKey(a), eventKey(b)].sort());
      expect(Object.fromEntries(first!.enqueued)).toEqual({ slack: 1, pagerduty: 1 });
      // The same payload again (a re-send, an HA peer's copy): nothing new, nothing enqueued, even under a new key.
      const [again] = await store.intake([batch([a, b], [delivery('slack', 'g1-other-key', 'group-1', [eventKey(a), eventKey(b)])])]);
      expect(again!.newEvents.size).toBe(0);
      expect(again!.enqueued.size).toBe(0);
      // An unconditional delivery with a key already used is still not enqueued twice.
      const [forced] = await store.intake([batch([], [delivery('slack', 'g1', 'group-1')])]);
      expect(forced!.enqueued.size).toBe(0);
      expect((await store.pendingStats()).map((s) => [s.channel, s.pending]).sort()).toEqual([
        ['pagerduty', 1],
        ['slack', 1],
      ]);
      expect((await store.history(10)).map((e) => `${e.fingerprint}:${e.status}`).sort()).toEqual(['a1:firing', 'b1:firing']);
      expect((await store.deliveries('a1')).map((d) => d.channel).sort()).toEqual(['pagerduty', 'slack']);
    });

    it('keeps each batch of one intake call separate, in order', async () => {
      const a = event('a2', 'firing');
      const outcomes = await store.intake([
        batch([a], [delivery('slack', 'k1', 'g', [eventKey(a)])]),
        batch([a], [delivery('slack', 'k2', 'g', [eventKey(a)])]),
      ]);
      expect(outcomes.map((o) => o.newEvents.size)).toEqual([1, 0]);
      expect(outcomes.map((o) => o.enqueued.get('slack') ?? 0)).toEqual([1, 0]);
    });

    it('keeps the newest state per alert: a late firing event does not undo a resolve, and labels never change', async () => {
      await store.intake([batch([event('c1', 'resolved')], [])]);
      await store.intake([batch([event('c1', 'firing', '2024-05-01T12:00:00Z', { labels: { alertname: 'Other' } })], [])]);
      const alert = await store.getAlert('c1');
      expect(alert?.status).toBe('resolved');
      expect(alert?.labels).toEqual({ alertname: 'Alertc1', severity: 'critical', instance: 'host-c1' });
      expect(await store.firing(10)).toEqual([]);
      // A later episode is newer: firing again.
      await store.intake([batch([event('c1', 'firing', '2024-05-01T13:00:00Z')], [])]);
      expect((await store.getAlert('c1'))?.status).toBe('firing');
      expect((await store.firing(10)).map((a) => a.fingerprint)).toEqual(['c1']);
    });

    it('claims in order per order key: a later delivery waits for the earlier one, even during its backoff', async () => {
      await store.intake([batch([], [delivery('slack', 'k1', 'g1'), delivery('slack', 'k2', 'g2'), delivery('slack', 'k3', 'g1')])]);
      const first = await store.claim('slack', 10, 60_000);
      expect(first.map((i) => i.dedupKey)).toEqual(['k1', 'k2']);
      expect(await store.claim('slack', 10, 60_000)).toEqual([]);
      await store.scheduleRetry(first[0]!.id, 5000, 'HTTP 500');
      await store.markDelivered(first[1]!.id);
      expect(await store.claim('slack', 10, 60_000)).toEqual([]);
      expect(await store.nextDue('slack')).toBe(t.clock.now() + 5000);
      t.clock.advance(5000);
      const retried = await store.claim('slack', 10, 60_000);
      expect(retried.map((i) => [i.dedupKey, i.attempts])).toEqual([['k1', 1]]);
      expect(await store.delivery(first[0]!.id)).toMatchObject({ state: 'claimed', attempts: 1, lastError: 'HTTP 500' });
      await store.markDelivered(retried[0]!.id);
      expect((await store.claim('slack', 10, 60_000)).map((i) => i.dedupKey)).toEqual(['k3']);
      expect(await store.delivery(first[1]!.id)).toMatchObject({ state: 'delivered', attempts: 1, lastError: null });
    });

    it('finishes deliveries as dead or done, and claims only its own channel', async () => {
      await store.intake([batch([], [delivery('pagerduty', 'p1', 'a'), delivery('action', 'x1', 'b')])]);
      const [p] = await store.claim('pagerduty', 10, 60_000);
      const [x] = await store.claim('action', 10, 60_000);
      await store.markFinished(p!.id, 'dead', 'rejected: HTTP 400');
      await store.markFinished(x!.id, 'done', undefined);
      expect(await store.delivery(p!.id)).toMatchObject({ state: 'dead', attempts: 1, lastError: 'rejected: HTTP 400' });
      expect(await store.delivery(x!.id)).toMatchObject({ state: 'done', attempts: 1 });
      expect(await store.pendingStats()).toEqual([]);
    });

    it('takes back expired claims: notifications go back to pending, actions are finished as interrupted', async () => {
      await store.intake([batch([], [delivery('pagerduty', 'p1', 'a'), delivery('action', 'x1', 'b'), delivery('slack', 's1', 'c')])]);
      await store.claim('pagerduty', 10, 10_000);
      await store.claim('action', 10, 10_000);
      await store.claim('slack', 10, 60_000);
      // Nothing has expired yet.
      expect(await store.reclaim(false)).toEqual({ requeued: 0, interruptedActions: [] });
      t.clock.advance(10_001);
      const taken = await store.reclaim(false);
      expect(taken.requeued).toBe(1);
      expect(taken.interruptedActions.map((i) => i.dedupKey)).toEqual(['x1']);
      expect((await store.claim('pagerduty', 10, 10_000)).map((i) => i.dedupKey)).toEqual(['p1']);
      expect(await store.claim('action', 10, 10_000)).toEqual([]);
      // At a single-process start every claim is taken back, expired or not.
      const all = await store.reclaim(true);
      expect(all.requeued).toBe(2);
    });

    it('keeps the outbox, dedup keys and alerts across a restart', async () => {
      const a = event('d1', 'firing');
      await store.intake([batch([a], [delivery('pagerduty', eventKey(a), 'd1', [eventKey(a)], ['d1'])])]);
      store = await t.reopen();
      expect((await store.claim('pagerduty', 10, 60_000)).map((i) => i.dedupKey)).toEqual([eventKey(a)]);
      const [again] = await store.intake([batch([a], [delivery('pagerduty', eventKey(a), 'd1', [eventKey(a)])])]);
      expect(again!.enqueued.size).toBe(0);
      expect((await store.getAlert('d1'))?.status).toBe('firing');
    });

    it('acknowledges an episode once: a second ack returns the first, a withdrawn one can be made again', async () => {
      await store.intake([batch([event('e1', 'firing')], [])]);
      const first = await store.putAck({
        fingerprint: 'e1',
        startsAt: '2024-05-01T12:00:00Z',
        by: 'alice',
        at: '2024-05-01T12:01:00.000Z',
        comment: 'looking',
      });
      expect(first.created).toBe(true);
      await store.setAckSilence('e1', '2024-05-01T12:00:00Z', 'silence-1');
      const second = await store.putAck({ fingerprint: 'e1', startsAt: '2024-05-01T12:00:00Z', by: 'bob', at: '2024-05-01T12:02:00.000Z', comment: 'me too' });
      expect(second).toMatchObject({ created: false, ack: { by: 'alice', silenceId: 'silence-1' } });
      expect((await store.getAlert('e1'))?.ack).toMatchObject({ by: 'alice', comment: 'looking', silenceId: 'silence-1', at: '2024-05-01T12:01:00.000Z' });
      expect((await store.firingSummary(10)).items[0]?.acknowledged).toEqual({ by: 'alice', at: '2024-05-01T12:01:00.000Z' });
      const withdrawn = await store.withdrawAck('e1', '2024-05-01T12:00:00Z');
      expect(withdrawn).toMatchObject({ by: 'alice', silenceId: 'silence-1' });
      expect(await store.withdrawAck('e1', '2024-05-01T12:00:00Z')).toBeUndefined();
      expect((await store.getAlert('e1'))?.ack).toBeNull();
      const third = await store.putAck({ fingerprint: 'e1', startsAt: '2024-05-01T12:00:00Z', by: 'bob', at: '2024-05-01T12:03:00.000Z', comment: 'mine now' });
      expect(third).toMatchObject({ created: true, ack: { by: 'bob', silenceId: null } });
      // A new episode of the alert is not acknowledged.
      await store.intake([batch([event('e1', 'firing', '2024-05-01T14:00:00Z')], [])]);
      expect((await store.getAlert('e1'))?.ack).toBeNull();
    });

    it('reads several alerts at once, by fingerprint, leaving out the unknown ones', async () => {
      await store.intake([batch([event('n1', 'firing'), event('n2', 'resolved')], [])]);
      const found = await store.getAlerts(['n1', 'n2', 'n3', 'n1']);
      expect([...found.keys()].sort()).toEqual(['n1', 'n2']);
      expect(found.get('n2')).toMatchObject({ status: 'resolved', alertname: 'Alertn2' });
      expect((await store.getAlerts([])).size).toBe(0);
    });

    it('keeps a resolution note for its episode only', async () => {
      await store.intake([batch([event('f1', 'firing')], [])]);
      await store.setResolution('f1', '2024-05-01T12:00:00Z', 'restarted the indexer');
      await store.intake([batch([event('f1', 'resolved')], [])]);
      expect((await store.getAlert('f1'))?.resolution).toBe('restarted the indexer');
      await store.intake([batch([event('f1', 'firing', '2024-05-01T15:00:00Z')], [])]);
      expect((await store.getAlert('f1'))?.resolution).toBeNull();
    });

    it('hands each due escalation out once, and never an acknowledged or resolved one', async () => {
      const due = T0 + 60_000;
      await store.intake([
        batch(
          [
            event('g1', 'firing', undefined, { escalateAt: due }),
            event('g2', 'firing', undefined, { escalateAt: due }),
            event('g3', 'firing', undefined, { escalateAt: due }),
            event('g4', 'firing', undefined, { escalateAt: due + 60_000 }),
          ],
          [],
        ),
      ]);
      await store.putAck({ fingerprint: 'g2', startsAt: '2024-05-01T12:00:00Z', by: 'alice', at: '2024-05-01T12:00:30.000Z', comment: 'ok' });
      await store.intake([batch([event('g3', 'resolved')], [])]);
      expect(await store.takeDueEscalations(due - 1, 10)).toEqual([]);
      const taken = await store.takeDueEscalations(due, 10);
      expect(taken.map((a) => a.fingerprint)).toEqual(['g1']);
      expect(taken[0]!.escalatedAt).not.toBeNull();
      expect(await store.takeDueEscalations(due + 120_000, 10).then((a) => a.map((x) => x.fingerprint))).toEqual(['g4']);
      expect(await store.takeDueEscalations(due + 120_000, 10)).toEqual([]);
      // A restarted clock (after an unack) escalates again.
      await store.setEscalation('g1', '2024-05-01T12:00:00Z', due + 200_000);
      expect((await store.takeDueEscalations(due + 200_000, 10)).map((a) => a.fingerprint)).toEqual(['g1']);
      expect((await store.getAlert('g1'))?.escalatedAt).not.toBeNull();
    });

    it('remembers which episodes triggered an action, for cooldowns and rollbacks', async () => {
      expect(await store.lastTrigger('scale', 'h1')).toBeUndefined();
      await store.recordTrigger('scale', 'h1', '2024-05-01T12:00:00Z', T0);
      await store.recordTrigger('scale', 'h1', '2024-05-01T13:00:00Z', T0 + 3_600_000);
      expect(await store.lastTrigger('scale', 'h1')).toBe(T0 + 3_600_000);
      expect(await store.triggered('scale', 'h1', '2024-05-01T12:00:00Z')).toBe(true);
      expect(await store.triggered('scale', 'h1', '2024-05-01T14:00:00Z')).toBe(false);
      expect(await store.triggered('other', 'h1', '2024-05-01T12:00:00Z')).toBe(false);
      await store.forgetTrigger('scale', 'h1', '2024-05-01T13:00:00Z');
      expect(await store.lastTrigger('scale', 'h1')).toBe(T0);
    });

    it('writes and pages the audit log, newest first, by kind', async () => {
      await store.audit('ack', 'i1', { by: 'alice' });
      await store.audit('dead_letter', undefined, { reason: 'HTTP 400' });
      await store.audit('ack', 'i2', { by: 'bob' });
      const all = await store.auditLog(10);
      expect(all.map((e) => e.kind)).toEqual(['ack', 'dead_letter', 'ack']);
      expect(all[0]).toMatchObject({ fingerprint: 'i2', detail: { by: 'bob' } });
      expect((await store.auditLog(10, undefined, 'ack')).map((e) => e.fingerprint)).toEqual(['i2', 'i1']);
      expect((await store.auditLog(1, all[0]!.id)).map((e) => e.kind)).toEqual(['dead_letter']);
    });

    it('summarises firing alerts by severity with only the newest few listed', async () => {
      const events = Array.from({ length: 15 }, (_, i) =>
        event(`j${i.toString().padStart(2, '0')}`, 'firing', new Date(T0 + i * 1000).toISOString(), {
          severity: i % 3 === 0 ? 'critical' : 'high',
          annotations: { summary: `s${i}`, description: 'x'.repeat(10_000) },
        }),
      );
      await store.intake([batch(events, [])]);
      const summary = await store.firingSummary(10);
      expect(summary.counts).toEqual({ critical: 5, high: 10 });
      expect(summary.items).toHaveLength(10);
      expect(summary.items[0]).toEqual({
        fingerprint: 'j14',
        alertname: 'Alertj14',
        severity: 'high',
        summary: 's14',
        startsAt: new Date(T0 + 14_000).toISOString(),
        acknowledged: null,
      });
    });

    it('prunes what is finished and old, and nothing that is pending or firing', async () => {
      const a = event('k1', 'firing');
      const b = event('k2', 'resolved');
      await store.intake([batch([a, b], [delivery('slack', 'old', 'g', [], ['k1']), delivery('slack', 'open', 'h', [], ['k1'])])]);
      const [old] = await store.claim('slack', 1, 60_000);
      await store.markDelivered(old!.id);
      await store.audit('ack', 'k1', {});
      t.clock.advance(10_000);
      await store.prune(t.clock.now() - 1);
      expect(await store.delivery(old!.id)).toBeUndefined();
      expect((await store.pendingStats()).map((s) => s.pending)).toEqual([1]);
      expect(await store.getAlert('k2')).toBeUndefined();
      expect((await store.getAlert('k1'))?.status).toBe('firing');
      expect(await store.auditLog(10)).toEqual([]);
      expect(await store.history(10)).toEqual([]);
    });

    it('lets two replicas claim at once without handing one delivery to both', async () => {
      if (t.replica === undefined) return;
      const other = await t.replica();
      const deliveries = Array.from({ length: 40 }, (_, i) => delivery('webhook', `w${i}`, `o${i}`));
      await store.intake([batch([], deliveries)]);
      const claimed = (await Promise.all([store.claim('webhook', 25, 60_000), other.claim('webhook', 25, 60_000)])).flat();
      const keys = claimed.map((i) => i.dedupKey);
      expect(new Set(keys).size).toBe(keys.length);
      expect(keys.length).toBe(40);
      // And intake of the same events from both replicas at once records them once.
      const a = event('m1', 'firing');
      const plan = batch([a], [delivery('slack', 'm-group', 'g', [eventKey(a)])]);
      const outcomes = (await Promise.all([store.intake([plan]), other.intake([plan])])).flat();
      expect(outcomes.map((o) => o.newEvents.size).sort()).toEqual([0, 1]);
      expect(outcomes.map((o) => o.enqueued.get('slack') ?? 0).sort()).toEqual([0, 1]);
    });
  });
}
