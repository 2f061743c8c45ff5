import { histogramQuantile } from './quantile.js';
import type { LspCumulative, RawSample } from './sample.js';

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
  const out = new Map<string, LspWindow>();
  const seconds = older === undefined ? 0 : (newer.t - older.t) / 1000;
  for (const [method, now] of newer.lsp) {
    const before = older?.lsp.get(method);
    out.set(method, lspWindow(now, before, seconds));
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

function bucketDelta(now: LspCumulative, before: LspCumulative | undefined): Float64Array {
  if (before === undefined || before.bounds.length !== now.bounds.length || before.bounds.some((b, i) => b !== now.bounds[i])) return now.served;
  const delta = new Float64Array(now.served.length);
  for (let i = 0; i < delta.length; i += 1) {
    const d = now.served[i]! - before.served[i]!;
    if (d < 0) return now.served;
    delta[i] = d;
  }
  return delta;
}
