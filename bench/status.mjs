// Status page stream benchmark: 200 concurrent Server-Sent Events clients on loopback against the built
// `ide-monitor serve`, for `duration` seconds (default 60). Measures the server's CPU with no viewer and
// with the clients side by side in one run, the update latency (server timestamp `ts` in each event vs
// the client's receive time, same clock), RSS growth, and whether any client was dropped.
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { fmt, mark, table } from './markdown.mjs';
import { cpuSeconds, percentile, rssMb, startServe } from './support.mjs';

const CLIENTS = 200;
const IDLE_SECONDS = 10;
const METHODS = ['textDocument/completion', 'textDocument/hover', 'textDocument/definition', 'textDocument/references'];

/** LSP traffic through the ingestion API, so each event carries a realistic table (4 methods). */
async function feed(base) {
  const observations = METHODS.flatMap((method, m) =>
    Array.from({ length: 10 }, (_, i) => ({
      kind: 'lsp_request',
      server: 'typescript',
      method,
      outcome: i === 0 && m === 3 ? 'error' : 'ok',
      duration_seconds: 0.005 * (m + 1) * (1 + Math.random()),
    })),
  );
  await fetch(`${base}/api/v1/ingest`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ version: 1, observations }),
  }).catch(() => {});
}

/** One EventSource-like client: parses frames, records latency, notes an unexpected end as a drop. */
function openClient(port, stats) {
  return new Promise((resolve) => {
    const client = { events: 0, dropped: false, status: 0, req: undefined, closing: false };
    const req = http.get({ host: '127.0.0.1', port, path: '/api/v1/stream', agent: false }, (res) => {
      client.status = res.statusCode;
      if (res.statusCode !== 200) {
        res.resume();
        resolve(client);
        return;
      }
      res.setEncoding('utf8');
      let buffer = '';
      res.on('data', (chunk) => {
        const receivedAt = Date.now();
        buffer += chunk;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const line = frame.split('\n').find((l) => l.startsWith('data: '));
          if (line === undefined) continue;
          stats.bytes += line.length;
          const { ts } = JSON.parse(line.slice(6));
          client.events += 1;
          if (stats.recording) stats.latencies.push(receivedAt - ts);
        }
      });
      res.on('close', () => {
        if (!client.closing) client.dropped = true;
      });
      resolve(client);
    });
    req.on('error', () => {
      if (!client.closing) client.dropped = true;
      resolve(client);
    });
    client.req = req;
  });
}

