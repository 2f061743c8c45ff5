// LSP proxy benchmark: what `ide-monitor lsp-proxy` adds to a language server's latency and what it can
// relay, measured side by side with the same server reached directly, in the same run. The proxy reports
// to a local HTTP sink (so the reporter's work is included), as it would to `ide-monitor serve`.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { fmt, mark, spread, table } from './markdown.mjs';
import { track } from '../tests/support/process.mjs';
import { ascending, CLI, quantile, ratioOf, rssMb, spreadOf, upperMedian } from './support.mjs';

const ECHO = fileURLToPath(new URL('../tests/fixtures/lsp-servers/echo-server.mjs', import.meta.url));
const TSLS = fileURLToPath(new URL('../node_modules/.bin/typescript-language-server', import.meta.url));
const PROJECT = fileURLToPath(new URL('../tests/fixtures/lsp-project/', import.meta.url));
/** A request or shutdown that takes longer fails the section instead of hanging the run. */
const REQUEST_TIMEOUT_MS = 60_000;
const ADDED_P99_TARGET_MS = 0.3;
const SMALL_TARGET_PER_S = 50_000;
const RSS_GROWTH_TARGET_MB = 10;

function frame(body) {
  const bytes = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
  return Buffer.concat([Buffer.from(`Content-Length: ${bytes.length}\r\n\r\n`, 'latin1'), bytes]);
}

/** Counts what the proxy posts; answers 202 like the exporter. */
export function startSink() {
  let batches = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      batches++;
      res.writeHead(202).end('{}');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        batches: () => batches,
        close: () =>
          new Promise((r) => {
            server.closeAllConnections();
            server.close(r);
          }),
      }),
    ),
  );
}

/** A raw stdio peer: writes frames, resolves responses by id, counts notifications it receives. */
function rawPeer(command, args) {
  const child = track(spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] }));
  const waiting = new Map();
  let buffer = Buffer.alloc(0);
  let notifications = 0;
  child.stdout.on('data', (chunk) => {
    buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
    for (;;) {
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) break;
      const length = Number(/Content-Length: (\d+)/i.exec(buffer.toString('latin1', 0, end))[1]);
      if (buffer.length < end + 4 + length) break;
      const body = buffer.subarray(end + 4, end + 4 + length);
      buffer = buffer.subarray(end + 4 + length);
      // Cheap id read for the benchmark's own responses (they start with {"jsonrpc":"2.0","id":N).
      if (body[0] === 0x7b && body.indexOf('"method"') < 0) {
        const id = Number(/"id":(\d+)/.exec(body.toString('latin1', 0, 40))[1]);
        waiting.get(id)?.();
        waiting.delete(id);
      } else notifications++;
    }
  });
  // A child that never started (spawn error) or died still ends in 'close'.
  const exited = new Promise((resolve) => child.once('close', (code) => resolve(code)));
  let nextId = 1;
  return {
    child,
    notifications: () => notifications,
    request(method, params) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(id);
          reject(new Error(`${method}: no answer within ${REQUEST_TIMEOUT_MS} ms from ${path.basename(command)}`));
        }, REQUEST_TIMEOUT_MS);
        waiting.set(id, () => {
          clearTimeout(timer);
          resolve();
        });
        child.stdin.write(frame({ jsonrpc: '2.0', id, method, params }));
      });
    },
    async writeAll(buf) {
      if (!child.stdin.write(buf)) await new Promise((r) => child.stdin.once('drain', r));
    },
    async stop() {
      await this.request('shutdown');
      child.stdin.write(frame({ jsonrpc: '2.0', method: 'exit' }));
      await exited;
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    },
  };
}

/** Runs `fn(...peers)`, then shuts the peers down cleanly; a peer still running after a failure is killed. */
async function withPeers(peers, fn) {
  try {
    const result = await fn(...peers);
    for (const peer of peers) await peer.stop();
    return result;
  } finally {
    for (const peer of peers) peer.kill();
  }
}

