import { afterAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../../support/binaries.js';
import { waitFor } from '../../support/ports.mjs';
import { startSlackSink } from '../../support/sinks.mjs';
import { Teardown } from '../../support/teardown.js';
import { alertmanagerForBridge } from './behind-alertmanager.js';
import { startBridge } from './bridge-process.js';

const amBinary = requireBinary('prometheus-alertmanager', 'prometheus-alertmanager');
const OUTAGE_MS = 60_000;

describe.skipIf(amBinary === undefined)('a Slack outage', () => {
  const teardown = new Teardown();
  afterAll(() => teardown.run());

  it('answers 500 for 60 s; afterwards every message arrives, in order per group', async () => {
    const slack = await startSlackSink();
    teardown.add(() => slack.stop());
    const { dataDir, port, am } = await alertmanagerForBridge(teardown, amBinary!, 'bridge-outage-');
    const bridge = await startBridge({ port, dataDir, slackUrl: slack.url, bridge: { channels: { slack: { messages_per_second: 20 } } } });
    teardown.add(() => bridge.stop());

    // Taken before failFor, so it is never later than the sink's own end of the outage.
    const outageEnds = Date.now() + OUTAGE_MS;
    slack.failFor(OUTAGE_MS, 500);
    const startsAt = new Date(Date.now() - 10_000).toISOString();
    const alert = (group: string, instance: string, endsAt?: string) => ({
      labels: { alertname: group, severity: 'medium', instance },
      annotations: { summary: `${group} on ${instance}.` },
      startsAt,
      ...(endsAt !== undefined && { endsAt }),
    });
    const groups = ['OutageA', 'OutageB', 'OutageC'];
    // Three states per group, a few seconds apart: 1 firing → 2 firing → 1 firing + 1 resolved.
    await am.postAlerts(groups.map((g) => alert(g, 'dev-1')));
    await new Promise((r) => setTimeout(r, 3000));
    await am.postAlerts(groups.flatMap((g) => [alert(g, 'dev-1'), alert(g, 'dev-2')]));
    await new Promise((r) => setTimeout(r, 3000));
    await am.postAlerts(groups.flatMap((g) => [alert(g, 'dev-1', new Date().toISOString()), alert(g, 'dev-2')]));

    await waitFor('the outage to end', async () => Date.now() > outageEnds, OUTAGE_MS + 5000, 500);
    // Retries may land the moment the outage ends; none may have been accepted during it.
    expect(slack.accepted().filter((r) => r.at < outageEnds)).toEqual([]);
    expect(slack.requests.filter((r) => r.status === 500).length).toBeGreaterThan(3);
    await waitFor('all nine messages after the outage', async () => slack.accepted().length >= 9, 20_000, 100);
    await new Promise((r) => setTimeout(r, 500));
    expect(slack.accepted()).toHaveLength(9);
    for (const group of groups) {
      const titles = slack
        .accepted()
        .map((r) => (r.body as { text: string }).text.replace(/\): .*$/, ')'))
        .filter((t) => t.includes(` ${group} `));
      expect(titles).toEqual([`[FIRING:1] ${group} (medium)`, `[FIRING:2] ${group} (medium)`, `[FIRING:1, 1 resolved] ${group} (medium)`]);
    }
  }, 120_000);
});
