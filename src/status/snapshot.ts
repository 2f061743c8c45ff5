import type { ActiveAlertsView } from '../serve/feature.js';
import { DEFAULT_THRESHOLDS, SEVERITIES, type Severity, type Thresholds } from '../monitoring/thresholds.js';
import { lspBar, resourceBar, severityOf, type HealthBar } from './health.js';
import type { RingBuffer } from './ring-buffer.js';
import type { RawSample } from './sample.js';
import { appWindows, cacheWindows, cpuBusy, lspWindows, processWindows, type LspWindow } from './window.js';
import { byCodeUnit } from '../compare-text.js';

/** The window of the per-operation table, and of the LSP bar; the trend compares it with the one before. */
const TABLE_WINDOW_MS = 60_000;
/** The trailing window of each point on the LSP p95 chart: short enough to show a spike, long enough to hold a few requests. */
const CHART_WINDOW_MS = 15_000;
/** A p95 change smaller than this (relative) or than 1 ms is shown as flat. */
const TREND_TOLERANCE = 0.1;

/** One chart point, computed once when the sample is taken. */
interface Point {
  readonly t: number;
  readonly cpu: number | null;
  readonly memory: number | null;
  readonly disk: number | null;
  /** p95 seconds per LSP method over the trailing CHART_WINDOW_MS. */
  readonly lsp: Readonly<Record<string, number | null>>;
}

export interface Entry {
  readonly t: number;
  readonly raw: RawSample;
  readonly point: Point;
}

export interface OperationRow {
  readonly method: string;
  readonly p95: number | null;
  readonly rate: number;
  readonly errorRatio: number | null;
  readonly trend: 'up' | 'down' | 'flat' | null;
  readonly previousP95: number | null;
  /** p95 above the method's latency budget (IdeLsp<Method>Slow's lowest level). */
  readonly slow: boolean;
  /** Error ratio above IdeLspErrorRatioHigh's level, at its minimum request rate. */
  readonly failing: boolean;
}

interface AlertsBlock {
  /** False when the alert bridge is disabled or not wired: the page says "bridge disabled". */
  readonly enabled: boolean;
  readonly counts: Readonly<Record<Severity | 'other', number>>;
  readonly items: readonly {
    readonly fingerprint: string;
    readonly alertname: string;
    readonly severity: string;
    readonly summary: string;
    readonly startsAt: string;
    /** Who acknowledged it and when, when the bridge says so. */
    readonly acknowledged: { readonly by: string; readonly at: string } | null;
  }[];
}

/** An IDE backend operation over the last minute (`ide_app_operation_duration_seconds`). */
interface ApplicationRow {
  readonly operation: string;
  readonly p95: number | null;
  readonly rate: number;
  readonly errorRatio: number | null;
}

interface CacheRow {
  readonly cache: string;
  /** Over the last minute; null without lookups in it. */
  readonly hitRatio: number | null;
  readonly rate: number;
  /** Since the exporter started. */
  readonly lifetimeHitRatio: number | null;
}

interface ProcessRow {
  readonly group: string;
  readonly count: number;
  readonly residentBytes: number | null;
  /** Cores used over the last minute; null until two process samples a minute apart exist. */
  readonly cpuCores: number | null;
  readonly restarts: number;
  /** Restarts within the last minute. */
  readonly recentRestarts: number;
}

interface ServerRow {
  readonly server: string;
  /** 1 running, 0 down (after an abnormal exit), null when unknown. */
  readonly up: number | null;
  readonly starts: number;
  readonly exits: number;
  /** Resident memory of the process group of the same name, when one is configured. */
  readonly residentBytes: number | null;
}

