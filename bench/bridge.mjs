// Alert bridge benchmark: how many alerts per second `POST /api/v1/alertmanager/webhook` accepts with the
// outbox on disk (SQLite, WAL, synchronous=FULL: one fsync per request), and the added latency from the
// webhook request to the PagerDuty sink receiving the event, with healthy sinks. Loopback only. The same
// rounds run the PostgreSQL store (a throw-away local cluster, fsync and synchronous_commit on) right after
// SQLite, when Debian's postgresql is installed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { alertmanagerFingerprint } from '../dist/bridge/fingerprint.js';
import { benchBridgeVsNative, bridgeVsNativeReport } from './bridge-native.mjs';
import { fmt, mark, spread, table } from './markdown.mjs';
import { quantile, spreadOf, startServe, upperMedian } from './support.mjs';
import { postgresBinDir, startPostgres } from '../tests/support/postgres-cluster.mjs';
import { startPagerDutySink } from '../tests/support/sinks.mjs';

const ALERTS_PER_REQUEST = 10;
const CONNECTIONS = 8;
const LOAD_SECONDS = 8;
const LATENCY_SAMPLES = 400;
const LATENCY_RATE_PER_S = 100;

/**
 * The PagerDuty Events v2 sink the tests use (it answers what PagerDuty answers, and rejects what PagerDuty
 * rejects), noting when each dedup_key was first accepted.
 */
async function startSink() {
  const arrivals = new Map();
  const sink = await startPagerDutySink({
    onRequest: ({ at, status, body }) => {
      if (status === 202 && !arrivals.has(body.dedup_key)) arrivals.set(body.dedup_key, at);
    },
  });
  return { url: sink.url, arrivals, requests: sink.requests, stop: sink.stop };
}

/** A benchmark of a bridge whose deliveries the service refuses would measure retries, not deliveries. */
function assertNoneRejected(sink) {
  const rejected = sink.requests.filter((r) => r.status >= 400);
  if (rejected.length > 0)
    throw new Error(
      `the PagerDuty sink rejected ${rejected.length} events (HTTP ${rejected[0].status}), e.g. ${JSON.stringify(rejected[0].body).slice(0, 300)}`,
    );
}