// Through the shebang, as editors launch it, so the V8 flags it carries are measured too.
const proxied = (sinkUrl, server) => [CLI, ['lsp-proxy', '--server-name', 'bench', '--exporter', sinkUrl, '--', ...server]];
const directly = (server) => [server[0], server.slice(1)];
const echoVia = (sink, via) => {
  const echo = [process.execPath, ECHO];
  return rawPeer(...(via === 'proxy' ? proxied(sink.url, echo) : directly(echo)));
};

/** One round of sequential request round trips against the echo server, alternating direct and proxied. */
async function addedLatency({ sink, requests }) {
  // The proxy's pid is p.child.pid; the echo server behind it is its child.
  return withPeers([echoVia(sink, 'direct'), echoVia(sink, 'proxy')], async (d, p) => {
    const params = { textDocument: { uri: 'file:///bench.ts' }, position: { line: 10, character: 4 } };
    for (let i = 0; i < 300; i++) {
      await d.request('textDocument/hover', params);
      await p.request('textDocument/hover', params);
    }
    const times = { direct: [], proxied: [] };
    for (let i = 0; i < requests; i++) {
      for (const [name, peer] of i % 2 === 0
        ? [
            ['direct', d],
            ['proxied', p],
          ]
        : [
            ['proxied', p],
            ['direct', d],
          ]) {
        const t = performance.now();
        await peer.request('textDocument/hover', params);
        times[name].push(performance.now() - t);
      }
    }
    const [ld, lp] = [ascending(times.direct), ascending(times.proxied)];
    return { direct50: quantile(ld, 0.5), proxied50: quantile(lp, 0.5), direct99: quantile(ld, 0.99), proxied99: quantile(lp, 0.99) };
  });
}

/** Messages per second relayed editor → server (notifications, then a request to confirm receipt). */
async function throughput({ sink, messages, size, via }) {
  return withPeers([echoVia(sink, via)], async (peer) => {
    await peer.request('initialize', {});
    const payload = 'x'.repeat(Math.max(0, size - 70));
    const one = frame({ jsonrpc: '2.0', method: 'bench/sink', params: { payload } });
    const perWrite = Math.max(1, Math.floor(65536 / one.length));
    const block = Buffer.concat(Array.from({ length: perWrite }, () => one));
    // Long enough for V8's heap to reach its working size: growth after that is what would be a leak.
    const warm = Math.min(messages / 5, 100_000);
    for (let sent = 0; sent < warm; sent += perWrite) await peer.writeAll(block);
    await peer.request('bench/count');
    const rssBefore = via === 'proxy' ? rssMb(peer.child.pid) : 0;
    const t = performance.now();
    let sent = 0;
    for (; sent < messages; sent += perWrite) await peer.writeAll(block);
    // bench/count's answer comes after the server has read every earlier message.
    await peer.request('bench/count');
    const seconds = (performance.now() - t) / 1000;
    const rssAfter = via === 'proxy' ? rssMb(peer.child.pid) : 0;
    return { rate: sent / seconds, mbps: (sent * one.length) / seconds / 2 ** 20, rssGrowth: rssAfter - rssBefore, rssAfter };
  });
}

/** Server → editor: the echo server floods notifications of `size` bytes. */
async function floodThroughput({ sink, messages, size, via }) {
  return withPeers([echoVia(sink, via)], async (peer) => {
    await peer.request('bench/flood', { count: 1000, size });
    const t = performance.now();
    await peer.request('bench/flood', { count: messages, size });
    return messages / ((performance.now() - t) / 1000);
  });
}

/**
 * typescript-language-server: per-method latency, direct and proxied servers queried alternately; both
 * stay up across the rounds (one start and warm-up), each round giving its own medians.
 */
