// Scrape benchmark: ide-monitor's exporter against Debian's node_exporter, both running in the same
// run and scraped alternately, so that whatever else the (noisy, 2-core) machine does hits both alike.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { fmt, mark, once, spread, table } from './markdown.mjs';
import { freePort } from '../tests/support/ports.mjs';
import { startProcess } from '../tests/support/process.mjs';
import { CHILD_OPTIONS, CLI, CLK_TCK, cpuTicks, median, percentile, READY_TIMEOUT_MS, rssMb, spreadOf } from './support.mjs';

const SCRAPES_PER_ROUND = 200;
const WARMUP_SCRAPES = 20;
const RSS_AFTER_SCRAPES = 500;
const NODE_EXPORTER = '/usr/bin/prometheus-node-exporter';

/** Each entry is the only place an exporter differs; everything below runs the same code for both. */
const TARGETS = [
  {
    name: 'ide-monitor',
    // Run as users run it, through the shebang, so the V8 flags it carries are measured too.
    command: CLI,
    args: (addr) => ['serve', `--web.listen-address=${addr}`, '--log.level=warn'],
  },
  {
    name: 'node_exporter',
    command: NODE_EXPORTER,
    // Default collectors on purpose: the comparison is against what users get out of the box.
    args: (addr) => [`--web.listen-address=${addr}`, '--log.level=warn'],
  },
];

async function start(spec) {
  const address = `127.0.0.1:${await freePort()}`;
  return {
    name: spec.name,
    server: startProcess(spec.command, spec.args(address), { ...CHILD_OPTIONS, name: spec.name }),
    url: `http://${address}/metrics`,
    // One keep-alive socket per target, as Prometheus keeps its scrape connection open; this measures
    // the exporter's scrape work rather than TCP setup.
    agent: new http.Agent({ keepAlive: true, maxSockets: 1 }),
    scrapes: 0,
  };
}

async function waitReady(target) {
  await target.server.waitReady(`answering ${target.url}`, async () => (await get(target)).status === 200, READY_TIMEOUT_MS);
}

/** A plain GET without Accept-Encoding (like curl), timed until the last byte of the body has arrived. */
export function get(target) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = http.get(target.url, { agent: target.agent }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, ms: performance.now() - t0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    // A wedged exporter should fail the run, not hang it.
    req.setTimeout(READY_TIMEOUT_MS, () => req.destroy(new Error(`${target.name}: no answer within ${READY_TIMEOUT_MS} ms`)));
  });
}

async function scrape(target) {
  const result = await get(target);
  if (result.status !== 200) throw new Error(`${target.name}: /metrics answered ${result.status}`);
  target.scrapes += 1;
  // Sampled the moment the count is reached, wherever that falls inside a round.
  if (target.scrapes === RSS_AFTER_SCRAPES) target.rssMb = rssMb(target.server.pid);
  return result;
}

function countSeries(body) {
  let series = 0;
  for (const line of body.toString('utf8').split('\n')) if (line !== '' && !line.startsWith('#')) series += 1;
  return series;
}

/** Scrapes the targets in turn `count` times each: noise at any moment lands on both, not on one. */
async function alternate(targets, count, onEach = () => {}) {
  for (let i = 0; i < count; i += 1) {
    for (const target of targets) onEach(target, await scrape(target));
  }
}

async function round(targets) {
  const samples = new Map(targets.map((t) => [t, { ms: [], last: undefined }]));
  const ticksBefore = new Map(targets.map((t) => [t, cpuTicks(t.server.pid)]));
  await alternate(targets, SCRAPES_PER_ROUND, (target, result) => {
    const s = samples.get(target);
    s.ms.push(result.ms);
    s.last = result.body;
  });
  const figures = {};
  for (const target of targets) {
    const { ms, last } = samples.get(target);
    const ticks = cpuTicks(target.server.pid) - ticksBefore.get(target);
    figures[target.name] = {
      medianMs: median(ms),
      p99Ms: percentile(ms, 99),
      cpuMsPerScrape: ((ticks / CLK_TCK) * 1000) / SCRAPES_PER_ROUND,
      series: countSeries(last),
      bodyBytes: last.length,
    };
  }
  return figures;
}

async function stop(target) {
  target.agent.destroy();
  await target.server.stop();
}

/**
 * Runs the side-by-side scrape benchmark; resolves to medians, min–max spreads and per-round ratios
 * (see `summarise`), which `exporterMarkdown` renders.
 */
export async function benchExporter({ rounds = 3, onProgress = () => {} } = {}) {
  const targets = [];
  try {
    // Pushed one by one so the finally block stops whichever already started if a later one fails.
    for (const spec of TARGETS) targets.push(await start(spec));
    onProgress('waiting for both exporters to answer /metrics');
    await Promise.all(targets.map(waitReady));
    onProgress(`warm-up (${WARMUP_SCRAPES} scrapes each)`);
    await alternate(targets, WARMUP_SCRAPES);
    const perRound = [];
    for (let r = 1; r <= rounds; r += 1) {
      onProgress(`round ${r}/${rounds}…`);
      perRound.push(await round(targets));
    }
    if (targets.some((t) => t.scrapes < RSS_AFTER_SCRAPES)) {
      onProgress(`scraping on to ${RSS_AFTER_SCRAPES} scrapes for the RSS sample`);
      await alternate(targets, RSS_AFTER_SCRAPES - Math.min(...targets.map((t) => t.scrapes)));
    }
    return summarise(perRound, Object.fromEntries(targets.map((t) => [t.name, t.rssMb])));
  } finally {
    await Promise.all(targets.map(stop));
  }
}

