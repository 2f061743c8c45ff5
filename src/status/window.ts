import { histogramQuantile } from './quantile.js';
import { sameBounds, type LspCumulative, type RawSample } from './sample.js';

/** What one LSP method did between two samples. */
export interface LspWindow {
  /** Seconds; null without served requests in the window. */
  readonly p95: number | null;
  /** Requests per second, all outcomes. */
  readonly rate: number;
  /** errors / requests that reached the server; null without any. */
  readonly errorRatio: number | null;
  readonly requests: number;
}

/** CPU busy ratio between two samples (all cores), as the `…:cpu_busy:ratio` rule computes it. */
export function cpuBusy(newer: RawSample, older: RawSample | undefined): number | null {
  if (newer.cpu === undefined || older?.cpu === undefined) return null;
  const total = newer.cpu.total - older.cpu.total;
  const busy = newer.cpu.busy - older.cpu.busy;
  if (!(total > 0) || busy < 0) return null;
  return Math.min(1, Math.max(0, busy / total));
}

/** Per-method latency, throughput and errors between two samples. */
export function lspWindows(newer: RawSample, older: RawSample | undefined): Map<string, LspWindow> {
  return histogramWindows(newer.lsp, older?.lsp, secondsBetween(newer, older));
}

/** The same per application operation (`ide_app_operation_duration_seconds`). */
export function appWindows(newer: RawSample, older: RawSample | undefined): Map<string, LspWindow> {
  return histogramWindows(newer.apps, older?.apps, secondsBetween(newer, older));
}

function secondsBetween(newer: RawSample, older: RawSample | undefined): number {
  return older === undefined ? 0 : (newer.t - older.t) / 1000;
}

function histogramWindows(
  newer: ReadonlyMap<string, LspCumulative>,
  older: ReadonlyMap<string, LspCumulative> | undefined,
  seconds: number,
): Map<string, LspWindow> {
  const out = new Map<string, LspWindow>();
  for (const [key, now] of newer) out.set(key, lspWindow(now, older?.get(key), seconds));
  return out;
}

/** Hits / lookups of each cache between two samples (null without lookups), and lookups per second. */
export function cacheWindows(
  newer: RawSample,
  older: RawSample | undefined,
): Map<string, { hitRatio: number | null; rate: number; lifetimeHitRatio: number | null }> {
  const seconds = secondsBetween(newer, older);
  const out = new Map<string, { hitRatio: number | null; rate: number; lifetimeHitRatio: number | null }>();
  for (const [cache, now] of newer.caches) {
    const before = older?.caches.get(cache);
    const reset = before !== undefined && (now.hits < before.hits || now.misses < before.misses);
    const base = before === undefined || reset ? { hits: 0, misses: 0 } : before;
    const hits = now.hits - base.hits;
    const lookups = hits + now.misses - base.misses;
    const all = now.hits + now.misses;
    out.set(cache, {
      hitRatio: lookups > 0 ? hits / lookups : null,
      rate: seconds > 0 ? lookups / seconds : 0,
      lifetimeHitRatio: all > 0 ? now.hits / all : null,
    });
  }
  return out;
}

/** CPU (cores used) and restarts of each process group between two samples. */
export function processWindows(newer: RawSample, older: RawSample | undefined): Map<string, { cpuCores: number | null; restarts: number }> {
  const seconds = secondsBetween(newer, older);
  const out = new Map<string, { cpuCores: number | null; restarts: number }>();
  for (const [group, now] of newer.processes ?? []) {
    const before = older?.processes?.get(group);
    const cpu = before === undefined || seconds <= 0 ? null : now.cpuSeconds - before.cpuSeconds;
    out.set(group, {
      cpuCores: cpu === null || cpu < 0 ? null : cpu / seconds,
      restarts: before === undefined ? 0 : Math.max(0, now.restarts - before.restarts),
    });
  }
  return out;
}

function lspWindow(now: LspCumulative, before: LspCumulative | undefined, seconds: number): LspWindow {
  // A counter that went down was reset (a restart); like rate(), count the newer value from zero. A method
  // that was absent before started from zero within the window (prom-client creates series on first use).
  const reset = before !== undefined && (now.requests < before.requests || now.answered < before.answered || now.errors < before.errors);
  const base = before === undefined || reset ? undefined : before;
  const requests = now.requests - (base?.requests ?? 0);
  const answered = now.answered - (base?.answered ?? 0);
  const errors = now.errors - (base?.errors ?? 0);
  return {
    p95: histogramQuantile(0.95, now.bounds, bucketDelta(now, base)),
    rate: seconds > 0 ? requests / seconds : 0,
    errorRatio: answered > 0 ? errors / answered : null,
    requests,
  };
}

function bucketDelta(now: LspCumulative, before: LspCumulative | undefined): readonly number[] {
  if (before === undefined || !sameBounds(before.bounds, now.bounds)) return now.served;
  const delta = new Array<number>(now.served.length);
  for (let i = 0; i < delta.length; i += 1) {
    const d = now.served[i]! - before.served[i]!;
    if (d < 0) return now.served;
    delta[i] = d;
  }
  return delta;
}
