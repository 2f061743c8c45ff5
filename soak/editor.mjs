// The editor side of the soak: a real LSP client (vscode-jsonrpc) talking through `ide-monitor lsp-proxy`
// to the echo language server, sending a steady stream of requests and notifications and timing every
// round trip, so a proxy that stalls the editor shows up as latency or a timeout here.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { CLI } from '../bench/support.mjs';

const ECHO_SERVER = fileURLToPath(new URL('../tests/fixtures/lsp-servers/echo-server.mjs', import.meta.url));
export const SERVER_NAME = 'soak-echo';
/** A round trip slower than this counts as a stall of the editor. */
const REQUEST_TIMEOUT_MS = 5000;
const URI = 'file:///soak/main.ts';

/** The pids whose parent is `pid` (the proxy's language server), from /proc. */
function childrenOf(pid) {
  const children = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // the process exited while we looked
    }
  }
  return children;
}

/**
 * Starts the proxy with the echo server behind it and the client in front, then sends `ratePerSec`
 * hover requests (plus one didChange each) per second. `record(ms | 'timeout' | 'error')` receives each
 * outcome; `exited` resolves with the proxy's `{ code, signal }`.
 */
export async function startEditor({ exporterUrl, maxBuffered, ratePerSec, record }) {
  // Through the CLI's shebang, as an editor launches it, so the proxy runs with the shipped V8 flags.
  const proxy = spawn(
    CLI,
    ['lsp-proxy', '--server-name', SERVER_NAME, '--exporter', exporterUrl, '--max-buffered', String(maxBuffered), '--', process.execPath, ECHO_SERVER],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stderr = '';
  proxy.stderr.setEncoding('utf8');
  proxy.stderr.on('data', (text) => {
    stderr = (stderr + text).slice(-4000);
  });
  const exited = new Promise((resolve) => proxy.once('exit', (code, signal) => resolve({ code, signal })));
  let closed = false;
  exited.then(() => {
    closed = true;
  });

  const connection = createMessageConnection(new StreamMessageReader(proxy.stdout), new StreamMessageWriter(proxy.stdin));
  // A dying proxy makes the connection report errors; the soak judges the exit itself.
  connection.onError(() => {});
  connection.onClose(() => {
    closed = true;
  });
  connection.listen();
  await connection.sendRequest('initialize', { processId: process.pid, rootUri: 'file:///soak', capabilities: {} });
  await connection.sendNotification('initialized', {});

  let version = 0;
  const tick = () => {
    if (closed) return;
    const started = performance.now();
    const request = connection.sendRequest('textDocument/hover', { textDocument: { uri: URI }, position: { line: version % 100, character: 4 } });
    let timeout;
    const limit = new Promise((resolve) => {
      timeout = setTimeout(() => resolve('timeout'), REQUEST_TIMEOUT_MS);
    });
    Promise.race([request.then(() => performance.now() - started), limit])
      .catch(() => 'error')
      .then((outcome) => {
        clearTimeout(timeout);
        // Requests cut short by a deliberate server kill are not the proxy's latency.
        if (!closed || typeof outcome === 'number') record(outcome);
      });
    connection
      .sendNotification('textDocument/didChange', { textDocument: { uri: URI, version: ++version }, contentChanges: [{ text: `let x = ${version};\n` }] })
      .catch(() => {});
  };
  const timer = setInterval(tick, 1000 / ratePerSec);

  return {
    proxy,
    exited,
    stderr: () => stderr,
    /** The language server's pid (the proxy's only child). */
    serverPid() {
      const [pid] = childrenOf(proxy.pid);
      if (pid === undefined) throw new Error(`the proxy (pid ${proxy.pid}) has no child process`);
      return pid;
    },
    /** Stops the load; a graceful `shutdown` + `exit` when the proxy still runs. */
    async stop() {
      clearInterval(timer);
      if (!closed) {
        try {
          await Promise.race([connection.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
          await connection.sendNotification('exit');
        } catch {
          // the proxy is going away anyway
        }
      }
      const killer = setTimeout(() => proxy.kill('SIGKILL'), 10_000);
      const result = await exited;
      clearTimeout(killer);
      connection.dispose();
      return result;
    },
    pauseLoad: () => clearInterval(timer),
  };
}