function summarise(perRound, rssMbByName) {
  const [ours, theirs] = TARGETS.map((t) => t.name);
  const figure = (key) => ({
    ours: spreadOf(perRound.map((r) => r[ours][key])),
    theirs: spreadOf(perRound.map((r) => r[theirs][key])),
    // Ratio per round first, then the median: each round's pair saw the same machine conditions.
    ratio: spreadOf(perRound.map((r) => r[ours][key] / r[theirs][key])),
  });
  return {
    names: { ours, theirs },
    rounds: perRound.length,
    scrapesPerRound: SCRAPES_PER_ROUND,
    clkTck: CLK_TCK,
    medianMs: figure('medianMs'),
    p99Ms: figure('p99Ms'),
    cpuMsPerScrape: figure('cpuMsPerScrape'),
    series: figure('series'),
    bodyKb: figure('bodyBytes'),
    rssMb: { ours: rssMbByName[ours], theirs: rssMbByName[theirs] },
    perRound,
  };
}

/** The exporter section as Markdown: one table, values as "median (min–max)" across rounds. */
export function exporterMarkdown(s) {
  const { ours, theirs } = s.names;
  const vsTheirs = (fig) => `≤ ${theirs} (ratio ≤ 1) ${mark(fig.ratio.median <= 1)}`;
  const row = (label, fig, digits, { scale = 1, ratio = false, target = '' } = {}) => [
    label,
    spread(fig.ours, digits, scale),
    spread(fig.theirs, digits, scale),
    ratio ? spread(fig.ratio, 2) : '',
    target,
  ];
  const rows = [
    row('scrape latency median (ms)', s.medianMs, 2, { ratio: true, target: vsTheirs(s.medianMs) }),
    row('scrape latency p99 (ms)', s.p99Ms, 2, { ratio: true, target: `< 10 ms ${mark(s.p99Ms.ours.median < 10)}` }),
    row('CPU per scrape (ms)', s.cpuMsPerScrape, 2, { ratio: true, target: vsTheirs(s.cpuMsPerScrape) }),
    row('series', s.series, 0),
    row('body (KB)', s.bodyKb, 1, { scale: 1 / 1024 }),
    [`RSS after ${RSS_AFTER_SCRAPES} scrapes (MB)`, fmt(s.rssMb.ours, 1), fmt(s.rssMb.theirs, 1), '', `< 80 MB ${mark(s.rssMb.ours < 80)}`],
  ];
  const note =
    `${s.rounds} round${s.rounds === 1 ? '' : 's'} × ${s.scrapesPerRound} alternating scrapes per exporter after ${WARMUP_SCRAPES} warm-up scrapes; ` +
    `values are median (min–max) across rounds; ratio = ${ours} / ${theirs}, taken per round; ` +
    `CPU from /proc/<pid>/stat utime+stime at ${s.clkTck} ticks/s.`;
  return `${table(['figure', ours, theirs, 'ratio', 'target'], rows)}\n\n${note}`;
}

/** The exporter's rows of the summary: latency, CPU and RSS, each against node_exporter in the same rounds. */
export function exporterHeadline(s) {
  const { theirs } = s.names;
  const vs = (fig) => ({ ours: fig.ours, reference: fig.theirs, referenceName: theirs, ratio: fig.ratio, better: 'lower' });
  return [
    { figure: 'scrape latency median', unit: 'ms', digits: 2, ...vs(s.medianMs), target: `ratio ≤ 1`, pass: s.medianMs.ratio.median <= 1 },
    { figure: 'scrape latency p99', unit: 'ms', digits: 2, ...vs(s.p99Ms), target: '< 10 ms', pass: s.p99Ms.ours.median < 10 },
    { figure: 'CPU per scrape', unit: 'ms', digits: 2, ...vs(s.cpuMsPerScrape), target: 'ratio ≤ 1', pass: s.cpuMsPerScrape.ratio.median <= 1 },
    {
      figure: `RSS after ${RSS_AFTER_SCRAPES} scrapes`,
      unit: 'MB',
      digits: 1,
      ours: s.rssMb.ours,
      reference: s.rssMb.theirs,
      referenceName: theirs,
      ratio: once(s.rssMb.ours / s.rssMb.theirs),
      better: 'lower',
      target: '< 80 MB',
      pass: s.rssMb.ours < 80,
    },
  ];
}

/** `npm run bench` entry. */
export async function run({ progress = () => {}, rounds = 3 } = {}) {
  const s = await benchExporter({ rounds, onProgress: progress });
  return { markdown: exporterMarkdown(s), headline: exporterHeadline(s) };
}
