// Ingestion benchmark: how many observations per second `ide-monitor serve` accepts on POST /api/v1/ingest
// from a loopback load generator (autocannon, batches of 100 mixed observations), with the exporter's CPU and
// RSS; and, side by side in one process, what each stage of the hot path costs per batch.
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { Registry } from 'prom-client';
import { fastValidate } from '../dist/ingest/fast-validate.js';
import { ingestBatchSchema } from '../dist/ingest/schema.js';
import { IngestSink } from '../dist/ingest/sink.js';
import { fmt, mark, spread, table } from './markdown.mjs';
import { CLK_TCK, cpuTicks, median, rssMb, spreadOf, startServe } from './support.mjs';

const BATCH_SIZE = 100;
const DISTINCT_BODIES = 32;
const CONNECTIONS = 4;
const ROUND_SECONDS = 5;
const WARMUP_SECONDS = 2;
const TARGET_OBS_PER_S = 200_000;
const STAGE_ITERATIONS = 3_000;

/** A deterministic generator, so every run sends the same bodies. */
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const SERVERS = ['tsserver', 'pyright', 'gopls'];
const REQUESTS = [
  'textDocument/hover',
  'textDocument/completion',
  'textDocument/definition',
  'textDocument/references',
  'textDocument/documentSymbol',
  'textDocument/semanticTokens/full',
];
const NOTIFICATIONS = ['textDocument/didChange', 'textDocument/didOpen', 'textDocument/publishDiagnostics', '$/progress', '$/cancelRequest'];
const OPERATIONS = ['ui_refresh', 'index_update', 'file_save', 'project_load', 'search'];
const CACHES = ['symbols', 'ast', 'completions'];

/** What a proxy and an IDE backend send in a busy minute: mostly request timings, some of everything else. */
function makeBatch(index) {
  const r = rng(index + 1);
  const pick = (xs) => xs[Math.floor(r() * xs.length)];
  const seconds = () => Math.min(9.9, Math.exp(Math.log(0.004) + r() * 4) / 10);
  const server = pick(SERVERS);
  const observations = [
    {
      kind: 'lsp_state',
      server,
      up: true,
      in_flight: { client_to_server: Math.floor(r() * 4), server_to_client: 0 },
      diagnostics: { error: 3, warning: 12, information: 0, hint: 4 },
    },
  ];
  while (observations.length < BATCH_SIZE) {
    const x = r();
    if (x < 0.4) {
      const error = r() < 0.03;
      observations.push({
        kind: 'lsp_request',
        server,
        method: pick(REQUESTS),
        outcome: error ? 'error' : 'ok',
        duration_seconds: seconds(),
        ...(error && { error_code: -32603 }),
      });
    } else if (x < 0.6) {
      observations.push({ kind: 'lsp_notification', server, method: pick(NOTIFICATIONS), direction: r() < 0.7 ? 'client_to_server' : 'server_to_client' });
    } else if (x < 0.7) {
      observations.push({ kind: 'lsp_bytes', server, direction: r() < 0.5 ? 'client_to_server' : 'server_to_client', bytes: Math.floor(r() * 20_000) });
    } else if (x < 0.88) {
      observations.push({ kind: 'operation', operation: pick(OPERATIONS), outcome: r() < 0.02 ? 'error' : 'ok', duration_seconds: seconds() });
    } else {
      observations.push({ kind: 'cache', cache: pick(CACHES), result: r() < 0.8 ? 'hit' : 'miss' });
    }
  }
  return { version: 1, instance: `lsp-proxy:bench:${index % 16}`, observations };
}

function fire(url, bodies, seconds) {
  return autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    requests: bodies.map((body) => ({ method: 'POST', path: '/api/v1/ingest', headers: { 'content-type': 'application/json' }, body })),
  });
}

async function loadRound(target, bodies) {
  const ticks = cpuTicks(target.pid);
  const t0 = performance.now();
  const result = await fire(target.base, bodies, ROUND_SECONDS);
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = ((cpuTicks(target.pid) - ticks) / CLK_TCK / elapsed) * 100;
  const accepted = result.statusCodeStats?.['204']?.count ?? 0;
  return {
    obsPerS: (Number(accepted) * BATCH_SIZE) / result.duration,
    batchesPerS: Number(accepted) / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    cpuPct: cpu,
    rssMb: rssMb(target.pid),
    rejected: result.non2xx + result.errors + result.timeouts,
    accepted: Number(accepted),
  };
}

async function scrapeCounted(target) {
  const text = await (await fetch(`${target.base}/metrics`)).text();
  let observations = 0;
  let series = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('ide_ingest_observations_total{')) observations += Number(line.slice(line.lastIndexOf(' ') + 1));
    if (/^ide_(lsp|app)_/.test(line)) series += 1;
  }
  return { observations, series };
}

/**
 * µs per 100-observation batch for each stage, in this process, on the same bodies. Each body is parsed
 * right before it is validated, as in the server (a just-parsed body is in cache), so the validators are
 * shown together with JSON.parse; the variants run in alternating blocks and the median block counts, so
 * a noisy neighbour hits them alike.
 */