export async function benchStatus({ duration = 60, clients = CLIENTS, onProgress = () => {} } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'ide-monitor-bench-status-'));
  const server = await startServe({ args: [`--data-dir=${dataDir}`, `--status.max-clients=${clients}`], viaShebang: false }).catch((error) => {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  });
  const { port, base, pid } = server;
  const feeder = setInterval(() => void feed(base), 1000);
  const open = [];
  try {
    await feed(base);
    onProgress(`no viewer: ${IDLE_SECONDS} s of the sampler alone`);
    await sleep(2000);
    const idleCpu0 = cpuSeconds(pid);
    await sleep(IDLE_SECONDS * 1000);
    const idleCpu = (cpuSeconds(pid) - idleCpu0) / IDLE_SECONDS;
    const idleRss = rssMb(pid);

    onProgress(`opening ${clients} stream clients`);
    const stats = { latencies: [], bytes: 0, recording: false };
    for (let i = 0; i < clients; i += 1) open.push(await openClient(port, stats));
    const refused = open.filter((c) => c.status !== 200).length;
    const extra = await openClient(port, stats);
    extra.closing = true;
    extra.req.destroy();
    await sleep(2000);
    onProgress(`${clients} clients for ${duration} s`);
    const events0 = open.reduce((n, c) => n + c.events, 0);
    const rss0 = rssMb(pid);
    const cpu0 = cpuSeconds(pid);
    const t0 = Date.now();
    const load0 = loadavg()[0];
    // The clients' own event-loop delay: on a shared 2-core machine part of the latency is the reader's.
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    stats.recording = true;
    stats.bytes = 0;
    await sleep(duration * 1000);
    stats.recording = false;
    loopDelay.disable();
    const seconds = (Date.now() - t0) / 1000;
    const loadCpu = (cpuSeconds(pid) - cpu0) / seconds;
    const rss1 = rssMb(pid);
    const events = open.reduce((n, c) => n + c.events, 0) - events0;
    const dropped = open.filter((c) => c.dropped).length;
    return {
      clients,
      seconds,
      idleCpu,
      loadCpu,
      idleRss,
      rss0,
      rss1,
      p50: percentile(stats.latencies, 50),
      p99: percentile(stats.latencies, 99),
      max: Math.max(...stats.latencies),
      events,
      expectedEvents: clients * seconds,
      bytesPerEvent: stats.bytes / Math.max(1, stats.latencies.length),
      dropped,
      refused,
      overLimitStatus: extra.status,
      clientLoopP99: loopDelay.percentile(99) / 1e6,
      load: [load0, loadavg()[0]],
    };
  } finally {
    clearInterval(feeder);
    for (const c of open) {
      c.closing = true;
      c.req?.destroy();
    }
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export function statusMarkdown(r) {
  const rows = [
    ['server CPU, no viewer (sampler + 1 ingest batch/s)', `${fmt(r.idleCpu * 100, 2)} %`, ''],
    [`server CPU, ${r.clients} stream clients`, `${fmt(r.loadCpu * 100, 2)} %`, `extra ${fmt((r.loadCpu - r.idleCpu) * 100, 2)} % for ${r.clients} clients`],
    ['update latency p50 / p99 / max (ms)', `${fmt(r.p50, 1)} / ${fmt(r.p99, 1)} / ${fmt(r.max, 1)}`, `p99 < 100 ms ${mark(r.p99 < 100)}`],
    ['bench client event-loop delay p99 (ms)', fmt(r.clientLoopP99, 1), 'part of the latency that is the reader, not the server'],
    ['machine load average (1 min) at start / end', `${fmt(r.load[0], 2)} / ${fmt(r.load[1], 2)}`, '2 cores, shared with other work'],
    ['events received / expected', `${r.events} / ${Math.round(r.expectedEvents)}`, `≥ 98 % ${mark(r.events >= 0.98 * r.expectedEvents)}`],
    ['event size (bytes)', fmt(r.bytesPerEvent, 0), ''],
    [
      'RSS no viewer → clients connected → end (MB)',
      `${fmt(r.idleRss, 1)} → ${fmt(r.rss0, 1)} → ${fmt(r.rss1, 1)}`,
      `growth under load ${fmt(r.rss1 - r.rss0, 1)} MB`,
    ],
    ['clients dropped / refused', `${r.dropped} / ${r.refused}`, `none ${mark(r.dropped === 0 && r.refused === 0)}`],
    [`client ${r.clients + 1} (status.max_clients = ${r.clients})`, `HTTP ${r.overLimitStatus}`, `503 ${mark(r.overLimitStatus === 503)}`],
  ];
  return [
    `${r.clients} Server-Sent Events clients on loopback for ${fmt(r.seconds, 0)} s, one update per second, while LSP observations are ingested every second (4 methods). Latency: \`Date.now()\` at the client minus the event's \`ts\` (set when the server serialised it, once for all clients).`,
    '',
    table(['figure', 'value', 'target / note'], rows),
  ].join('\n');
}

/** The summary rows; one run, so each figure is a single value. */
export function statusHeadline(r) {
  return [
    {
      figure: `update latency p99, ${r.clients} stream clients, one ${fmt(r.seconds, 0)} s run`,
      unit: 'ms',
      digits: 1,
      ours: r.p99,
      better: 'lower',
      target: '< 100 ms',
      pass: r.p99 < 100,
    },
    {
      figure: `server CPU with ${r.clients} stream clients`,
      unit: '%',
      digits: 2,
      ours: r.loadCpu * 100,
      reference: r.idleCpu * 100,
      referenceName: 'no viewer',
      better: 'lower',
    },
    {
      figure: 'stream clients dropped + refused',
      digits: 0,
      ours: r.dropped + r.refused,
      better: 'lower',
      target: '0',
      pass: r.dropped === 0 && r.refused === 0,
    },
  ];
}

/** `npm run bench` entry: `rounds` is not used; the duration is `STATUS_BENCH_SECONDS` (default 60). */
export async function run({ progress = () => {}, duration = Number(process.env.STATUS_BENCH_SECONDS ?? 60) } = {}) {
  const r = await benchStatus({ duration, onProgress: progress });
  return { markdown: statusMarkdown(r), headline: statusHeadline(r) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = process.argv.indexOf('--duration');
  const duration = arg > 0 ? Number(process.argv[arg + 1]) : 60;
  run({ duration, progress: (m) => console.error(`status: ${m}`) }).then(
    ({ markdown }) => console.log(markdown),
    (err) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
