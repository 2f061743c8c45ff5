import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { alertmanagerFingerprint } from '../../../src/bridge/fingerprint.js';
import { Teardown } from '../../support/teardown.js';
import { api, startBridge } from './bridge-process.js';
import { freePort } from '../../support/ports.mjs';

const ALERTS = 150;
const DESCRIPTION_BYTES = 1024 * 1024;

function hugePayload(i: number) {
  const labels = { alertname: 'HugeAlert', severity: i % 2 === 0 ? 'critical' : 'high', instance: `host-${i}` };
  return {
    version: '4',
    groupKey: `{}:{alertname="HugeAlert",instance="host-${i}"}`,
    status: 'firing',
    receiver: 'bridge',
    groupLabels: { alertname: 'HugeAlert' },
    commonLabels: labels,
    commonAnnotations: {},
    externalURL: 'http://alertmanager.example:9093',
    alerts: [
      {
        status: 'firing',
        labels,
        annotations: { summary: `huge ${i}`, description: 'x'.repeat(DESCRIPTION_BYTES) },
        startsAt: new Date(Date.now() - i * 1000).toISOString(),
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: '',
        fingerprint: alertmanagerFingerprint(labels),
      },
    ],
  };
}

async function medianScrapeMs(url: string, rounds: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    await (await fetch(`${url}/metrics`)).text();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

/**
 * 150 alerts with a 1 MB description each, a status page viewer open: the bridge cuts them at intake and
 * the page reads a bounded summary, so /metrics stays as fast as on the same server without them
 * (measured side by side, alternating) and memory stays bounded. Before, RSS went 86 → 1,028 MB and
 * /metrics took 1.3 s.
 */
describe('huge alerts', () => {
  const teardown = new Teardown();
  afterAll(() => teardown.run());

  it('keep /metrics within 2× of an empty server and RSS bounded, with a status viewer open', async () => {
    const servers = [];
    for (const name of ['loaded', 'empty']) {
      const dataDir = mkdtempSync(path.join(tmpdir(), `bridge-huge-${name}-`));
      teardown.add(() => rmSync(dataDir, { recursive: true, force: true }));
      const server = await startBridge({ port: await freePort(), dataDir });
      teardown.add(() => server.stop());
      servers.push(server);
    }
    const [loaded, empty] = servers as [Awaited<ReturnType<typeof startBridge>>, Awaited<ReturnType<typeof startBridge>>];
    for (let i = 0; i < ALERTS; i++) {
      const answer = await api(`${loaded.url}/api/v1/alertmanager/webhook`, { method: 'POST', body: JSON.stringify(hugePayload(i)) });
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    }
    // A viewer on each status page stream, as a browser keeps it open.
    const viewers = servers.map(() => new AbortController());
    servers.forEach(
      (s, i) =>
        void fetch(`${s.url}/api/v1/stream`, { signal: viewers[i]!.signal })
          .then((r) => r.body?.pipeTo(new WritableStream()))
          .catch(() => {}),
    );
    teardown.add(() => viewers.forEach((v) => v.abort()));
    await new Promise((r) => setTimeout(r, 3000));

    const snapshot = (await (await fetch(`${loaded.url}/api/v1/snapshot`)).json()) as { alerts: { counts: Record<string, number>; items: unknown[] } };
    expect(snapshot.alerts.counts).toMatchObject({ critical: ALERTS / 2, high: ALERTS / 2 });
    expect(snapshot.alerts.items).toHaveLength(10);
    const stored = (await api(`${loaded.url}/api/v1/alerts`)).body.alerts[0]!;
    expect(Buffer.byteLength(stored.annotations.description)).toBeLessThanOrEqual(16_384);

    const ratios: number[] = [];
    for (let round = 0; round < 3; round++) {
      const loadedMs = await medianScrapeMs(loaded.url, 15);
      const emptyMs = await medianScrapeMs(empty.url, 15);
      ratios.push(loadedMs / emptyMs);
    }
    ratios.sort((a, b) => a - b);
    const ratio = ratios[1]!;
    const rss = rssMb(loaded.process.child.pid!);
    console.log(
      `huge alerts: /metrics median ratio loaded/empty ${ratio.toFixed(2)} (rounds ${ratios.map((r) => r.toFixed(2)).join(', ')}), loaded RSS ${rss.toFixed(0)} MB, empty RSS ${rssMb(empty.process.child.pid!).toFixed(0)} MB`,
    );
    expect(ratio).toBeLessThan(2);
    expect(rss).toBeLessThan(300);
    expect(await (await fetch(`${loaded.url}/metrics`)).text()).toContain(`ide_bridge_alert_values_truncated_total ${ALERTS}`);
  }, 120_000);
});
