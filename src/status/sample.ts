import type { Labels, MetricFamily } from '../exporter/metric-family.js';
import { parseLe } from './quantile.js';

/** The LSP latency histogram (METRICS.md); absent until the proxy or the ingestion API reports. */
const LSP_HISTOGRAM = 'ide_lsp_request_duration_seconds';
/** An IDE backend's own operations and caches, reported through the ingestion API. */
const APP_HISTOGRAM = 'ide_app_operation_duration_seconds';
const CACHE_COUNTER = 'ide_app_cache_requests_total';
/** Language servers as the LSP proxies report them. */
const SERVER_UP = 'ide_lsp_server_up';
const SERVER_STARTS = 'ide_lsp_server_starts_total';
const SERVER_EXITS = 'ide_lsp_server_exits_total';
/** What the sampler reads from the prom-client registry (and nothing else, see Sampler). */
export const REGISTRY_METRICS: readonly string[] = [LSP_HISTOGRAM, APP_HISTOGRAM, CACHE_COUNTER, SERVER_UP, SERVER_STARTS, SERVER_EXITS];
/** The process-group collector: sampled less often than the rest (it scans every process). */
export const PROCESS_COLLECTOR = 'process';

/**
 * The collectors whose families `extractSample` reads (`ide_host_cpu_seconds_total`, `ide_host_memory_*`,
 * `ide_host_filesystem_*`): the sampler runs only these each second, not the whole `/metrics` set.
 */
export const SAMPLED_COLLECTORS: ReadonlySet<string> = new Set(['cpu', 'memory', 'filesystem']);

/**
 * One method's cumulative LSP counters at one moment, summed over servers. Cumulative (not per tick) so
 * any window is the difference of two samples, the way `rate()` works on Prometheus.
 */
export interface LspCumulative {
  /** Bucket upper bounds, ascending, the last `+Inf`. */
  readonly bounds: readonly number[];
  /**
   * Cumulative bucket counts of served requests (not cancelled, not short-circuited), as the p95 rule uses.
   * A plain array: a Float64Array of 15 buckets costs twice the bytes (its buffer lives outside the heap,
   * with a tracking record), and the page keeps one per method per second of history.
   */
  readonly served: number[];
  /** Every request, whatever its outcome: throughput. */
  requests: number;
  /** Requests that reached the server (all but short-circuited): the error ratio's denominator. */
  answered: number;
  errors: number;
}

/**
 * What the page keeps from one scrape: a few numbers, not the scrape. Counters stay cumulative; ratios
 * that are gauges already (memory, disk) are computed here.
 */
export interface RawSample {
  readonly t: number;
  /** Cumulative CPU seconds over all cores: busy (not idle, iowait or steal) and total. */
  readonly cpu?: { readonly busy: number; readonly total: number };
  /** 1 - available / total, as the IdeHostMemoryHighUsage rule computes it. */
  readonly memoryUsed?: number;
  /** The fullest writable filesystem: 1 - avail / size, as IdeHostFilesystemAlmostFull computes it. */
  readonly disk?: { readonly ratio: number; readonly mountpoint: string };
  /** Keyed by LSP method. */
  readonly lsp: ReadonlyMap<string, LspCumulative>;
  /** Keyed by application operation (`ide_app_operation_duration_seconds`): every outcome is served. */
  readonly apps: ReadonlyMap<string, LspCumulative>;
  /** Keyed by cache: cumulative hits and misses. */
  readonly caches: ReadonlyMap<string, CacheCumulative>;
  /** Keyed by process group; absent when the process collector is off. */
  readonly processes?: ReadonlyMap<string, ProcessGroupSample>;
  /** Keyed by the `server` label of the proxies' reports. */
  readonly servers: ReadonlyMap<string, ServerSample>;
}

interface CacheCumulative {
  hits: number;
  misses: number;
}

interface ProcessGroupSample {
  count: number;
  residentBytes: number | null;
  /** Cumulative user + system seconds. */
  cpuSeconds: number;
  restarts: number;
}

interface ServerSample {
  up: number | null;
  starts: number;
  exits: number;
}

const NOT_BUSY = new Set(['idle', 'iowait', 'steal']);
const NOT_SERVED = new Set(['cancelled', 'short_circuited']);

/** Reads the page's compact sample out of a scrape's families; missing families leave fields undefined. */
export function extractSample(t: number, families: readonly MetricFamily[]): RawSample {
  const byName = new Map<string, MetricFamily>();
  for (const f of families) if (!byName.has(f.name)) byName.set(f.name, f);
  const sample: { -readonly [K in keyof RawSample]: RawSample[K] } = {
    t,
    lsp: extractHistogram(byName.get(LSP_HISTOGRAM), 'method', LSP_OUTCOMES),
    apps: extractHistogram(byName.get(APP_HISTOGRAM), 'operation', APP_OUTCOMES),
    caches: extractCaches(byName.get(CACHE_COUNTER)),
    servers: extractServers(byName),
  };
  const processes = extractProcesses(byName);
  if (processes !== undefined) sample.processes = processes;
  const cpu = extractCpu(byName.get('ide_host_cpu_seconds_total'));
  if (cpu !== undefined) sample.cpu = cpu;
  const memory = extractMemory(byName);
  if (memory !== undefined) sample.memoryUsed = memory;
  const disk = extractDisk(byName);
  if (disk !== undefined) sample.disk = disk;
  return sample;
}

