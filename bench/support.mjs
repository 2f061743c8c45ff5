// What the benchmark sections share: /proc readings of a child, order statistics, and `ide-monitor serve`
// as a child that is started, awaited and stopped alike. Ports, child processes, Alertmanager, Prometheus
// and the service sinks come from tests/support, the same as the tests use.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort } from '../tests/support/ports.mjs';
import { startProcess } from '../tests/support/process.mjs';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The built CLI; the benchmarks measure `npm run build` output, not the sources. */
export const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
export const READY_TIMEOUT_MS = 30_000;
/** Kept of a child's stderr, so a failed start can say why. */
const STDERR_TAIL_CHARS = 4000;

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
export const ratioOf = (a, b, middle = median) =>
  spreadOf(
    a.map((x, i) => x / b[i]),
    middle,
  );

// ---------------------------------------------------------------------------------------------------
// Child processes

/**
 * How a benchmark starts a long-running child (`startProcess` options): from the repository root, stdout
 * to /dev/null, only the tail of stderr kept, so a failed start can say why without the output growing.
 */
export const CHILD_OPTIONS = { cwd: REPO_ROOT, stdout: 'ignore', tailChars: STDERR_TAIL_CHARS };

/**
 * The built `ide-monitor serve` on a free loopback port (or `port`, for a restart where its clients expect
 * it), resolved once `/-/ready` answers 2xx; on a failed start the child is stopped before the error is
 * thrown. By default it runs through the shebang, as users run it, so the V8 flags it carries are measured
 * too; `viaShebang: false` runs it under this node.
 */
export async function startServe({ args = [], env, viaShebang = true, port } = {}) {
  port ??= await freePort();
  const base = `http://127.0.0.1:${port}`;
  const argv = ['serve', `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn', ...args];
  const options = { ...CHILD_OPTIONS, name: 'ide-monitor serve', env };
  const server = viaShebang ? startProcess(CLI, argv, options) : startProcess(process.execPath, [CLI, ...argv], options);
  try {
    await server.waitReady(`answering ${base}/-/ready`, async () => (await fetch(`${base}/-/ready`)).ok, READY_TIMEOUT_MS);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { ...server, port, base };
}
