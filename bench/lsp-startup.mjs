// LSP proxy startup: what `ide-monitor lsp-proxy` adds before the server answers `initialize`, the wait an
// editor sees when it opens a project. Each sample starts a process and sends `initialize` at once, as an
// editor does, and times spawn → answer; direct and proxied alternate, so both see the same machine.
// The proxy is started through the CLI's shebang (its V8 flags included) and reports to a local sink.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startSink } from './lsp-proxy.mjs';
import { fmt, spread, table } from './markdown.mjs';
import { track } from '../tests/support/process.mjs';
import { CLI, median, spreadOf } from './support.mjs';

const ECHO = fileURLToPath(new URL('../tests/fixtures/lsp-servers/echo-server.mjs', import.meta.url));
const TSLS = fileURLToPath(new URL('../node_modules/.bin/typescript-language-server', import.meta.url));
const PROJECT = fileURLToPath(new URL('../tests/fixtures/lsp-project/', import.meta.url));
const ADDED_TARGET_MS = 50;
const ANSWER_TIMEOUT_MS = 60_000;

function initializeFrame() {
  const body = Buffer.from(
    JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { processId: process.pid, rootUri: pathToFileURL(PROJECT).href, capabilities: {} } }),
  );
  return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'latin1'), body]);
}

/** Milliseconds from spawn to the answer to `initialize`; the process is then stopped (SIGTERM: the proxy passes it on). */
function timeToInitialize(command, args) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = track(spawn(command, args, { cwd: PROJECT, stdio: ['pipe', 'pipe', 'ignore'] }));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} did not answer initialize within ${ANSWER_TIMEOUT_MS} ms`));
    }, ANSWER_TIMEOUT_MS);
    let seen = '';
    child.stdout.on('data', (d) => {
      seen += d.toString('latin1');
      if (!/"id":1[,}]/.test(seen)) return;
      const ms = performance.now() - started;
      clearTimeout(timer);
      child.once('exit', () => resolve(ms));
      child.stdin.end();
      child.kill('SIGTERM');
    });
    child.stdin.on('error', () => {});
    child.stdin.write(initializeFrame());
  });
}

async function measure({ name, server, samples, sink, progress }) {
  const direct = [];
  const proxied = [];
  for (let i = 0; i < samples; i++) {
    direct.push(await timeToInitialize(server[0], server.slice(1)));
    proxied.push(await timeToInitialize(CLI, ['lsp-proxy', '--server-name', name, '--exporter', sink.url, '--', ...server]));
  }
  const d = median(direct);
  const p = median(proxied);
  progress(`${name}: direct ${fmt(d, 0)} ms, proxied ${fmt(p, 0)} ms`);
  return { direct: d, proxied: p, added: p - d };
}

export async function run({ progress, rounds }) {
  const sink = await startSink();
  try {
    const servers = [
      { name: 'echo', server: [process.execPath, ECHO], samples: 15 },
      { name: 'typescript', server: [TSLS, '--stdio'], samples: 5 },
    ];
    const perRound = [];
    for (let r = 0; r < rounds; r++) {
      progress(`round ${r + 1}/${rounds}`);
      const row = {};
      for (const s of servers) row[s.name] = await measure({ ...s, sink, progress });
      perRound.push(row);
    }
    const fig = (name, key) => spreadOf(perRound.map((r) => r[name][key]));
    const markdown = [
      `Spawn → answer to \`initialize\`, sent at once; direct and proxied alternate (${servers.map((s) => `${s.samples} pairs for ${s.name}`).join(', ')} per round, median per round), ${rounds} round(s); the proxy is started through the CLI's shebang and reports to a local sink. Added = proxied − direct, per round.`,
      '',
      table(
        ['server', 'direct (ms)', 'proxied (ms)', 'added (ms)', 'target'],
        servers.map((s) => [
          s.name,
          spread(fig(s.name, 'direct'), 0),
          spread(fig(s.name, 'proxied'), 0),
          spread(fig(s.name, 'added'), 0),
          `added < ${ADDED_TARGET_MS} ms`,
        ]),
      ),
    ].join('\n');
    const headline = servers.map((s) => ({
      figure: `${s.name}: time to initialize answer, proxied`,
      unit: 'ms',
      digits: 0,
      ours: fig(s.name, 'proxied'),
      reference: fig(s.name, 'direct'),
      referenceName: 'direct',
      better: 'lower',
      target: `added ${spread(fig(s.name, 'added'), 0)} < ${ADDED_TARGET_MS} ms`,
      pass: fig(s.name, 'added').median < ADDED_TARGET_MS,
    }));
    return { markdown, headline };
  } finally {
    await sink.close();
  }
}

// `node bench/lsp-startup.mjs [rounds]` runs this section alone.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  run({ rounds: Number(process.argv[2] ?? 1), progress: (m) => console.error(m) }).then(({ markdown }) => console.log(markdown));
}