async function realServer({ sink, iterations, rounds, progress }) {
  const open = (command, args) => {
    const child = track(spawn(command, args, { cwd: PROJECT, stdio: ['pipe', 'pipe', 'ignore'] }));
    const c = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    c.onRequest(() => null);
    c.listen();
    return { child, c };
  };
  const peers = { direct: open(TSLS, ['--stdio']), proxied: open(...proxied(sink.url, [TSLS, '--stdio'])) };
  const request = (peer, method, params) => {
    let timer;
    const timeout = new Promise(
      (_, reject) => (timer = setTimeout(() => reject(new Error(`tsls ${method}: no answer within ${REQUEST_TIMEOUT_MS} ms`)), REQUEST_TIMEOUT_MS)),
    );
    return Promise.race([peer.c.sendRequest(method, params), timeout]).finally(() => clearTimeout(timer));
  };
  try {
    const main = readFileSync(path.join(PROJECT, 'src/main.ts'), 'utf8');
    const uri = pathToFileURL(path.join(PROJECT, 'src/main.ts')).href;
    const shapesUri = pathToFileURL(path.join(PROJECT, 'src/shapes.ts')).href;
    const pos = (needle, offset = 0) => {
      const before = main.slice(0, main.indexOf(needle) + offset).split('\n');
      return { line: before.length - 1, character: before.at(-1).length };
    };
    const requests = {
      hover: ['textDocument/hover', { textDocument: { uri }, position: pos('shape.area', 7) }],
      definition: ['textDocument/definition', { textDocument: { uri }, position: pos('shape.area', 7) }],
      references: ['textDocument/references', { textDocument: { uri }, position: pos('totalArea', 2), context: { includeDeclaration: true } }],
      documentSymbol: ['textDocument/documentSymbol', { textDocument: { uri } }],
      completion: ['textDocument/completion', { textDocument: { uri }, position: pos('export const total') }],
    };
    for (const peer of Object.values(peers)) {
      await request(peer, 'initialize', { processId: process.pid, rootUri: pathToFileURL(PROJECT).href, capabilities: {} });
      await peer.c.sendNotification('initialized', {});
      await peer.c.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version: 1, text: main } });
      await peer.c.sendNotification('textDocument/didOpen', {
        textDocument: { uri: shapesUri, languageId: 'typescript', version: 1, text: readFileSync(path.join(PROJECT, 'src/shapes.ts'), 'utf8') },
      });
      for (const [method, params] of Object.values(requests)) for (let i = 0; i < 3; i++) await request(peer, method, params);
    }
    const perRound = [];
    for (let r = 0; r < rounds; r++) {
      progress(`typescript-language-server round ${r + 1}/${rounds}: ${iterations} requests per method each way`);
      const times = Object.fromEntries(Object.keys(requests).map((name) => [name, { direct: [], proxied: [] }]));
      for (let i = 0; i < iterations; i++) {
        for (const [name, [method, params]] of Object.entries(requests)) {
          for (const via of i % 2 === 0 ? ['direct', 'proxied'] : ['proxied', 'direct']) {
            const t = performance.now();
            await request(peers[via], method, params);
            times[name][via].push(performance.now() - t);
          }
        }
      }
      perRound.push(
        Object.fromEntries(
          Object.entries(times).map(([name, t]) => {
            const [d, p] = [ascending(t.direct), ascending(t.proxied)];
            return [name, { direct50: quantile(d, 0.5), proxied50: quantile(p, 0.5), direct95: quantile(d, 0.95), proxied95: quantile(p, 0.95) }];
          }),
        ),
      );
    }
    for (const peer of Object.values(peers)) {
      await request(peer, 'shutdown');
      await peer.c.sendNotification('exit');
      await new Promise((r) => (peer.child.exitCode !== null ? r() : peer.child.once('exit', r)));
    }
    return { methods: Object.keys(requests), perRound };
  } finally {
    for (const { c, child } of Object.values(peers)) {
      c.dispose();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    }
  }
}