export interface Snapshot {
  readonly seq: number;
  /** When the newest sample was taken (ms since the epoch). */
  readonly t: number;
  readonly intervalMs: number;
  readonly health: { readonly cpu: HealthBar; readonly memory: HealthBar; readonly disk: HealthBar; readonly lsp: HealthBar };
  readonly alerts: AlertsBlock;
  readonly operations: readonly OperationRow[];
  readonly applications: readonly ApplicationRow[];
  readonly caches: readonly CacheRow[];
  /** Null when the process-group collector is off. */
  readonly processes: readonly ProcessRow[] | null;
  readonly servers: readonly ServerRow[];
  readonly point: Point | null;
}

export interface History {
  readonly intervalMs: number;
  readonly rangeMs: number;
  /** Columns, uPlot's shape: one array of times (ms) and one of values per series. */
  readonly t: readonly number[];
  readonly cpu: readonly (number | null)[];
  readonly memory: readonly (number | null)[];
  readonly disk: readonly (number | null)[];
  readonly lsp: Readonly<Record<string, readonly (number | null)[]>>;
}

/** Makes a ring entry from a fresh sample and the buffer so far (for the deltas). */
export function makeEntry(raw: RawSample, ring: RingBuffer<Entry>): Entry {
  const previous = ring.latest();
  const chartBase = ring.atOrBefore(raw.t - CHART_WINDOW_MS) ?? ring.at(0);
  const lsp: Record<string, number | null> = {};
  for (const [method, w] of lspWindows(raw, chartBase?.raw)) lsp[method] = w.p95;
  const point: Point = { t: raw.t, cpu: cpuBusy(raw, previous?.raw), memory: raw.memoryUsed ?? null, disk: raw.disk?.ratio ?? null, lsp };
  return { t: raw.t, raw, point };
}

export function buildSnapshot(
  seq: number,
  ring: RingBuffer<Entry>,
  intervalMs: number,
  alerts: ActiveAlertsView | undefined,
  thresholds: Thresholds = DEFAULT_THRESHOLDS,
): Snapshot {
  const latest = ring.latest();
  const windowStart = latest === undefined ? undefined : (ring.atOrBefore(latest.t - TABLE_WINDOW_MS) ?? ring.at(0));
  const previousStart = latest === undefined ? undefined : ring.atOrBefore(latest.t - 2 * TABLE_WINDOW_MS);
  const current = latest === undefined ? new Map<string, LspWindow>() : lspWindows(latest.raw, windowStart?.raw);
  // The previous window exists only once the buffer reaches back two windows.
  const previous = windowStart !== undefined && previousStart !== undefined ? lspWindows(windowStart.raw, previousStart.raw) : undefined;
  const point = latest?.point ?? null;
  const disk = latest?.raw.disk;
  return {
    seq,
    t: latest?.t ?? Date.now(),
    intervalMs,
    health: {
      cpu: resourceBar(point?.cpu ?? null, thresholds.hostCpuHighUsage.levels, 'busy, all cores'),
      memory: resourceBar(point?.memory ?? null, thresholds.hostMemoryHighUsage.levels, 'used (1 − available / total)'),
      disk: resourceBar(
        disk?.ratio ?? null,
        thresholds.hostFilesystemAlmostFull.levels,
        disk === undefined ? 'no writable filesystem' : `fullest: ${disk.mountpoint}`,
      ),
      lsp: lspBar(current, thresholds),
    },
    alerts: alertsBlock(alerts),
    operations: operations(current, previous, thresholds),
    ...appBlocks(latest, windowStart),
    point,
  };
}