function extractCpu(family: MetricFamily | undefined): RawSample['cpu'] {
  if (family === undefined || family.samples.length === 0) return undefined;
  let busy = 0;
  let total = 0;
  for (const s of family.samples) {
    total += s.value;
    if (!NOT_BUSY.has(s.labels['mode'] ?? '')) busy += s.value;
  }
  return { busy, total };
}

function single(family: MetricFamily | undefined): number | undefined {
  const value = family?.samples[0]?.value;
  return value !== undefined && Number.isFinite(value) ? value : undefined;
}

function extractMemory(byName: ReadonlyMap<string, MetricFamily>): number | undefined {
  const total = single(byName.get('ide_host_memory_total_bytes'));
  const available = single(byName.get('ide_host_memory_available_bytes'));
  if (total === undefined || available === undefined || total <= 0) return undefined;
  return clampRatio(1 - available / total);
}

function extractDisk(byName: ReadonlyMap<string, MetricFamily>): RawSample['disk'] {
  const key = (l: Labels) => `${l['device']}\u0000${l['mountpoint']}\u0000${l['fstype']}`;
  const avail = new Map<string, number>();
  for (const s of byName.get('ide_host_filesystem_avail_bytes')?.samples ?? []) avail.set(key(s.labels), s.value);
  const readonly = new Map<string, number>();
  for (const s of byName.get('ide_host_filesystem_readonly')?.samples ?? []) readonly.set(key(s.labels), s.value);
  let fullest: RawSample['disk'];
  for (const s of byName.get('ide_host_filesystem_size_bytes')?.samples ?? []) {
    const k = key(s.labels);
    const free = avail.get(k);
    // Read-only mounts are full by design; the alert ignores them, so the page does too.
    if (free === undefined || s.value <= 0 || readonly.get(k) === 1) continue;
    const ratio = clampRatio(1 - free / s.value);
    if (fullest === undefined || ratio > fullest.ratio) fullest = { ratio, mountpoint: s.labels['mountpoint'] ?? '?' };
  }
  return fullest;
}

/** Which outcomes count where: LSP latency is of served requests only, as the recording rules select. */
interface OutcomeRules {
  readonly notServed: ReadonlySet<string>;
  readonly notAnswered: ReadonlySet<string>;
}
const LSP_OUTCOMES: OutcomeRules = { notServed: NOT_SERVED, notAnswered: new Set(['short_circuited']) };
const APP_OUTCOMES: OutcomeRules = { notServed: new Set(), notAnswered: new Set() };

/** A latency histogram as cumulative counts per value of `key` (method, operation), summed over the other labels. */
function extractHistogram(family: MetricFamily | undefined, key: string, rules: OutcomeRules): ReadonlyMap<string, LspCumulative> {
  const out = new Map<string, LspCumulative>();
  if (family === undefined) return NONE;
  const bucketName = `${family.name}_bucket`;
  const countName = `${family.name}_count`;
  // Per series (server, method, outcome): its buckets, so bounds are read from the data, not assumed.
  const buckets = new Map<string, { method: string; served: boolean; les: [number, number][] }>();
  for (const s of family.samples) {
    const method = s.labels[key];
    const outcome = String(s.labels['outcome'] ?? '');
    if (method === undefined) continue;
    if (s.name === countName) {
      const entry = lspEntry(out, method);
      if (entry === undefined) continue;
      entry.requests += s.value;
      if (!rules.notAnswered.has(outcome)) entry.answered += s.value;
      if (outcome === 'error') entry.errors += s.value;
    } else if (s.name === bucketName) {
      const le = parseLe(String(s.labels['le']));
      if (le === undefined) continue;
      // One series per label set without `le`, whatever labels the histogram has besides key and outcome.
      const series = Object.entries(s.labels)
        .filter(([name]) => name !== 'le')
        .map(([name, value]) => `${name}=${value}`)
        .sort()
        .join('\u0000');
      let b = buckets.get(series);
      if (b === undefined) buckets.set(series, (b = { method, served: !rules.notServed.has(outcome), les: [] }));
      b.les.push([le, s.value]);
    }
  }
  for (const b of buckets.values()) {
    if (!b.served) continue;
    b.les.sort((x, y) => x[0] - y[0]);
    const bounds = b.les.map(([le]) => le);
    let entry = out.get(b.method);
    if (entry === undefined || entry.bounds.length === 0) {
      const prior = entry;
      entry = {
        bounds: internBounds(bounds),
        served: new Array<number>(bounds.length).fill(0),
        requests: prior?.requests ?? 0,
        answered: prior?.answered ?? 0,
        errors: prior?.errors ?? 0,
      };
      out.set(b.method, entry);
    }
    // Servers of one method share the histogram's buckets; a mismatch would be a different metric.
    if (!sameBounds(entry.bounds, bounds)) continue;
    b.les.forEach(([, count], i) => (entry.served[i]! += count));
  }
  return shared(out);
}