export async function run({ progress = () => {}, rounds = 3, messages = 300_000, latencyRequests = 3000, tsIterations = 40 } = {}) {
  const sink = await startSink();
  try {
    const bigCount = Math.max(1000, Math.floor(messages / 20));
    const floodCount = Math.floor(messages / 3);
    const perRound = [];
    for (let r = 0; r < rounds; r++) {
      progress(`round ${r + 1}/${rounds}: latency, ${latencyRequests} round trips each way`);
      const latency = await addedLatency({ sink, requests: latencyRequests });
      progress(`round ${r + 1}/${rounds}: throughput`);
      const small = await throughput({ sink, messages, size: 1024, via: 'proxy' });
      const smallDirect = await throughput({ sink, messages, size: 1024, via: 'direct' });
      const big = await throughput({ sink, messages: bigCount, size: 65536, via: 'proxy' });
      const bigDirect = await throughput({ sink, messages: bigCount, size: 65536, via: 'direct' });
      const flood = await floodThroughput({ sink, messages: floodCount, size: 1024, via: 'proxy' });
      const floodDirect = await floodThroughput({ sink, messages: floodCount, size: 1024, via: 'direct' });
      perRound.push({
        ...latency,
        small: small.rate,
        smallDirect: smallDirect.rate,
        big: big.rate,
        bigDirect: bigDirect.rate,
        flood,
        floodDirect,
        rssGrowth: small.rssGrowth,
        rssAfter: small.rssAfter,
      });
      progress(`round ${r + 1}/${rounds}: ${fmt(small.rate, 0)} msg/s (1 KB), RSS +${fmt(small.rssGrowth, 1)} MiB`);
    }
    const ts = await realServer({ sink, iterations: tsIterations, rounds, progress });
    return report({ perRound, ts, sink, rounds, messages, bigCount, floodCount, latencyRequests, tsIterations });
  } finally {
    await sink.close();
  }
}

