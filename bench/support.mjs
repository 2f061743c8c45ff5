// What the benchmark sections share: loopback ports, /proc readings of a child, order statistics, and
// `ide-monitor serve` (or another server binary) as a child that is started, awaited and stopped alike.
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The built CLI; the benchmarks measure `npm run build` output, not the sources. */
export const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
export const READY_TIMEOUT_MS = 30_000;
/** How long a child gets between SIGTERM and SIGKILL. */
export const KILL_GRACE_MS = 5_000;
/** Kept of a child's stderr, so a failed start can say why. */
const STDERR_TAIL_CHARS = 4000;

// ---------------------------------------------------------------------------------------------------
// Ports

/** Asks the kernel for an unused loopback port; the tiny race until the child binds it is acceptable here. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------------------------------------------
// /proc readings of a process

/** Clock ticks per second of /proc/<pid>/stat; not hard-coded to 100: the kernel's USER_HZ is a build option. */
export const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** utime + stime of a process, in clock ticks (see CLK_TCK). */
export function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces and parentheses, so count fields after its last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[14 - 3]) + Number(fields[15 - 3]);
}

/** utime + stime of a process, in seconds. */
export const cpuSeconds = (pid) => cpuTicks(pid) / CLK_TCK;

/** Resident set size in MiB (VmRSS of /proc/<pid>/status). */
export function rssMb(pid) {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  // A zombie has no VmRSS: the figure would be meaningless, so the run fails instead.
  if (!match) throw new Error(`no VmRSS for pid ${pid} (has it exited?)`);
  return Number(match[1]) / 1024;
}

// ---------------------------------------------------------------------------------------------------
// Order statistics. Two conventions are in use on purpose, each section keeping the one its published
// figures were taken with: the interpolated `median` and nearest-rank `percentile`, and `quantile` (the
// element at ⌊q·n⌋, always an observed value).

export const ascending = (xs) => [...xs].sort((a, b) => a - b);

/** The middle value; the mean of the two middle ones for an even count. */
export function median(xs) {
  const s = ascending(xs);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Nearest-rank percentile, `p` in 0–100: with 200 samples p99 is the 198th fastest, a real observed latency. NaN for no samples. */
export function percentile(xs, p) {
  if (xs.length === 0) return NaN;
  const sorted = Float64Array.from(xs).sort();
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** The element at ⌊q·n⌋ of an ascending array, `q` in 0–1 (for q = 0.5 and an even count, the upper middle). */
export const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

/** `quantile(…, 0.5)` of unsorted values. */
export const upperMedian = (xs) => quantile(ascending(xs), 0.5);

/** `{ median, min, max }`, the shape markdown.mjs `spread` renders; `middle` picks the median convention. */
export function spreadOf(xs, middle = median) {
  return { median: middle(xs), min: Math.min(...xs), max: Math.max(...xs) };
}

/** Per-round ratios `a[i] / b[i]`, summarised: each pair was measured side by side in the same round. */
export const ratioOf = (a, b, middle = median) => spreadOf(a.map((x, i) => x / b[i]), middle);

// ---------------------------------------------------------------------------------------------------
// Children still running when the benchmark process exits (a section threw past its own cleanup, or
// the run was interrupted) get SIGTERM, so no server outlives `npm run bench`.

const live = new Set();

/** Registers a child for the exit backstop; returns it. */
export function track(child) {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/** SIGTERM to every tracked child still running; synchronous, so it also works inside an 'exit' handler. */
export function terminateAll() {
  for (const child of live) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
}

process.once('exit', terminateAll);

// ---------------------------------------------------------------------------------------------------
// Child processes

/**
 * A long-running child whose stderr tail and exit are kept, so a failed start says why instead of only
 * timing out. `exited` is undefined while it runs, then says how it ended.
 */
export class ServerProcess {
  constructor(name, command, args, { env } = {}) {
    this.name = name;
    this.stderr = '';
    this.exited = undefined;
    this.child = track(spawn(command, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] }));
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (text) => {
      this.stderr = (this.stderr + text).slice(-STDERR_TAIL_CHARS);
    });
    this.exitedPromise = new Promise((resolve) => {
      const done = (why) => resolve((this.exited = why));
      this.child.once('error', (err) => done(`failed to spawn: ${err.message}`));
      this.child.once('exit', (code, signal) => done(`exited with ${signal ?? `code ${code}`}`));
    });
  }

  get pid() {
    return this.child.pid;
  }

  /** Polls `probe` every 100 ms until it resolves true; `what` ("answering …") names the awaited state in errors. */
  async waitReady(probe, what, timeoutMs = READY_TIMEOUT_MS) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.exited) throw new Error(`${this.name} ${this.exited} before ${what}\n${this.stderr}`);
      try {
        if (await probe()) return;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline) throw new Error(`${this.name} not ${what} within ${timeoutMs} ms\n${this.stderr}`);
      await sleep(100);
    }
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the child has exited. */
  async stop(graceMs = KILL_GRACE_MS) {
    if (this.exited) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exitedPromise;
    clearTimeout(timer);
  }
}

/**
 * The built `ide-monitor serve` on a free loopback port, resolved once `/-/ready` answers 2xx; on a failed
 * start the child is stopped before the error is thrown. By default it runs through the shebang, as users
 * run it, so the V8 flags it carries are measured too; `viaShebang: false` runs it under this node.
 */
export async function startServe({ args = [], env, viaShebang = true } = {}) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const argv = ['serve', `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn', ...args];
  const server = viaShebang
    ? new ServerProcess('ide-monitor serve', CLI, argv, { env })
    : new ServerProcess('ide-monitor serve', process.execPath, [CLI, ...argv], { env });
  try {
    await server.waitReady(async () => (await fetch(`${base}/-/ready`)).ok, `answering ${base}/-/ready`);
  } catch (error) {
    await server.stop();
    throw error;
  }
  server.port = port;
  server.base = base;
  return server;
}