/** The application, cache, process-group and language-server panels, over the same minute as the LSP table. */
function appBlocks(latest: Entry | undefined, windowStart: Entry | undefined): Pick<Snapshot, 'applications' | 'caches' | 'processes' | 'servers'> {
  if (latest === undefined) return { applications: [], caches: [], processes: null, servers: [] };
  const raw = latest.raw;
  const applications = [...appWindows(raw, windowStart?.raw)]
    .filter(([, w]) => w.requests > 0 || windowStart === undefined)
    .map(([operation, w]) => ({ operation, p95: w.p95, rate: w.rate, errorRatio: w.errorRatio }))
    .sort((a, b) => b.rate - a.rate || byCodeUnit(a.operation, b.operation));
  const caches = [...cacheWindows(raw, windowStart?.raw)]
    .map(([cache, w]) => ({ cache, ...w }))
    .sort((a, b) => b.rate - a.rate || byCodeUnit(a.cache, b.cache));
  const windows = processWindows(raw, windowStart?.raw);
  const processes =
    raw.processes === undefined
      ? null
      : [...raw.processes].map(([group, p]) => ({
          group,
          count: p.count,
          residentBytes: p.residentBytes,
          cpuCores: windows.get(group)?.cpuCores ?? null,
          restarts: p.restarts,
          recentRestarts: windows.get(group)?.restarts ?? 0,
        }));
  const servers = [...raw.servers]
    .map(([server, s]) => ({ server, up: s.up, starts: s.starts, exits: s.exits, residentBytes: raw.processes?.get(server)?.residentBytes ?? null }))
    .sort((a, b) => byCodeUnit(a.server, b.server));
  return { applications, caches, processes, servers };
}

function operations(current: ReadonlyMap<string, LspWindow>, previous: ReadonlyMap<string, LspWindow> | undefined, thresholds: Thresholds): OperationRow[] {
  const rows: OperationRow[] = [];
  const errors = thresholds.lspErrorRatio;
  for (const [method, w] of current) {
    if (w.requests <= 0) continue;
    const before = previous?.get(method)?.p95 ?? null;
    const budget = thresholds.lspLatencyBudgets[method];
    rows.push({
      method,
      p95: w.p95,
      rate: w.rate,
      errorRatio: w.errorRatio,
      trend: trend(w.p95, before),
      previousP95: before,
      slow: budget !== undefined && severityOf(w.p95, budget.levels) !== null,
      failing: w.rate > errors.minRequestRate && severityOf(w.errorRatio, errors.levels) !== null,
    });
  }
  // Busiest first: what most users feel.
  return rows.sort((a, b) => b.rate - a.rate || byCodeUnit(a.method, b.method));
}

export function trend(now: number | null, before: number | null): OperationRow['trend'] {
  if (now === null || before === null) return null;
  const diff = now - before;
  if (Math.abs(diff) < 0.001 || Math.abs(diff) <= TREND_TOLERANCE * before) return 'flat';
  return diff > 0 ? 'up' : 'down';
}

function alertsBlock(view: ActiveAlertsView | undefined): AlertsBlock {
  const counts: Record<Severity | 'other', number> = { critical: 0, high: 0, medium: 0, low: 0, other: 0 };
  if (view === undefined) return { enabled: false, counts, items: [] };
  const active = view.summary();
  for (const [severity, n] of Object.entries(active.counts)) {
    const key = (SEVERITIES as readonly string[]).includes(severity) ? (severity as Severity) : 'other';
    counts[key] += n;
  }
  const items = active.items.slice(0, 10).map((a) => ({
    fingerprint: a.fingerprint,
    alertname: a.alertname,
    severity: a.severity,
    summary: a.summary,
    startsAt: a.startsAt,
    acknowledged: a.acknowledged ?? null,
  }));
  return { enabled: true, counts, items };
}

export function buildHistory(ring: RingBuffer<Entry>, rangeMs: number, intervalMs: number): History {
  const latest = ring.latest();
  const entries = latest === undefined ? [] : ring.range(latest.t - rangeMs);
  const methods = new Set<string>();
  for (const e of entries) for (const m of Object.keys(e.point.lsp)) methods.add(m);
  const lsp: Record<string, (number | null)[]> = {};
  for (const m of [...methods].sort()) lsp[m] = entries.map((e) => e.point.lsp[m] ?? null);
  return {
    intervalMs,
    rangeMs,
    t: entries.map((e) => e.t),
    cpu: entries.map((e) => e.point.cpu),
    memory: entries.map((e) => e.point.memory),
    disk: entries.map((e) => e.point.disk),
    lsp,
  };
}
