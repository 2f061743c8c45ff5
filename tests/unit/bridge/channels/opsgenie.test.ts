import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opsgenie } from '../../../../src/bridge/channels/opsgenie/index.js';
import { buildOpsGenieRequest, OPSGENIE_LIMITS } from '../../../../src/bridge/channels/opsgenie/request.js';
import { golden } from '../../../support/golden.js';
import { OPSGENIE_KEY, opsGenieProblems, startOpsGenieSink, type Sink } from '../../../support/sinks.mjs';
import { ackNotification, alertNotification, hugeAlert, payload } from '../fixtures.js';
import { expectWholeCodePoints, notifierOf } from './helpers.js';

describe('the OpsGenie request builder', () => {
  const mixed = payload('firing-and-resolved');

  it('creates, closes, acknowledges and unacknowledges by alias as the golden files show', () => {
    golden('opsgenie-create', buildOpsGenieRequest(alertNotification(mixed.alerts[0]!)));
    golden('opsgenie-close', buildOpsGenieRequest(alertNotification({ ...mixed.alerts[1]!, resolution: 'restarted the language server' })));
    golden('opsgenie-acknowledge', buildOpsGenieRequest(ackNotification(mixed.alerts[0]!)));
    golden('opsgenie-unacknowledge', buildOpsGenieRequest(ackNotification(mixed.alerts[0]!, 'unacknowledged')));
  });

  it('uses the fingerprint as alias everywhere and maps severities onto P1-P5', () => {
    const alert = mixed.alerts[0]!;
    const create = buildOpsGenieRequest(alertNotification(alert));
    expect(create.body['alias']).toBe(alert.fingerprint);
    expect(buildOpsGenieRequest(alertNotification({ ...alert, status: 'resolved' })).path).toBe(`/v2/alerts/${alert.fingerprint}/close?identifierType=alias`);
    expect(buildOpsGenieRequest(ackNotification(alert)).path).toBe(`/v2/alerts/${alert.fingerprint}/acknowledge?identifierType=alias`);
    const priority = (severity: string) => buildOpsGenieRequest(alertNotification({ ...alert, labels: { ...alert.labels, severity } })).body['priority'];
    expect(['critical', 'high', 'warning', 'medium', 'low', 'info', 'page'].map(priority)).toEqual(['P1', 'P2', 'P2', 'P3', 'P4', 'P5', 'P3']);
  });

  it("keeps a huge emoji alert within OpsGenie's limits, cut on code points", () => {
    const big = buildOpsGenieRequest(alertNotification(hugeAlert(mixed.alerts[0]!)));
    expect(opsGenieProblems(big.body)).toEqual([]);
    expect(String(big.body['message']).length).toBeLessThanOrEqual(OPSGENIE_LIMITS.message);
    expect(String(big.body['description']).length).toBeLessThanOrEqual(OPSGENIE_LIMITS.description);
    expectWholeCodePoints(big);
  });
});

describe('the OpsGenie notifier against an Alert API sink', () => {
  let sink: Sink;
  beforeAll(async () => (sink = await startOpsGenieSink()));
  afterAll(() => sink.stop());

  it('authenticates with GenieKey, creates then closes (202), retries 429/5xx, gives up on a bad key with the reason', async () => {
    const alert = payload('firing-single').alerts[0]!;
    const notifier = notifierOf(opsgenie, { api_key: OPSGENIE_KEY, api_url: sink.url });
    expect(await notifier.notify(alertNotification(alert), 'a')).toEqual({ outcome: 'delivered', status: 202 });
    expect(await notifier.notify(ackNotification(alert), 'b')).toEqual({ outcome: 'delivered', status: 202 });
    sink.failNext(1, 429, 2);
    expect(await notifier.notify(alertNotification({ ...alert, status: 'resolved' }), 'c')).toMatchObject({ outcome: 'retry', retryAfterMs: 2000 });
    sink.failNext(1, 500);
    expect(await notifier.notify(alertNotification({ ...alert, status: 'resolved' }), 'c')).toMatchObject({ outcome: 'retry' });
    expect(await notifier.notify(alertNotification({ ...alert, status: 'resolved' }), 'c')).toEqual({ outcome: 'delivered', status: 202 });
    expect(sink.accepted().map((r) => r.key)).toEqual([`create|${alert.fingerprint}`, `acknowledge|${alert.fingerprint}`, `close|${alert.fingerprint}`]);
    expect(sink.accepted()[0]!.headers['authorization']).toBe(`GenieKey ${OPSGENIE_KEY}`);
    const wrongKey = notifierOf(opsgenie, { api_key: 'not-the-key', api_url: sink.url });
    expect(await wrongKey.notify(alertNotification(alert), 'd')).toMatchObject({
      outcome: 'give_up',
      reason: expect.stringMatching(/^HTTP 401: .*Could not authenticate/),
    });
    notifier.close?.();
    wrongKey.close?.();
  });
});
