import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTeamsAckMessage, buildTeamsMessage, TEAMS_MAX_BYTES } from '../../../../src/bridge/channels/teams/card.js';
import { teams } from '../../../../src/bridge/channels/teams/index.js';
import { golden } from '../../../support/golden.js';
import { startTeamsSink, type Sink } from '../../../support/sinks.mjs';
import { ackNotification, group, hugeAlert, payload } from '../fixtures.js';
import { expectWholeCodePoints, notifierOf } from './helpers.js';

describe('the Teams Adaptive Card builder', () => {
  it('renders real Alertmanager groups and an ack as the golden files show', () => {
    for (const name of ['firing-single', 'firing-and-resolved', 'resolved-group']) golden(`teams-${name}`, buildTeamsMessage(group(payload(name))));
    golden('teams-ack', buildTeamsAckMessage(ackNotification(payload('firing-single').alerts[0]!)));
  });

  it('colours the title by state, and links runbook, dashboard, source and a silence as buttons', () => {
    const card = buildTeamsMessage(group(payload('firing-single'))).attachments[0]!.content;
    expect(card.body[0]).toMatchObject({ text: '[FIRING:1] IdeHostCpuHighUsage (critical)', color: 'Attention' });
    expect(JSON.stringify(card)).toContain('"type":"Action.OpenUrl","title":"Silence"');
    expect(buildTeamsMessage(group(payload('resolved-group'))).attachments[0]!.content.body[0]).toMatchObject({ color: 'Good' });
  });

  it('stays under 28 KB with huge emoji alerts, cutting on code points and counting what it left out', () => {
    const base = payload('firing-single');
    const many = Array.from({ length: 60 }, (_, i) => hugeAlert(base.alerts[0]!, i));
    const message = buildTeamsMessage(group(base, many));
    expect(Buffer.byteLength(JSON.stringify(message))).toBeLessThanOrEqual(TEAMS_MAX_BYTES);
    const body = message.attachments[0]!.content.body;
    const shown = body.filter((e) => e['type'] === 'Container').length;
    expect(shown).toBeGreaterThan(0);
    expect(JSON.stringify(body.at(-1))).toContain(`${60 - shown} more alerts not shown (Teams message size limit)`);
    expectWholeCodePoints(message);
  });
});

describe('the Teams notifier against a Workflows webhook sink', () => {
  let sink: Sink;
  beforeAll(async () => (sink = await startTeamsSink()));
  afterAll(() => sink.stop());

  it('delivers (202), retries 429 after Retry-After and 5xx, gives up on 401/403 with the reason', async () => {
    const notifier = notifierOf(teams, { webhook_url: sink.url });
    const n = group(payload('firing-group'));
    expect(await notifier.notify(n, 'a')).toEqual({ outcome: 'delivered', status: 202 });
    sink.failNext(1, 429, 3);
    expect(await notifier.notify(n, 'b')).toMatchObject({ outcome: 'retry', retryAfterMs: 3000 });
    sink.failNext(1, 503);
    expect(await notifier.notify(n, 'c')).toMatchObject({ outcome: 'retry' });
    sink.failNext(1, 403);
    expect(await notifier.notify(n, 'd')).toMatchObject({ outcome: 'give_up', reason: expect.stringContaining('HTTP 403') });
    expect(sink.accepted()).toHaveLength(1);
    notifier.close?.();
  });
});
