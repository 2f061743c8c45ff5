// The bridge behind Alertmanager against Alertmanager's own Slack integration, side by side in one
// Alertmanager: alerts labelled path="native" are routed to a `slack_configs` receiver, alerts labelled
// path="bridge" to a `webhook_configs` receiver pointing at `ide-monitor serve`'s bridge, which delivers to
// Slack itself. Both Slack endpoints are local sinks answering 200 "ok" as Slack does. Alerts of the two
// paths are posted alternately, one at a time, each its own group, and timed from the POST to
// /api/v2/alerts until the sink has the message. Loopback only; Alertmanager's clustering is off.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fmt, spread, table } from './markdown.mjs';
import { startAlertmanager } from '../tests/support/alertmanager.mjs';
import { startSlackSink } from '../tests/support/sinks.mjs';
import { median, percentile, ratioOf, spreadOf, startServe, upperMedian } from './support.mjs';

export const ALERTMANAGER = '/usr/bin/prometheus-alertmanager';
const ALERTS_PER_PATH = 100;
const WARMUP_PER_PATH = 10;
/** One POST every 50 ms, the paths alternating: each path gets 10 alerts/s, well inside both pipelines. */
const POST_INTERVAL_MS = 50;
const DELIVERY_DEADLINE_MS = 15_000;
/** The bridge paces Slack (default 1/s, Slack's own limit); raised so pacing, which Alertmanager lacks, does not queue. */
const BRIDGE_SLACK_PER_SECOND = 50;
const PATHS = ['native', 'bridge'];
/** The alert's `seq` label value; it is a group label, so both message formats carry it. */
const TOKEN = /bnb-\d+-\d+/;

/**
 * The Slack sink the tests use (it answers 200 "ok" and rejects what Slack rejects), noting the first
 * arrival time (performance.now() scale) of each alert's token.
 */
async function startTokenSink() {
  const arrivals = new Map();
  let messages = 0;
  const sink = await startSlackSink({
    onRequest: ({ at, status, body }) => {
      const token = TOKEN.exec(JSON.stringify(body))?.[0];
      if (status !== 200 || token === undefined) return;
      messages += 1;
      if (!arrivals.has(token)) arrivals.set(token, at - performance.timeOrigin);
    },
  });
  return { url: sink.url, arrivals, messages: () => messages, requests: sink.requests, stop: sink.stop };
}

/** `ide-monitor serve` with the bridge routing every alert to Slack, i.e. the sink. */
async function startBridge(dir, slackUrl) {
  const config = path.join(dir, 'ide-monitor.yml');
  const bridge = {
    data_dir: path.join(dir, 'bridge-data'),
    routes: [{ channels: ['slack'] }],
    channels: { slack: { webhook_url: slackUrl, send_resolved: false, messages_per_second: BRIDGE_SLACK_PER_SECOND } },
  };
  // JSON is YAML, and saves a YAML writer here.
  writeFileSync(config, JSON.stringify({ bridge }));
  return startServe({ args: [`--config.file=${config}`, '--no-collector.hostinfo'], viaShebang: false });
}

/** A real Alertmanager, clustering off, one route per path, each alert its own group flushed at once. */
function startRoutingAlertmanager({ slackUrl, webhookUrl }) {
  return startAlertmanager({
    binary: ALERTMANAGER,
    config: {
      route: {
        receiver: 'native-slack',
        group_by: ['alertname', 'seq'],
        group_wait: '0s',
        // Long enough that no group is flushed a second time during the run.
        group_interval: '10m',
        repeat_interval: '1h',
        routes: [
          { receiver: 'native-slack', matchers: ['path="native"'] },
          { receiver: 'bridge', matchers: ['path="bridge"'] },
        ],
      },
      receivers: [
        { name: 'native-slack', slack_configs: [{ api_url: slackUrl, channel: '#bench', send_resolved: false }] },
        { name: 'bridge', webhook_configs: [{ url: webhookUrl, send_resolved: false, max_alerts: 0 }] },
      ],
    },
  });
}