/** `databaseUrl` set: the PostgreSQL store; else SQLite in a temp dir. */
async function startBridge(sinkUrl, databaseUrl) {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-bridge-'));
  const config = path.join(dir, 'ide-monitor.yml');
  // Every alert to PagerDuty: one delivery per alert, the per-alert path.
  const database = databaseUrl === undefined ? '' : `  database:\n    url: ${JSON.stringify(databaseUrl)}\n`;
  writeFileSync(config, `bridge:\n  data_dir: ${JSON.stringify(path.join(dir, 'data'))}\n${database}  routes:\n    - channels: [pagerduty]\n`);
  const server = await startServe({
    args: [`--config.file=${config}`, '--no-collector.hostinfo'],
    env: { ...process.env, IDE_MONITOR_PAGERDUTY_ROUTING_KEY: 'bench-routing-key', IDE_MONITOR_PAGERDUTY_EVENTS_URL: sinkUrl },
    viaShebang: false,
  }).catch((error) => {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  });
  return {
    base: server.base,
    stop: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let serial = 0;
/** An Alertmanager v4 payload with fresh fingerprints, shaped as Alertmanager sends it. */
function payload(alerts) {
  const group = `Bench${serial % 50}`;
  const list = [];
  for (let i = 0; i < alerts; i++) {
    serial += 1;
    // The bridge checks each fingerprint against its labels, as Alertmanager computes it.
    const labels = { alertname: group, severity: 'critical', instance: `dev-${serial}:10451`, job: 'ide-monitor' };
    list.push({
      status: 'firing',
      labels,
      annotations: { summary: 'CPU usage is high.', description: `CPU on dev-${serial} is above 95%.`, runbook_url: 'https://example.com/runbook#cpu' },
      startsAt: '2024-05-01T12:00:00Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus:9090/graph?g0.expr=x',
      fingerprint: alertmanagerFingerprint(labels),
    });
  }
  return {
    key: list.map((a) => `ide-monitor/${a.fingerprint}`),
    body: JSON.stringify({
      version: '4',
      groupKey: `{}:{alertname="${group}"}`,
      truncatedAlerts: 0,
      status: 'firing',
      receiver: 'bridge',
      groupLabels: { alertname: group },
      commonLabels: { alertname: group, severity: 'critical', job: 'ide-monitor' },
      commonAnnotations: { summary: 'CPU usage is high.' },
      externalURL: 'http://alertmanager:9093',
      alerts: list,
    }),
  };
}

async function throughput(bridge) {
  const result = await autocannon({
    url: bridge.base,
    connections: CONNECTIONS,
    duration: LOAD_SECONDS,
    requests: [
      {
        method: 'POST',
        path: '/api/v1/alertmanager/webhook',
        headers: { 'content-type': 'application/json' },
        setupRequest: (req) => ({ ...req, body: payload(ALERTS_PER_REQUEST).body }),
      },
    ],
  });
  const ok = Number(result['2xx'] ?? 0);
  return {
    alertsPerS: (ok * ALERTS_PER_REQUEST) / result.duration,
    requestsPerS: ok / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.non2xx + result.errors + result.timeouts,
  };
}

async function latency(bridge, sink) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  const sent = new Map();
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    const { key, body } = payload(1);
    sent.set(key[0], performance.timeOrigin + performance.now());
    await new Promise((resolve, reject) => {
      const req = http.request(
        `${bridge.base}/api/v1/alertmanager/webhook`,
        { method: 'POST', agent, headers: { 'content-type': 'application/json' } },
        (res) => {
          res.resume();
          res.on('end', resolve);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    await sleep(1000 / LATENCY_RATE_PER_S);
  }
  for (let i = 0; i < 100 && [...sent.keys()].some((k) => !sink.arrivals.has(k)); i++) await sleep(50);
  agent.destroy();
  const deltas = [...sent]
    .filter(([k]) => sink.arrivals.has(k))
    .map(([k, t]) => sink.arrivals.get(k) - t)
    .sort((a, b) => a - b);
  return { deliveryMedian: quantile(deltas, 0.5), deliveryP99: quantile(deltas, 0.99), delivered: deltas.length, sent: sent.size };
}

/** One round on one store: latency, then throughput, against a fresh bridge and sink. */
async function measure(store, databaseUrl, label, progress) {
  const sink = await startSink();
  try {
    const bridge = await startBridge(sink.url, databaseUrl);
    try {
      progress(`${label}: ${store}: latency (${LATENCY_SAMPLES} alerts at ${LATENCY_RATE_PER_S}/s)`);
      const lat = await latency(bridge, sink);
      assertNoneRejected(sink);
      progress(`${label}: ${store}: throughput (${LOAD_SECONDS} s, ${CONNECTIONS} connections, ${ALERTS_PER_REQUEST} alerts per request)`);
      const load = await throughput(bridge);
      assertNoneRejected(sink);
      return { ...lat, ...load };
    } finally {
      await bridge.stop();
    }
  } finally {
    await sink.stop();
  }
}

export async function run({ progress = () => {}, rounds = 3 } = {}) {
  const results = [];
  const pgResults = [];
  const pgBin = postgresBinDir();
  const postgres = pgBin === undefined ? undefined : await startPostgres(pgBin);
  try {
    for (let round = 1; round <= rounds; round++) {
      results.push(await measure('sqlite', undefined, `round ${round}/${rounds}`, progress));
      if (postgres !== undefined)
        pgResults.push(await measure('postgresql', await postgres.createDatabase(`bench_${round}`), `round ${round}/${rounds}`, progress));
    }
  } finally {
    postgres?.destroy();
  }
  const native = bridgeVsNativeReport(await benchBridgeVsNative({ rounds, progress }));
  const across = (key, of = results) =>
    spreadOf(
      of.map((r) => r[key]),
      upperMedian,
    );
  const alertsPerS = across('alertsPerS');
  const deliveryP99 = across('deliveryP99');
  const pgAlertsPerS = pgResults.length === 0 ? undefined : across('alertsPerS', pgResults);
  const pgDeliveryP99 = pgResults.length === 0 ? undefined : across('deliveryP99', pgResults);
  const roundRows = (of, store) =>
    of.map((r, i) => [
      String(i + 1),
      store,
      fmt(r.alertsPerS, 0),
      fmt(r.requestsPerS, 0),
      fmt(r.p50, 1),
      fmt(r.p99, 1),
      String(r.errors),
      fmt(r.deliveryMedian, 2),
      fmt(r.deliveryP99, 2),
      `${r.delivered}/${r.sent}`,
    ]);
  const markdown = [
    `Webhook payloads as Alertmanager sends them (${ALERTS_PER_REQUEST} alerts each, fresh fingerprints), ${CONNECTIONS} loopback connections for ${LOAD_SECONDS} s, outbox on disk (WAL, synchronous=FULL); every alert is routed to PagerDuty (a local sink), so deliveries run during the load. Latency: ${LATENCY_SAMPLES} single-alert payloads at ${LATENCY_RATE_PER_S}/s, from sending the webhook request to the sink receiving the event.`,
    '',
    pgResults.length === 0
      ? 'PostgreSQL store: not measured (no /usr/lib/postgresql/*/bin/initdb; run scripts/install-test-deps.sh).\n'
      : 'Each round measures SQLite, then the PostgreSQL store (one bridge on a local cluster, pool 10, synchronous_commit on) on the same machine minutes.\n',
    table(
      [
        'round',
        'store',
        'alerts/s accepted',
        'requests/s',
        'webhook p50 ms',
        'webhook p99 ms',
        'errors',
        'receipt→delivery median ms',
        'receipt→delivery p99 ms',
        'delivered',
      ],
      [...roundRows(results, 'SQLite'), ...roundRows(pgResults, 'PostgreSQL')],
    ),
    '',
    table(
      ['target', 'store', 'measured, median (min–max) of rounds', 'result'],
      [
        ['≥ 2,000 alerts/s accepted', 'SQLite', spread(alertsPerS, 0), mark(alertsPerS.median >= 2000)],
        ['receipt→delivery p99 < 50 ms', 'SQLite', spread(deliveryP99, 2), mark(deliveryP99.median < 50)],
        ...(pgAlertsPerS === undefined
          ? []
          : [
              ['≥ 2,000 alerts/s accepted', 'PostgreSQL', spread(pgAlertsPerS, 0), mark(pgAlertsPerS.median >= 2000)],
              ['receipt→delivery p99 < 50 ms', 'PostgreSQL', spread(pgDeliveryP99, 2), mark(pgDeliveryP99.median < 50)],
            ]),
      ],
    ),
    '',
    "### Behind Alertmanager: bridge vs Alertmanager's native Slack integration",
    '',
    native.markdown,
  ].join('\n');
  const headline = [
    {
      figure: `webhook alerts accepted, ${CONNECTIONS} connections`,
      unit: 'alerts/s',
      digits: 0,
      ours: alertsPerS,
      better: 'higher',
      target: '≥ 2,000',
      pass: alertsPerS.median >= 2000,
    },
    {
      figure: 'webhook receipt → PagerDuty delivery p99',
      unit: 'ms',
      digits: 2,
      ours: deliveryP99,
      better: 'lower',
      target: '< 50 ms',
      pass: deliveryP99.median < 50,
    },
    ...(pgAlertsPerS === undefined
      ? []
      : [
          {
            figure: `webhook alerts accepted, PostgreSQL store, ${CONNECTIONS} connections`,
            unit: 'alerts/s',
            digits: 0,
            ours: pgAlertsPerS,
            better: 'higher',
            target: '≥ 2,000',
            pass: pgAlertsPerS.median >= 2000,
          },
          {
            figure: 'webhook receipt → PagerDuty delivery p99, PostgreSQL store',
            unit: 'ms',
            digits: 2,
            ours: pgDeliveryP99,
            better: 'lower',
            target: '< 50 ms',
            pass: pgDeliveryP99.median < 50,
          },
        ]),
    ...native.headline,
  ];
  return { markdown, headline };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log((await run({ progress: (m) => console.error(m), rounds: Number(process.argv[2] ?? 1) })).markdown);
}
