// Remote write: what pushing costs the exporter, side by side in one run. Three `serve` processes with the
// same collectors are scraped alternately: one without remote write (the reference), one pushing every
// second to a real Prometheus (--web.enable-remote-write-receiver), one pushing to a port nobody listens
// on (the receiver is down: the queue is full, every send fails and backs off). Scrapes must not notice
// either; the CPU figures show what gathering, encoding and sending cost per second.
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../tests/support/ports.mjs';
import { startPrometheus } from '../tests/support/prometheus.mjs';
import { get } from './exporter.mjs';
import { spread, table } from './markdown.mjs';
import { CLK_TCK, cpuTicks, median, percentile, ratioOf, spreadOf, startServe } from './support.mjs';

const SCRAPES_PER_ROUND = 150;
/** Per round, a stretch without scrapes: the CPU the processes use then is the pushing's own cost. */
const IDLE_SECONDS = 6;
const WARMUP_SCRAPES = 20;
const PROMETHEUS = '/usr/bin/prometheus';
/** Pushes per second: 15x the default interval, so a round sees many pushes. */
const INTERVAL = '1s';

/** A real Prometheus that scrapes nothing and takes pushes on /api/v1/write. */
async function startReceiver() {
  const server = await startPrometheus({ binary: PROMETHEUS, scrapeTargets: [], scrapeInterval: '1m', remoteWriteReceiver: true });
  return { server, url: `${server.url}/api/v1/write` };
}

/** The common flags: no status page (it samples every second on its own) and no bridge outbox. */
const COMMON = ['--no-status.enabled', '--no-bridge.enabled', '--no-collector.hostinfo', `--remote-write.interval=${INTERVAL}`];

async function startTarget(name, args) {
  const server = await startServe({ args: [...COMMON, ...args] });
  return { name, server, url: `${server.base}/metrics`, agent: new http.Agent({ keepAlive: true, maxSockets: 1 }) };
}

async function metric(target, name, labels = '') {
  const body = (await get(target)).body.toString('utf8');
  const line = body.split('\n').find((l) => l.startsWith(`${name}${labels}`) && (labels !== '' || /[ {]/.test(l[name.length])));
  return line === undefined ? NaN : Number(line.slice(line.lastIndexOf(' ') + 1));
}

async function round(targets) {
  const ms = new Map(targets.map((t) => [t, []]));
  for (let i = 0; i < SCRAPES_PER_ROUND; i += 1) {
    for (const target of targets) {
      const result = await get(target);
      if (result.status !== 200) throw new Error(`${target.name}: /metrics answered ${result.status}`);
      ms.get(target).push(result.ms);
    }
  }
  const ticks = new Map(targets.map((t) => [t, cpuTicks(t.server.pid)]));
  const idleStart = performance.now();
  await sleep(IDLE_SECONDS * 1000);
  const seconds = (performance.now() - idleStart) / 1000;
  return Object.fromEntries(
    targets.map((t) => [
      t.name,
      {
        medianMs: median(ms.get(t)),
        p99Ms: percentile(ms.get(t), 99),
        idleCpuMsPerS: (((cpuTicks(t.server.pid) - ticks.get(t)) / CLK_TCK) * 1000) / seconds,
      },
    ]),
  );
}

export async function run({ progress = () => {}, rounds = 3 } = {}) {
  const started = [];
  try {
    progress('starting Prometheus (remote-write receiver) and three exporters');
    const receiver = await startReceiver();
    started.push({ server: receiver.server });
    const dead = `http://127.0.0.1:${await freePort()}/api/v1/write`;
    const targets = [];
    for (const [name, args] of [
      ['no remote write', []],
      ['pushing', [`--remote-write.url=${receiver.url}`]],
      ['receiver down', [`--remote-write.url=${dead}`]],
    ]) {
      const target = await startTarget(name, args);
      targets.push(target);
      started.push(target);
    }
    progress(`warm-up (${WARMUP_SCRAPES} scrapes each) and 5 s of pushes`);
    for (let i = 0; i < WARMUP_SCRAPES; i += 1) for (const t of targets) await get(t);
    await sleep(5000);
    const perRound = [];
    for (let r = 1; r <= rounds; r += 1) {
      progress(`round ${r}/${rounds}…`);
      perRound.push(await round(targets));
    }
    const [base, pushing, down] = targets.map((t) => t.name);
    const sent = await metric(targets[1], 'ide_remote_write_samples_total', '{url="' + receiver.url + '",outcome="sent"}');
    const bytes = await metric(targets[1], 'ide_remote_write_sent_bytes_total');
    const queued = await metric(targets[2], 'ide_remote_write_queue_samples');
    const dropped = await metric(targets[2], 'ide_remote_write_samples_total', '{url="' + dead + '",outcome="dropped"}');
    const fig = (name, key) => spreadOf(perRound.map((r) => r[name][key]));
    const ratio = (name, key) =>
      ratioOf(
        perRound.map((r) => r[name][key]),
        perRound.map((r) => r[base][key]),
      );
    const row = (name) => [
      name,
      spread(fig(name, 'medianMs'), 2),
      spread(fig(name, 'p99Ms'), 2),
      name === base ? '' : spread(ratio(name, 'medianMs'), 2),
      spread(fig(name, 'idleCpuMsPerS'), 1),
    ];
    const markdown = [
      `${rounds} round${rounds === 1 ? '' : 's'} × ${SCRAPES_PER_ROUND} alternating scrapes of three \`serve\` processes (same collectors, no status page, no bridge), pushing every ${INTERVAL}, then ${IDLE_SECONDS} s without scrapes for the CPU figure; values are median (min–max) across rounds, ratio = this / "${base}" per round.`,
      '',
      table(
        ['exporter', 'scrape median (ms)', 'scrape p99 (ms)', 'ratio median', `CPU without scrapes (ms per s, ${IDLE_SECONDS} s)`],
        [row(base), row(pushing), row(down)],
      ),
      '',
      `Pushing: ${sent} samples accepted by Prometheus, ${(bytes / sent).toFixed(2)} compressed bytes per sample on the wire (protobuf + snappy, retries included). Receiver down: ${queued} samples queued (the default capacity is 100,000, so the queue was still filling), ${dropped} dropped.`,
    ].join('\n');
    const vs = (name, key, figure, unit, digits) => ({
      figure,
      unit,
      digits,
      ours: fig(name, key),
      reference: fig(base, key),
      referenceName: 'no remote write',
      ratio: ratio(name, key),
      better: 'lower',
    });
    const headline = [
      { ...vs(pushing, 'medianMs', 'scrape median while pushing', 'ms', 2), target: 'ratio ≤ 1.1', pass: ratio(pushing, 'medianMs').median <= 1.1 },
      { ...vs(down, 'medianMs', 'scrape median, receiver down', 'ms', 2), target: 'ratio ≤ 1.1', pass: ratio(down, 'medianMs').median <= 1.1 },
      vs(pushing, 'idleCpuMsPerS', `CPU between scrapes, pushing every ${INTERVAL}`, 'ms/s', 1),
      vs(down, 'idleCpuMsPerS', 'CPU between scrapes, receiver down', 'ms/s', 1),
      { figure: 'wire bytes per sample', unit: 'B', digits: 2, ours: bytes / sent, better: 'lower' },
    ];
    return { markdown, headline };
  } finally {
    for (const t of started.reverse()) {
      t.agent?.destroy();
      await t.server.stop();
    }
  }
}