function postAlert(amUrl, agent, alert) {
  return new Promise((resolve, reject) => {
    const req = http.request(`${amUrl}/api/v2/alerts`, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`Alertmanager answered ${res.statusCode} to POST /api/v2/alerts`))));
    });
    req.on('error', (error) => reject(new Error(`Alertmanager: POST /api/v2/alerts failed: ${error.message}`)));
    req.setTimeout(DELIVERY_DEADLINE_MS, () => req.destroy(new Error(`no answer within ${DELIVERY_DEADLINE_MS} ms`)));
    req.end(JSON.stringify([alert]));
  });
}

/**
 * Posts `perPath` alerts per path, alternating (`first` goes first), one every POST_INTERVAL_MS on a
 * fixed schedule, then waits (bounded) for the sinks; resolves to each path's latencies and counts.
 */
async function measure({ am, agent, sinks, round, perPath, first }) {
  const order = first === 'native' ? PATHS : [...PATHS].reverse();
  const sent = new Map(PATHS.map((p) => [p, new Map()]));
  const startsAt = new Date(Date.now() - 1000).toISOString();
  const t0 = performance.now();
  for (let i = 0; i < perPath * 2; i++) {
    const via = order[i % 2];
    const seq = `bnb-${round}-${i}`;
    const at = performance.now();
    sent.get(via).set(seq, at);
    await postAlert(am.url, agent, {
      labels: { alertname: 'BenchNativeVsBridge', seq, path: via, severity: 'medium' },
      annotations: { summary: `Bench alert ${seq}.` },
      startsAt,
    });
    const wait = t0 + (i + 1) * POST_INTERVAL_MS - performance.now();
    if (wait > 0) await sleep(wait);
  }
  const missing = () => PATHS.some((p) => [...sent.get(p).keys()].some((seq) => !sinks[p].arrivals.has(seq)));
  const deadline = performance.now() + DELIVERY_DEADLINE_MS;
  while (missing() && performance.now() < deadline) await sleep(20);
  const result = {};
  for (const p of PATHS) {
    const ms = [...sent.get(p)].filter(([seq]) => sinks[p].arrivals.has(seq)).map(([seq, at]) => sinks[p].arrivals.get(seq) - at);
    result[p] = { median: median(ms), p99: percentile(ms, 99), delivered: ms.length, sent: sent.get(p).size };
  }
  return result;
}