function stageCosts(bodies) {
  const sink = new IngestSink({
    registry: new Registry(),
    config: { max_label_values: 100, allowlists: {}, instance_stale_after: 60_000, server_retention: 900_000 },
  });
  const batches = bodies.map((b) => ingestBatchSchema.parse(JSON.parse(b)));
  const variants = {
    'JSON.parse': (i) => JSON.parse(bodies[i % bodies.length]),
    'JSON.parse + fast-path validator': (i) => fastValidate(JSON.parse(bodies[i % bodies.length])),
    'JSON.parse + zod safeParse': (i) => ingestBatchSchema.safeParse(JSON.parse(bodies[i % bodies.length])),
    'apply to metrics': (i) => sink.apply(batches[i % batches.length], 'remote:bench'),
  };
  const blocks = 9;
  const perBlock = Math.ceil(STAGE_ITERATIONS / blocks);
  const samples = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  for (const fn of Object.values(variants)) for (let i = 0; i < 300; i += 1) fn(i);
  for (let block = 0; block < blocks; block += 1) {
    for (const [name, fn] of Object.entries(variants)) {
      const t0 = performance.now();
      for (let i = 0; i < perBlock; i += 1) fn(i);
      samples[name].push(((performance.now() - t0) * 1000) / perBlock);
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([name, xs]) => [name, median(xs)]));
}

export async function run({ progress = () => {}, rounds = 3 } = {}) {
  const bodies = Array.from({ length: DISTINCT_BODIES }, (_, i) => JSON.stringify(makeBatch(i)));
  const meanBytes = bodies.reduce((n, b) => n + b.length, 0) / bodies.length;
  progress('in-process stage costs');
  const stages = stageCosts(bodies);
  // Without the alert bridge: its SQLite outbox would land in ./data, and it is not what is measured.
  const target = await startServe({ args: ['--no-bridge.enabled'] });
  const perRound = [];
  let counted;
  try {
    progress(`warm-up ${WARMUP_SECONDS}s`);
    await fire(target.base, bodies, WARMUP_SECONDS);
    for (let i = 0; i < rounds; i += 1) {
      progress(`round ${i + 1}/${rounds}: ${CONNECTIONS} connections, ${ROUND_SECONDS}s`);
      perRound.push(await loadRound(target, bodies));
    }
    counted = await scrapeCounted(target);
  } finally {
    await target.stop();
  }
  const col = (key) => spreadOf(perRound.map((r) => r[key]));
  const obs = col('obsPerS');
  const lines = [
    `POST /api/v1/ingest on the built \`dist/cli.js serve\` (default config but \`--no-bridge.enabled\`, loopback, no token), autocannon in the`,
    `benchmark's process: ${CONNECTIONS} connections, ${ROUND_SECONDS} s per round, ${rounds} rounds after a ${WARMUP_SECONDS} s warm-up;`,
    `${DISTINCT_BODIES} distinct batches of ${BATCH_SIZE} mixed observations (40% request timings, 20% notifications, 10% bytes,`,
    `18% operations, 11% cache, 1 lsp_state), ${fmt(meanBytes / 1024, 1)} KiB each. Median (min–max) over rounds.`,
    '',
    table(
      [
        'observations/s',
        'batches/s',
        'p50 latency ms',
        'p99 latency ms',
        'exporter CPU %',
        'exporter RSS MB',
        `target ≥ ${TARGET_OBS_PER_S.toLocaleString('en')}/s`,
      ],
      [
        [
          spread(obs, 0),
          spread(col('batchesPerS'), 0),
          spread(col('p50Ms'), 1),
          spread(col('p99Ms'), 1),
          spread(col('cpuPct'), 0),
          spread(col('rssMb'), 0),
          mark(obs.median >= TARGET_OBS_PER_S),
        ],
      ],
    ),
    '',
    `Non-2xx answers or errors: ${perRound.reduce((n, r) => n + r.rejected, 0)}. The exporter's own counter afterwards:`,
    `${counted.observations.toLocaleString('en')} observations accepted (warm-up included), ${counted.series} \`ide_lsp_*\`/\`ide_app_*\` series.`,
    '',
    `Hot-path stages in one process, µs per batch of ${BATCH_SIZE} (median of 9 alternating blocks, ${STAGE_ITERATIONS} batches each variant):`,
    '',
    table(
      ['stage', 'µs / batch', 'ceiling obs/s on one core'],
      Object.entries(stages).map(([stage, us]) => [stage, fmt(us, 1), Math.round((BATCH_SIZE / us) * 1e6).toLocaleString('en')]),
    ),
    '',
    `The fast-path validator replaces zod for valid batches (zod still answers for invalid ones). Validation alone,`,
    `parse subtracted: fast path ${fmt(stages['JSON.parse + fast-path validator'] - stages['JSON.parse'], 1)} µs, zod ${fmt(stages['JSON.parse + zod safeParse'] - stages['JSON.parse'], 1)} µs per batch.`,
  ];
  const headline = [
    {
      figure: `observations accepted, ${CONNECTIONS} connections`,
      unit: 'obs/s',
      digits: 0,
      ours: obs,
      better: 'higher',
      target: `≥ ${TARGET_OBS_PER_S.toLocaleString('en')}`,
      pass: obs.median >= TARGET_OBS_PER_S,
    },
    { figure: 'ingest request p99', unit: 'ms', digits: 1, ours: col('p99Ms'), better: 'lower' },
  ];
  return { markdown: lines.join('\n'), headline };
}

// Runnable on its own: `node bench/ingest.mjs [rounds]` (after `npm run build`).
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  run({ progress: (m) => console.error(`ingest: ${m}`), rounds: Number(process.argv[2] ?? 3) }).then(({ markdown }) => console.log(markdown));
}
