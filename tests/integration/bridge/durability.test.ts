import { afterAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../../support/binaries.js';
import { parseSamples } from '../../support/exposition.js';
import { waitFor } from '../../support/ports.mjs';
import { startPagerDutySink, startSlackSink, type Sink } from '../../support/sinks.mjs';
import { Teardown } from '../../support/teardown.js';
import { alertmanagerForBridge } from './behind-alertmanager.js';
import { startBridge } from './bridge-process.js';

const amBinary = requireBinary('prometheus-alertmanager', 'prometheus-alertmanager');

const ALERTS = 60;

describe.skipIf(amBinary === undefined)('durability: the bridge is SIGKILLed while Alertmanager posts a stream of alerts', () => {
  const teardown = new Teardown();
  afterAll(() => teardown.run());

  it('delivers every alert to PagerDuty exactly once per incident and to Slack, after a restart', async () => {
    const [slack, pd]: [Sink, Sink] = await Promise.all([startSlackSink(), startPagerDutySink()]);
    teardown.add(
      () => slack.stop(),
      () => pd.stop(),
    );
    const { dataDir, port, am } = await alertmanagerForBridge(teardown, amBinary!, 'bridge-kill-');
    const options = { port, dataDir, slackUrl: slack.url, pagerdutyUrl: pd.url, bridge: { channels: { slack: { messages_per_second: 100 } } } };
    let bridge = await startBridge(options);
    teardown.add(() => bridge.stop());

    // One group per alert (group_by alertname), critical: a PagerDuty trigger and a Slack message each.
    const startsAt = new Date(Date.now() - 10_000).toISOString();
    const post = (i: number) =>
      am.postAlerts([
        {
          labels: { alertname: `Stream${String(i).padStart(3, '0')}`, severity: 'critical', instance: 'dev-1' },
          annotations: { summary: `alert ${i}` },
          startsAt,
        },
      ]);
    const streamed = (async () => {
      for (let i = 0; i < ALERTS; i++) {
        await post(i);
        await new Promise((r) => setTimeout(r, 60));
      }
    })();
    // Kill in the middle of the stream, with notifications arriving and deliveries in flight. PagerDuty is
    // down from just before: what the bridge answered 200 for meanwhile is only in its outbox (Alertmanager
    // does not send it again within repeat_interval), so a lost outbox entry is a missing incident below.
    await waitFor('the first deliveries', async () => pd.accepted().length >= 10, 20_000, 20);
    pd.failFor(60_000, 503);
    let pendingAtKill = 0;
    await waitFor(
      'accepted PagerDuty deliveries waiting in the outbox',
      async () => (pendingAtKill = await outboxPending(bridge.url, 'pagerduty')) >= 5,
      20_000,
      50,
    );
    bridge.process.child.kill('SIGKILL');
    await bridge.process.exited;
    const atKill = { pd: pd.accepted().length, slack: slack.accepted().length };
    await new Promise((r) => setTimeout(r, 1000));
    bridge = await startBridge(options);
    pd.failFor(0, 503); // PagerDuty is back
    await streamed;

    await waitFor(
      `${ALERTS} PagerDuty incidents and Slack groups`,
      async () => pd.uniqueKeys().size >= ALERTS && slackGroups(slack).size >= ALERTS,
      40_000,
      200,
    );
    await new Promise((r) => setTimeout(r, 1500)); // anything late would show as a duplicate
    const incidents = [...pd.uniqueKeys()];
    expect(incidents).toHaveLength(ALERTS);
    expect(incidents.every((k) => /^ide-monitor\/[0-9a-f]{16}\|trigger$/.test(k))).toBe(true);
    expect(slackGroups(slack).size).toBe(ALERTS);
    // PagerDuty dedupes on dedup_key, so an at-least-once re-send never makes a second incident; the raw
    // counts are reported for the record.
    console.log(
      `durability: killed after ${atKill.pd} PagerDuty / ${atKill.slack} Slack deliveries, ${pendingAtKill} PagerDuty deliveries in the outbox; ` +
        `PagerDuty re-sends folded by dedup_key: ${pd.duplicates()}, Slack duplicate messages: ${slack.duplicates()}, ` +
        `Slack messages ${slack.accepted().length} for ${ALERTS} groups`,
    );
    expect(pd.duplicates()).toBeLessThanOrEqual(2);
    expect(slack.duplicates()).toBeLessThanOrEqual(2);
  }, 90_000);
});

/** Alert names that reached Slack (each group is one alert name); a message naming none counts for none. */
function slackGroups(slack: Sink): Set<string> {
  return new Set(slack.accepted().flatMap((r) => /\] (Stream\d+) /.exec((r.body as { text: string }).text)?.[1] ?? []));
}

/** `ide_bridge_outbox_pending` for a channel, from the bridge's /metrics. */
async function outboxPending(bridgeUrl: string, channel: string): Promise<number> {
  const samples = parseSamples(await (await fetch(`${bridgeUrl}/metrics`)).text());
  return samples.find((s) => s.name === 'ide_bridge_outbox_pending' && s.labels['channel'] === channel)?.value ?? 0;
}
