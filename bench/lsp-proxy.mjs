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
import { fmt, mark, table } from './markdown.mjs';
import { ascending, CLI, quantile, rssMb, upperMedian } from './support.mjs';

const ECHO = fileURLToPath(new URL('../tests/fixtures/lsp-servers/echo-server.mjs', import.meta.url));
const TSLS = fileURLToPath(new URL('../node_modules/.bin/typescript-language-server', import.meta.url));
const PROJECT = fileURLToPath(new URL('../tests/fixtures/lsp-project/', import.meta.url));

function frame(body) {
  const bytes = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
  return Buffer.concat([Buffer.from(`Content-Length: ${bytes.length}\r\n\r\n`, 'latin1'), bytes]);
}

/** Counts what the proxy posts; answers 202 like the exporter. */
function startSink() {
  let batches = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      batches++;
      res.writeHead(202).end('{}');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${server.address().port}`, batches: () => batches, close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }) })));
}

/** A raw stdio peer: writes frames, resolves responses by id, counts notifications it receives. */
function rawPeer(command, args) {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
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
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  let nextId = 1;
  return {
    child,
    notifications: () => notifications,
    request(method, params) {
      const id = nextId++;
      return new Promise((resolve) => {
        waiting.set(id, resolve);
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
  };
}

// Through the shebang, as editors launch it, so the V8 flags it carries are measured too.
const proxied = (sinkUrl, server) => [CLI, ['lsp-proxy', '--server-name', 'bench', '--exporter', sinkUrl, '--', ...server]];
const directly = (server) => [server[0], server.slice(1)];

/** Sequential request round trips against the echo server, alternating direct and proxied. */
async function addedLatency({ sink, requests, progress }) {
  const echo = [process.execPath, ECHO];
  const d = rawPeer(...directly(echo));
  const p = rawPeer(...proxied(sink.url, echo));
  // The proxy's pid is p.child.pid; the echo server behind it is its child.
  const params = { textDocument: { uri: 'file:///bench.ts' }, position: { line: 10, character: 4 } };
  for (let i = 0; i < 300; i++) {
    await d.request('textDocument/hover', params);
    await p.request('textDocument/hover', params);
  }
  const times = { direct: [], proxied: [] };
  for (let i = 0; i < requests; i++) {
    for (const [name, peer] of i % 2 === 0 ? [['direct', d], ['proxied', p]] : [['proxied', p], ['direct', d]]) {
      const t = performance.now();
      await peer.request('textDocument/hover', params);
      times[name].push(performance.now() - t);
    }
  }
  progress(`latency: ${requests} round trips each`);
  await d.stop();
  await p.stop();
  return times;
}

/** Messages per second relayed editor → server (notifications, then a request to confirm receipt). */
async function throughput({ sink, messages, size, via }) {
  const echo = [process.execPath, ECHO];
  const peer = rawPeer(...(via === 'proxy' ? proxied(sink.url, echo) : directly(echo)));
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
  const received = sent;
  const seconds = (performance.now() - t) / 1000;
  const rssAfter = via === 'proxy' ? rssMb(peer.child.pid) : 0;
  await peer.stop();
  return { rate: received / seconds, mbps: (received * one.length) / seconds / 2 ** 20, rssGrowth: rssAfter - rssBefore, rssAfter };
}

/** Server → editor: the echo server floods notifications of `size` bytes. */
async function floodThroughput({ sink, messages, size, via }) {
  const echo = [process.execPath, ECHO];
  const peer = rawPeer(...(via === 'proxy' ? proxied(sink.url, echo) : directly(echo)));
  await peer.request('bench/flood', { count: 1000, size });
  const t = performance.now();
  await peer.request('bench/flood', { count: messages, size });
  const seconds = (performance.now() - t) / 1000;
  await peer.stop();
  return messages / seconds;
}

/** typescript-language-server: per-method latency, direct and proxied servers queried alternately. */
async function realServer({ sink, iterations, progress }) {
  const open = (command, args) => {
    const child = spawn(command, args, { cwd: PROJECT, stdio: ['pipe', 'pipe', 'ignore'] });
    const c = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    c.onRequest(() => null);
    c.listen();
    return { child, c };
  };
  const peers = { direct: open(TSLS, ['--stdio']), proxied: open(...proxied(sink.url, [TSLS, '--stdio'])) };
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
  for (const { c } of Object.values(peers)) {
    await c.sendRequest('initialize', { processId: process.pid, rootUri: pathToFileURL(PROJECT).href, capabilities: {} });
    await c.sendNotification('initialized', {});
    await c.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version: 1, text: main } });
    await c.sendNotification('textDocument/didOpen', { textDocument: { uri: shapesUri, languageId: 'typescript', version: 1, text: readFileSync(path.join(PROJECT, 'src/shapes.ts'), 'utf8') } });
    for (const [method, params] of Object.values(requests)) for (let i = 0; i < 3; i++) await c.sendRequest(method, params);
  }
  progress('real server: warmed up');
  const times = {};
  for (const name of Object.keys(requests)) times[name] = { direct: [], proxied: [] };
  for (let i = 0; i < iterations; i++) {
    for (const [name, [method, params]] of Object.entries(requests)) {
      for (const via of i % 2 === 0 ? ['direct', 'proxied'] : ['proxied', 'direct']) {
        const t = performance.now();
        await peers[via].c.sendRequest(method, params);
        times[name][via].push(performance.now() - t);
      }
    }
  }
  for (const { c, child } of Object.values(peers)) {
    await c.sendRequest('shutdown');
    await c.sendNotification('exit');
    await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
    c.dispose();
  }
  return times;
}

export async function run({ progress = () => {}, rounds = 3, messages = 300_000, latencyRequests = 3000, tsIterations = 40 } = {}) {
  const sink = await startSink();
  try {
    const latency = { direct: [], proxied: [] };
    const tp = { small: [], big: [], flood: [], smallDirect: [], bigDirect: [], floodDirect: [] };
    let rss = [];
    for (let r = 0; r < rounds; r++) {
      progress(`round ${r + 1}/${rounds}`);
      const l = await addedLatency({ sink, requests: latencyRequests, progress });
      latency.direct.push(...l.direct);
      latency.proxied.push(...l.proxied);
      const small = await throughput({ sink, messages, size: 1024, via: 'proxy' });
      tp.small.push(small.rate);
      rss.push(small);
      tp.smallDirect.push((await throughput({ sink, messages, size: 1024, via: 'direct' })).rate);
      const bigCount = Math.max(1000, Math.floor(messages / 20));
      tp.big.push((await throughput({ sink, messages: bigCount, size: 65536, via: 'proxy' })).rate);
      tp.bigDirect.push((await throughput({ sink, messages: bigCount, size: 65536, via: 'direct' })).rate);
      tp.flood.push(await floodThroughput({ sink, messages: Math.floor(messages / 3), size: 1024, via: 'proxy' }));
      tp.floodDirect.push(await floodThroughput({ sink, messages: Math.floor(messages / 3), size: 1024, via: 'direct' }));
      progress(`throughput: ${fmt(small.rate, 0)} msg/s (1 KB), RSS +${fmt(small.rssGrowth, 1)} MiB`);
    }
    progress('real server (typescript-language-server)');
    const ts = await realServer({ sink, iterations: tsIterations, progress });

    const ld = ascending(latency.direct);
    const lp = ascending(latency.proxied);
    const added50 = quantile(lp, 0.5) - quantile(ld, 0.5);
    const added99 = quantile(lp, 0.99) - quantile(ld, 0.99);
    const maxGrowth = Math.max(...rss.map((x) => x.rssGrowth));
    const out = [];
    out.push(`Echo server, ${latency.direct.length} sequential requests each way (alternating direct / proxied), ${rounds} round(s); the proxy reports to a local HTTP sink (${sink.batches()} batches received).`, '');
    out.push(
      table(
        ['round trip', 'direct', 'through proxy', 'added', 'target'],
        [
          ['median (ms)', fmt(quantile(ld, 0.5), 3), fmt(quantile(lp, 0.5), 3), fmt(added50, 3), ''],
          ['p99 (ms)', fmt(quantile(ld, 0.99), 3), fmt(quantile(lp, 0.99), 3), fmt(added99, 3), `< 0.300 ${mark(added99 < 0.3)}`],
        ],
      ),
    );
    out.push('', `Throughput, messages per second (median of ${rounds} round(s); ${messages} × 1 KB, ${Math.max(1000, Math.floor(messages / 20))} × 64 KB, ${Math.floor(messages / 3)} × 1 KB server → editor):`, '');
    out.push(
      table(
        ['stream', 'direct', 'through proxy', 'ratio', 'target'],
        [
          ['1 KB editor → server', fmt(upperMedian(tp.smallDirect), 0), fmt(upperMedian(tp.small), 0), fmt(upperMedian(tp.small) / upperMedian(tp.smallDirect), 2), `≥ 50,000 ${mark(upperMedian(tp.small) >= 50_000)}`],
          ['64 KB editor → server', fmt(upperMedian(tp.bigDirect), 0), fmt(upperMedian(tp.big), 0), fmt(upperMedian(tp.big) / upperMedian(tp.bigDirect), 2), ''],
          ['1 KB server → editor', fmt(upperMedian(tp.floodDirect), 0), fmt(upperMedian(tp.flood), 0), fmt(upperMedian(tp.flood) / upperMedian(tp.floodDirect), 2), ''],
        ],
      ),
    );
    out.push('', `Proxy RSS growth over ${messages} × 1 KB messages (after a warm-up of ${Math.min(messages / 5, 100_000)}): max ${fmt(maxGrowth, 1)} MiB, RSS at end ${fmt(Math.max(...rss.map((x) => x.rssAfter)), 0)} MiB; target < 10 MiB ${mark(maxGrowth < 10)}.`, '');
    out.push(`typescript-language-server on tests/fixtures/lsp-project, ${tsIterations} requests per method each way, alternating:`, '');
    out.push(
      table(
        ['method', 'direct median / p95 (ms)', 'proxied median / p95 (ms)', 'added median (ms)'],
        Object.entries(ts).map(([name, t]) => {
          const d = ascending(t.direct);
          const p = ascending(t.proxied);
          return [name, `${fmt(quantile(d, 0.5), 2)} / ${fmt(quantile(d, 0.95), 2)}`, `${fmt(quantile(p, 0.5), 2)} / ${fmt(quantile(p, 0.95), 2)}`, fmt(quantile(p, 0.5) - quantile(d, 0.5), 2)];
        }),
      ),
    );
    return out.join('\n');
  } finally {
    await sink.close();
  }
}

// `node bench/lsp-proxy.mjs [rounds] [messages]` runs this section alone.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rounds = Number(process.argv[2] ?? 1);
  const messages = Number(process.argv[3] ?? 300_000);
  run({ rounds, messages, progress: (m) => console.error(m) }).then((md) => console.log(md));
}