function extractCaches(family: MetricFamily | undefined): ReadonlyMap<string, CacheCumulative> {
  const out = new Map<string, CacheCumulative>();
  for (const s of family?.samples ?? []) {
    const cache = s.labels['cache'];
    if (cache === undefined) continue;
    let entry = out.get(cache);
    if (entry === undefined) out.set(cache, (entry = { hits: 0, misses: 0 }));
    if (s.labels['result'] === 'hit') entry.hits += s.value;
    else if (s.labels['result'] === 'miss') entry.misses += s.value;
  }
  return shared(out);
}

function extractProcesses(byName: ReadonlyMap<string, MetricFamily>): Map<string, ProcessGroupSample> | undefined {
  const count = byName.get('ide_process_count');
  if (count === undefined) return undefined;
  const out = new Map<string, ProcessGroupSample>();
  for (const s of count.samples) out.set(s.labels['group'] ?? '?', { count: s.value, residentBytes: null, cpuSeconds: 0, restarts: 0 });
  const each = (name: string, apply: (entry: ProcessGroupSample, value: number) => void) => {
    for (const s of byName.get(name)?.samples ?? []) {
      const entry = out.get(s.labels['group'] ?? '?');
      if (entry !== undefined) apply(entry, s.value);
    }
  };
  each('ide_process_resident_memory_bytes', (e, v) => (e.residentBytes = v));
  each('ide_process_cpu_seconds_total', (e, v) => (e.cpuSeconds += v));
  each('ide_process_restarts_total', (e, v) => (e.restarts = v));
  return out;
}

function extractServers(byName: ReadonlyMap<string, MetricFamily>): ReadonlyMap<string, ServerSample> {
  const out = new Map<string, ServerSample>();
  const entry = (server: string) => {
    let e = out.get(server);
    if (e === undefined) out.set(server, (e = { up: null, starts: 0, exits: 0 }));
    return e;
  };
  for (const s of byName.get(SERVER_UP)?.samples ?? [])
    if (s.labels['server'] !== undefined) entry(s.labels['server']).up = Math.max(entry(s.labels['server']).up ?? 0, s.value);
  for (const s of byName.get(SERVER_STARTS)?.samples ?? []) if (s.labels['server'] !== undefined) entry(s.labels['server']).starts += s.value;
  for (const s of byName.get(SERVER_EXITS)?.samples ?? []) if (s.labels['server'] !== undefined) entry(s.labels['server']).exits += s.value;
  return shared(out);
}

function lspEntry(out: Map<string, LspCumulative>, method: string): LspCumulative | undefined {
  let entry = out.get(method);
  if (entry === undefined) out.set(method, (entry = { bounds: NO_BOUNDS, served: [], requests: 0, answered: 0, errors: 0 }));
  return entry;
}

const NO_BOUNDS: readonly number[] = Object.freeze([]);
/** One empty map for every sample without applications, caches or servers (a Map costs ≈ 150 bytes empty). */
const NONE: ReadonlyMap<string, never> = new Map<string, never>();
const shared = <V>(map: ReadonlyMap<string, V>): ReadonlyMap<string, V> => (map.size === 0 ? NONE : map);
/** Bucket layouts seen so far (a histogram has one; a few at most), bounded in case something churns them. */
const boundsSeen = new Map<string, readonly number[]>();
const MAX_BOUNDS_SEEN = 64;

/**
 * The one frozen copy of a bucket layout: every sample of a method shares it instead of holding its own
 * 15-number array per second of history.
 */
function internBounds(bounds: number[]): readonly number[] {
  const key = bounds.join(' ');
  const seen = boundsSeen.get(key);
  if (seen !== undefined) return seen;
  if (boundsSeen.size >= MAX_BOUNDS_SEEN) boundsSeen.clear();
  const frozen = Object.freeze(bounds);
  boundsSeen.set(key, frozen);
  return frozen;
}

/** Whether two bucket layouts are the same (interned ones are usually the same array). */
export function sameBounds(a: readonly number[], b: readonly number[]): boolean {
  return a === b || (a.length === b.length && a.every((x, i) => x === b[i]));
}

function clampRatio(x: number): number {
  return Math.min(1, Math.max(0, x));
}