/** Every cell is median (min–max) across rounds; ratios and differences are taken per round first. */
function report({ perRound, ts, sink, rounds, messages, bigCount, floodCount, latencyRequests, tsIterations }) {
  const col = (key, rows = perRound) => rows.map((r) => r[key]);
  const s = (key) => spreadOf(col(key), upperMedian);
  const ratio = (a, b) => ratioOf(col(a), col(b), upperMedian);
  const added = (p, d) =>
    spreadOf(
      perRound.map((r) => r[p] - r[d]),
      upperMedian,
    );
  const added50 = added('proxied50', 'direct50');
  const added99 = added('proxied99', 'direct99');
  const growth = s('rssGrowth');
  const out = [
    `Echo server, ${latencyRequests} sequential requests each way per round (alternating direct / proxied), ${rounds} round(s); the proxy reports to a local HTTP sink (${sink.batches()} batches received). Median (min–max) across rounds; added and ratio are taken per round.`,
    '',
    table(
      ['round trip', 'direct', 'through proxy', 'added', 'ratio', 'target'],
      [
        ['median (ms)', spread(s('direct50'), 3), spread(s('proxied50'), 3), spread(added50, 3), spread(ratio('proxied50', 'direct50'), 2), ''],
        [
          'p99 (ms)',
          spread(s('direct99'), 3),
          spread(s('proxied99'), 3),
          spread(added99, 3),
          spread(ratio('proxied99', 'direct99'), 2),
          `added < ${fmt(ADDED_P99_TARGET_MS, 3)} ${mark(added99.median < ADDED_P99_TARGET_MS)}`,
        ],
      ],
    ),
    '',
    `Throughput, messages per second (${messages} × 1 KB, ${bigCount} × 64 KB, ${floodCount} × 1 KB server → editor per round):`,
    '',
    table(
      ['stream', 'direct', 'through proxy', 'ratio', 'target'],
      [
        [
          '1 KB editor → server',
          spread(s('smallDirect'), 0),
          spread(s('small'), 0),
          spread(ratio('small', 'smallDirect'), 2),
          `≥ ${SMALL_TARGET_PER_S.toLocaleString('en')} ${mark(s('small').median >= SMALL_TARGET_PER_S)}`,
        ],
        ['64 KB editor → server', spread(s('bigDirect'), 0), spread(s('big'), 0), spread(ratio('big', 'bigDirect'), 2), ''],
        ['1 KB server → editor', spread(s('floodDirect'), 0), spread(s('flood'), 0), spread(ratio('flood', 'floodDirect'), 2), ''],
      ],
    ),
    '',
    `Proxy RSS growth over ${messages} × 1 KB messages (after a warm-up of ${Math.min(messages / 5, 100_000)}): ${spread(growth, 1)} MiB, RSS at end ${spread(s('rssAfter'), 0)} MiB; target < ${RSS_GROWTH_TARGET_MB} MiB ${mark(growth.max < RSS_GROWTH_TARGET_MB)} (every round).`,
    '',
    `typescript-language-server on tests/fixtures/lsp-project, ${tsIterations} requests per method each way per round, alternating; one server pair for all rounds:`,
    '',
  ];
  const tsFigure = (name, key) =>
    spreadOf(
      ts.perRound.map((r) => r[name][key]),
      upperMedian,
    );
  const tsRatio = (name) =>
    ratioOf(
      ts.perRound.map((r) => r[name].proxied50),
      ts.perRound.map((r) => r[name].direct50),
      upperMedian,
    );
  out.push(
    table(
      ['method', 'direct median (ms)', 'proxied median (ms)', 'ratio', 'direct p95 (ms)', 'proxied p95 (ms)'],
      ts.methods.map((name) => [
        name,
        spread(tsFigure(name, 'direct50'), 2),
        spread(tsFigure(name, 'proxied50'), 2),
        spread(tsRatio(name), 2),
        spread(tsFigure(name, 'direct95'), 2),
        spread(tsFigure(name, 'proxied95'), 2),
      ]),
    ),
  );
  const vsDirect = (ours, reference, r) => ({ ours, reference, referenceName: 'direct', ratio: r });
  const headline = [
    {
      figure: 'echo round trip median, proxied',
      unit: 'ms',
      digits: 3,
      ...vsDirect(s('proxied50'), s('direct50'), ratio('proxied50', 'direct50')),
      better: 'lower',
      target: `added ${spread(added50, 3)} ms`,
    },
    {
      figure: 'echo round trip p99, proxied',
      unit: 'ms',
      digits: 3,
      ...vsDirect(s('proxied99'), s('direct99'), ratio('proxied99', 'direct99')),
      better: 'lower',
      target: `added ${spread(added99, 3)} < ${fmt(ADDED_P99_TARGET_MS, 3)} ms`,
      pass: added99.median < ADDED_P99_TARGET_MS,
    },
    {
      figure: '1 KB editor → server, proxied',
      unit: 'msg/s',
      digits: 0,
      ...vsDirect(s('small'), s('smallDirect'), ratio('small', 'smallDirect')),
      better: 'higher',
      target: `≥ ${SMALL_TARGET_PER_S.toLocaleString('en')}`,
      pass: s('small').median >= SMALL_TARGET_PER_S,
    },
    {
      figure: `proxy RSS growth over ${messages} × 1 KB`,
      unit: 'MiB',
      digits: 1,
      ours: growth,
      better: 'lower',
      target: `< ${RSS_GROWTH_TARGET_MB} MiB`,
      pass: growth.max < RSS_GROWTH_TARGET_MB,
    },
    ...['completion', 'hover'].map((name) => ({
      figure: `tsls ${name} median, proxied`,
      unit: 'ms',
      digits: 2,
      ...vsDirect(tsFigure(name, 'proxied50'), tsFigure(name, 'direct50'), tsRatio(name)),
      better: 'lower',
    })),
  ];
  return { markdown: out.join('\n'), headline };
}

// `node bench/lsp-proxy.mjs [rounds] [messages]` runs this section alone.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rounds = Number(process.argv[2] ?? 1);
  const messages = Number(process.argv[3] ?? 300_000);
  run({ rounds, messages, progress: (m) => console.error(m) }).then(({ markdown }) => console.log(markdown));
}
