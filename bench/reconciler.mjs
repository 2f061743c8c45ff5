// Reconciler cost: one pass over N firing alerts the bridge holds, against a real Alertmanager holding the
// same N (so nothing is resolved: the steady-state cost paid every reconcile_interval). In process, on the
// built modules, so the figure is the reconciler's own work: reading Alertmanager's list and the store.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Registry } from 'prom-client';
import { AlertmanagerClient } from '../dist/bridge/alertmanager-client.js';
import { alertmanagerFingerprint } from '../dist/bridge/fingerprint.js';
import { Intake } from '../dist/bridge/intake.js';
import { BridgeMetrics } from '../dist/bridge/metrics.js';
import { Reconciler } from '../dist/bridge/reconciler.js';
import { DEFAULT_ROUTES } from '../dist/bridge/routing.js';
import { SqliteStore } from '../dist/bridge/store/sqlite.js';
import { silentLogger } from '../dist/log.js';
import { startAlertmanager } from '../tests/support/alertmanager.mjs';
import { ALERTMANAGER } from './bridge-native.mjs';
import { fmt, mark, spread, table } from './markdown.mjs';
import { median, ratioOf, spreadOf } from './support.mjs';

const ACTIVE = 1000;
const PASSES = 15;
const TARGET_MS = 250;

function alert(i, startsAt) {
  const labels = { alertname: `Reconcile${i % 20}`, severity: 'high', instance: `dev-${i}:10451`, job: 'ide-monitor' };
  return { labels, annotations: { summary: 'Reconciler benchmark.', description: `Alert ${i}.` }, startsAt, fingerprint: alertmanagerFingerprint(labels) };
}

async function round() {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-reconciler-'));
  const am = await startAlertmanager({ binary: ALERTMANAGER, config: { route: { receiver: 'none', group_wait: '1h' }, receivers: [{ name: 'none' }] } });
  const store = new SqliteStore(path.join(dir, 'bridge'));
  const client = new AlertmanagerClient(am.url, 10_000);
  try {
    const startsAt = new Date(Date.now() - 60_000).toISOString();
    const alerts = Array.from({ length: ACTIVE }, (_, i) => alert(i, startsAt));
    const posted = await fetch(`${am.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(alerts.map(({ labels, annotations, startsAt: s }) => ({ labels, annotations, startsAt: s }))),
    });
    if (!posted.ok) throw new Error(`Alertmanager refused the alerts: ${posted.status}`);
    // Alertmanager's startsAt for a posted alert is the one given; the store holds the same episodes.
    await store.intake([
      {
        events: alerts.map((a) => ({
          fingerprint: a.fingerprint,
          status: 'firing',
          startsAt,
          endsAt: '0001-01-01T00:00:00Z',
          alertname: a.labels.alertname,
          severity: 'high',
          labels: a.labels,
          annotations: a.annotations,
          generatorURL: '',
          groupKey: `{}:{alertname="${a.labels.alertname}"}`,
          externalURL: am.url,
        })),
        deliveries: [],
      },
    ]);
    const intake = new Intake(store, { routes: DEFAULT_ROUTES, channels: new Map(), applicableActions: () => [] });
    const metrics = new BridgeMetrics(new Registry(), () => store, []);
    const reconciler = new Reconciler({ store, alertmanagers: [client], intake, graceMs: 0, metrics, logger: silentLogger, wake: () => {} });
    const passes = [];
    const reads = [];
    for (let i = 0; i < PASSES; i++) {
      let started = performance.now();
      await client.alerts();
      reads.push(performance.now() - started);
      started = performance.now();
      const { resolved } = await reconciler.run();
      passes.push(performance.now() - started);
      if (resolved !== 0) throw new Error(`the reconciler resolved ${resolved} alerts Alertmanager still has`);
    }
    return { pass: median(passes), read: median(reads) };
  } finally {
    client.close();
    await store.close();
    await am.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run({ progress = () => {}, rounds = 3 } = {}) {
  const results = [];
  for (let r = 1; r <= rounds; r++) {
    progress(`round ${r}/${rounds}: ${PASSES} passes over ${ACTIVE} active alerts`);
    results.push(await round());
  }
  const pass = spreadOf(results.map((r) => r.pass));
  const read = spreadOf(results.map((r) => r.read));
  const markdown = [
    `One reconciler pass: read every alert from a real Alertmanager (\`GET /api/v2/alerts\`, ${ACTIVE} active) and compare with the ${ACTIVE} firing alerts in the store (SQLite); median of ${PASSES} passes per round. "Alertmanager read" is the HTTP read alone, measured beside it.`,
    '',
    table(
      ['round', 'pass ms', 'Alertmanager read ms'],
      results.map((r, i) => [String(i + 1), fmt(r.pass, 1), fmt(r.read, 1)]),
    ),
    '',
    table(
      ['target', 'measured, median (min–max) of rounds', 'result'],
      [[`pass over ${ACTIVE} alerts < ${TARGET_MS} ms`, spread(pass, 1), mark(pass.median < TARGET_MS)]],
    ),
  ].join('\n');
  return {
    markdown,
    headline: [
      {
        figure: `reconciler pass, ${ACTIVE} active alerts`,
        unit: 'ms',
        digits: 1,
        ours: pass,
        reference: read,
        referenceName: 'AM read alone',
        ratio: ratioOf(
          results.map((r) => r.pass),
          results.map((r) => r.read),
        ),
        better: 'lower',
        target: `< ${TARGET_MS} ms`,
        pass: pass.median < TARGET_MS,
      },
    ],
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log((await run({ progress: (m) => console.error(m), rounds: Number(process.argv[2] ?? 1) })).markdown);
}
