import fc from 'fast-check';
import { expect, it } from 'vitest';
import { alertmanagerFingerprint } from '../../../src/bridge/fingerprint.js';
import { SqliteStore } from '../../../src/bridge/store/sqlite.js';
import { createBridgeFeature } from '../../../src/bridge/feature.js';
import { webhookPayloadSchema } from '../../../src/bridge/payload.js';
import { WEBHOOK_PATH } from '../../../src/bridge/webhook.js';
import { amFixture, amFixtures } from '../bridge/fixtures.js';
import { describeJsonEndpointFuzz } from './json-endpoint.js';
import { expectClearRejection, metricSum, post, type FeatureServer } from './server.js';

const SCHEMA_PREFIX = 'not an Alertmanager webhook payload';
/** Payloads captured from the real Alertmanager (tests/fixtures/alertmanager). */
const FIXTURES = amFixtures().map((f) => f.body as Record<string, unknown>);

/** A fixture whose alerts started `shift` seconds later: new events to the store, not duplicates of the fixture. */
function shifted(payload: Record<string, unknown>, shift: number): Record<string, unknown> {
  const alerts = (payload['alerts'] as Array<Record<string, unknown>>).map((alert) => ({
    ...alert,
    startsAt: new Date(Date.parse(alert['startsAt'] as string) + shift * 1000).toISOString(),
  }));
  return { ...payload, alerts };
}

/** Rows the bridge stored for alert events: what a 200's `new` count promises. */
function storedEvents(server: FeatureServer): number {
  const store = new SqliteStore(server.dataDir);
  try {
    return (store.db.prepare('SELECT count(*) AS n FROM alert_events').get() as { n: number }).n;
  } finally {
    store.db.close();
  }
}

describeJsonEndpointFuzz(
  {
    name: 'Alertmanager webhook',
    path: WEBHOOK_PATH,
    create: createBridgeFeature,
    ok: 200,
    schemaPrefix: SCHEMA_PREFIX,
    // Accepted: Alertmanager's shape, and every fingerprint the one of its labels (a mutated label set
    // under the old fingerprint is a forged alert: 400).
    accepts: (body) => {
      const parsed = webhookPayloadSchema.safeParse(body);
      return parsed.success && parsed.data.alerts.every((a) => alertmanagerFingerprint(a.labels) === a.fingerprint);
    },
    bases: FIXTURES,
    freshBases: fc.tuple(fc.constantFrom(...FIXTURES), fc.nat(10_000_000)).map(([payload, shift]) => shifted(payload, shift)),
    applied(_body, answer) {
      const reply = JSON.parse(answer.text) as { status: string; new: number };
      expect(reply.status).toBe('accepted');
      return reply.new;
    },
    snapshot: async (server) => ({ events: storedEvents(server), received: await metricSum(server.registry, 'ide_bridge_alerts_received_total') }),
    async checkApplied(server, before, run) {
      // Every event a 200 called new is in the store and counted, and nothing else is.
      expect(storedEvents(server) - before.events).toBe(run.applied);
      expect((await metricSum(server.registry, 'ide_bridge_alerts_received_total')) - before.received).toBe(run.applied);
    },
    fresh() {
      const payload = amFixture('firing-single');
      const [alert] = payload['alerts'] as Array<Record<string, unknown>>;
      const labels = { ...(alert!['labels'] as Record<string, string>), fuzz: 'after' };
      return {
        ...payload,
        groupKey: 'fuzz-after',
        alerts: [{ ...alert, labels, fingerprint: alertmanagerFingerprint(labels), startsAt: new Date().toISOString() }],
      };
    },
  },
  (server) => {
    it('a payload nested thousands of levels deep is answered 400, not 500', async () => {
      // Regression (found by this suite, fixed): payload.ts's version error callback JSON.stringify()s the
      // input; a 10 000-deep array overflows the stack, the handler throws and the server answers 500.
      // The fix: src/bridge/payload.ts describes a bad version without stringifying arbitrary input.
      const nested = '['.repeat(10_000) + ']'.repeat(10_000);
      const answer = await post(`${server().base}${WEBHOOK_PATH}`, `{"version":${nested}}`, { 'content-type': 'application/json' });
      expect(expectClearRejection(answer, 'deep version', SCHEMA_PREFIX)).toMatch(/^not an Alertmanager webhook payload: version: /);
      expect(answer.status).toBe(400);
    });
  },
);