/** Runs the comparison for `rounds` rounds on one Alertmanager + bridge; everything started is stopped. */
export async function benchBridgeVsNative({ rounds, progress = () => {} }) {
  if (!existsSync(ALERTMANAGER)) throw new Error(`${ALERTMANAGER} is missing: install prometheus-alertmanager (scripts/install-test-deps.sh)`);
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-bridge-native-'));
  const stops = [];
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const sinks = {};
    for (const p of PATHS) {
      sinks[p] = await startTokenSink();
      stops.push(sinks[p].stop);
    }
    const bridge = await startBridge(dir, sinks.bridge.url);
    stops.push(() => bridge.stop());
    const am = await startRoutingAlertmanager({ slackUrl: sinks.native.url, webhookUrl: `${bridge.base}/api/v1/alertmanager/webhook` });
    stops.push(() => am.stop());
    progress(`Alertmanager vs bridge: warm-up (${WARMUP_PER_PATH} alerts per path)`);
    const warm = await measure({ am, agent, sinks, round: 0, perPath: WARMUP_PER_PATH, first: 'native' });
    for (const p of PATHS)
      if (warm[p].delivered === 0)
        throw new Error(`Alertmanager vs bridge: nothing arrived through the ${p} path in the warm-up\n${am.output()}\n${bridge.output()}`);
    const perRound = [];
    for (let round = 1; round <= rounds; round++) {
      progress(`Alertmanager vs bridge round ${round}/${rounds}: ${ALERTS_PER_PATH} alerts per path, alternating, one every ${POST_INTERVAL_MS} ms`);
      perRound.push(await measure({ am, agent, sinks, round, perPath: ALERTS_PER_PATH, first: PATHS[(round - 1) % 2] }));
    }
    for (const p of PATHS) {
      // A message Slack would refuse is not a delivery; the comparison is void if either path sent one.
      const rejected = sinks[p].requests.filter((r) => r.status >= 400);
      if (rejected.length > 0)
        throw new Error(
          `Alertmanager vs bridge: the ${p} path's Slack sink rejected ${rejected.length} messages (HTTP ${rejected[0].status}), e.g. ${JSON.stringify(rejected[0].body).slice(0, 300)}`,
        );
    }
    return { perRound, messages: Object.fromEntries(PATHS.map((p) => [p, sinks[p].messages()])) };
  } finally {
    agent.destroy();
    // In reverse: Alertmanager first, so it sends nothing to a stopped bridge or sink.
    for (const stop of stops.reverse()) await stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The detailed table and the summary rows of the comparison. */
export function bridgeVsNativeReport({ perRound, messages }) {
  const col = (p, key) => perRound.map((r) => r[p][key]);
  // Across rounds the observed middle round, as the rest of the bridge section reports.
  const s = (p, key) => spreadOf(col(p, key), upperMedian);
  const ratio = (key) => ratioOf(col('bridge', key), col('native', key), upperMedian);
  const delivered = (p) => `${col(p, 'delivered').reduce((a, b) => a + b, 0)}/${col(p, 'sent').reduce((a, b) => a + b, 0)}`;
  const markdown = [
    `One Alertmanager (${path.basename(ALERTMANAGER)} on 127.0.0.1, clustering off), two routes: \`path="native"\` → its own \`slack_configs\` receiver; \`path="bridge"\` → \`webhook_configs\` → the bridge → Slack (bridge pace raised to ${BRIDGE_SLACK_PER_SECOND}/s). ` +
      `Both Slack URLs are local sinks answering as Slack does (200 "ok"; 400 for what Slack rejects). Per round ${ALERTS_PER_PATH} alerts per path, posted alternately one at a time every ${POST_INTERVAL_MS} ms, each its own group (group_by alertname, seq; group_wait 0s); ` +
      `time from the POST to /api/v2/alerts until the sink has the message. Median (min–max) across rounds; ratio = bridge / native, per round.`,
    '',
    table(
      ['path', 'POST → Slack median (ms)', 'POST → Slack p99 (ms)', 'delivered', 'messages received'],
      [
        ['Alertmanager → Slack (native)', spread(s('native', 'median'), 2), spread(s('native', 'p99'), 2), delivered('native'), String(messages.native)],
        ['Alertmanager → bridge → Slack', spread(s('bridge', 'median'), 2), spread(s('bridge', 'p99'), 2), delivered('bridge'), String(messages.bridge)],
        ['ratio bridge / native', spread(ratio('median'), 2), spread(ratio('p99'), 2), '', ''],
      ],
    ),
    '',
    `Messages received include the warm-up's ${WARMUP_PER_PATH} per path; more messages than alerts would mean a repeated notification.`,
  ].join('\n');
  const vsNative = (key) => ({ ours: s('bridge', key), reference: s('native', key), referenceName: 'AM native Slack', ratio: ratio(key), better: 'lower' });
  const deliveredAll = (p) => col(p, 'delivered').every((d, i) => d === col(p, 'sent')[i]);
  const headline = [
    { figure: 'Alertmanager → Slack via bridge, median', unit: 'ms', digits: 2, ...vsNative('median') },
    { figure: 'Alertmanager → Slack via bridge, p99', unit: 'ms', digits: 2, ...vsNative('p99') },
    {
      figure: 'Alertmanager → Slack, alerts delivered',
      digits: 0,
      ours: s('bridge', 'delivered'),
      reference: s('native', 'delivered'),
      referenceName: 'AM native Slack',
      ratio: ratio('delivered'),
      better: 'higher',
      target: `all ${fmt(ALERTS_PER_PATH, 0)} per round`,
      pass: deliveredAll('bridge'),
    },
  ];
  return { markdown, headline };
}
