import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ResponseError } from 'vscode-jsonrpc/node';
import { CLI } from '../../support/exporter.js';
import { startClient, type LspClient } from '../lsp/support/lsp-session.js';

/**
 * The two real conditions the end-to-end test drives: an LSP error spike, seen by the real
 * `ide-monitor lsp-proxy` between a real JSON-RPC client and a server whose completions can be broken
 * and repaired, and a process that grows its resident memory and gives it back.
 */

const FIXTURES = fileURLToPath(new URL('../../fixtures/e2e/', import.meta.url));
const SWITCHABLE_SERVER = path.join(FIXTURES, 'switchable-server.mjs');
const MEMORY_GROWER = path.join(FIXTURES, 'memory-grower.mjs');
export const APPEND_LINE = path.join(FIXTURES, 'append-line.mjs');

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Bounds a promise; the message says what did not happen. */
async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

interface CompletionCounts {
  readonly ok: number;
  /** Error responses by JSON-RPC code. */
  readonly errors: Record<string, number>;
  /** Requests that failed without a response (connection closed). */
  readonly lost: number;
}

export interface CompletionTraffic {
  /** The `server` label the proxy reports. */
  readonly server: string;
  /** `perTick` concurrent completion requests, then a pause of `tickMs`, repeated. */
  pace(perTick: number, tickMs: number): void;
  /** Switches the server's error mode on (creates the flag file); returns when, in ms since the epoch. */
  breakCompletions(): number;
  /** Switches it off again; returns when. */
  repairCompletions(): number;
  counts(): CompletionCounts;
  /** The proxy's stderr (its own warnings) for failure messages. */
  stderr: () => string;
  /** Stops sending, then shutdown/exit; kills the proxy if it does not end within a few seconds. */
  stop(): Promise<void>;
}

/**
 * An editor in miniature: a vscode-jsonrpc client talking through `node dist/cli.js lsp-proxy` to
 * switchable-server.mjs, sending completion requests at a pace the test sets, all the time. The proxy
 * reports every request to the exporter with outcome ok or error, which is what the rules see.
 */
export async function startCompletionTraffic(options: { exporterUrl: string; server: string; dir: string }): Promise<CompletionTraffic> {
  const flagFile = path.join(options.dir, 'completion-errors-on');
  const client: LspClient = startClient(process.execPath, [
    CLI,
    'lsp-proxy',
    '--server-name',
    options.server,
    '--exporter',
    options.exporterUrl,
    '--',
    process.execPath,
    SWITCHABLE_SERVER,
    '--error-flag',
    flagFile,
  ]);
  const c = client.connection;
  const uri = 'file:///e2e/editor.ts';
  try {
    await within(
      10_000,
      `the language server to answer initialize through the proxy (stderr: ${client.stderr()})`,
      c.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} }),
    );
    await c.sendNotification('initialized', {});
    await c.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version: 1, text: 'export const x = 1;\n' } });
  } catch (error) {
    client.child.kill('SIGKILL');
    throw error;
  }

  let ok = 0;
  let lost = 0;
  const errors: Record<string, number> = {};
  const complete = async () => {
    try {
      await c.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line: 0, character: 17 } });
      ok += 1;
    } catch (error) {
      if (error instanceof ResponseError) errors[String(error.code)] = (errors[String(error.code)] ?? 0) + 1;
      else lost += 1;
    }
  };
  let current = { perTick: 1, tickMs: 250 };
  let running = true;
  const loop = (async () => {
    while (running) {
      const { perTick, tickMs } = current;
      await Promise.all(Array.from({ length: perTick }, complete));
      await sleep(tickMs);
    }
  })();

  return {
    server: options.server,
    pace(perTick, tickMs) {
      current = { perTick, tickMs };
    },
    breakCompletions() {
      writeFileSync(flagFile, 'on\n');
      return Date.now();
    },
    repairCompletions() {
      rmSync(flagFile, { force: true });
      return Date.now();
    },
    counts: () => ({ ok, errors: { ...errors }, lost }),
    stderr: client.stderr,
    async stop() {
      running = false;
      await within(5000, 'the completion loop to stop', loop).catch(() => undefined);
      try {
        await within(
          5000,
          'the proxy to end after shutdown/exit',
          (async () => {
            await c.sendRequest('shutdown');
            await c.sendNotification('exit');
            await client.exited;
          })(),
        );
      } catch {
        client.child.kill('SIGKILL');
        await client.exited;
      } finally {
        c.dispose();
      }
    },
  };
}

interface GrowerAnswer {
  /** When the command was written, ms since the epoch. */
  readonly at: number;
  readonly rssBefore: number;
  readonly rssAfter: number;
}

export interface MemoryGrower {
  readonly pid: number;
  /** The regular expression a process group uses to match this process, and nothing else on the machine. */
  readonly cmdlinePattern: string;
  /** Waits (bounded) until the process is ready; the test spawns it early so its memory is flat when scraped. */
  ready(): Promise<void>;
  grow(): Promise<GrowerAnswer>;
  release(): Promise<GrowerAnswer>;
  output(): string;
  stop(): Promise<void>;
}

/** memory-grower.mjs, run with --expose-gc so `release` collects at once, marked by a unique argument. */
export function spawnMemoryGrower(marker: string): MemoryGrower {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ['--expose-gc', MEMORY_GROWER, `--marker=${marker}`], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  const waiters: Array<() => void> = [];
  child.stdout.on('data', (d: Buffer) => {
    output += d.toString();
    for (const w of waiters.splice(0)) w();
  });
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const lineStarting = async (prefix: string, after: number): Promise<string> =>
    within(
      5000,
      `memory-grower to answer "${prefix}" (output: ${output})`,
      (async () => {
        for (;;) {
          const line = output
            .slice(after)
            .split('\n')
            .find((l) => l.startsWith(prefix));
          if (line !== undefined) return line;
          if (child.exitCode !== null) throw new Error(`memory-grower exited with ${child.exitCode}: ${output}`);
          await new Promise<void>((resolve) => waiters.push(resolve));
        }
      })(),
    );
  const command = async (name: 'grow' | 'release'): Promise<GrowerAnswer> => {
    const from = output.length;
    const at = Date.now();
    child.stdin.write(`${name}\n`);
    const line = await lineStarting(`${name} `, from);
    const field = (key: string) => Number(new RegExp(`${key}=(\\d+)`).exec(line)?.[1]);
    return { at, rssAfter: field('rss'), rssBefore: field('before') };
  };

  return {
    pid: child.pid!,
    cmdlinePattern: `memory-grower\\.mjs --marker=${marker}$`,
    ready: async () => void (await lineStarting('ready ', 0)),
    grow: () => command('grow'),
    release: () => command('release'),
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}
