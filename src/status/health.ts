import { DEFAULT_THRESHOLDS, type Level, type Severity, type Thresholds } from '../monitoring/thresholds.js';
import type { LspWindow } from './window.js';

/**
 * The page colours a bar by the alert it would raise: the severity of the highest level whose value is
 * exceeded (alerts fire on `> value`), without waiting for the level's `for`. Low and medium alerts are
 * yellow, high and critical red, anything below the first level green; no data is grey.
 */
export type Colour = 'green' | 'yellow' | 'red' | 'grey';

export interface HealthBar {
  /** The bar's fill, 0..1 (ratio of the resource, or of the latency budget for LSP); null without data. */
  readonly value: number | null;
  readonly severity: Severity | null;
  readonly colour: Colour;
  /** One line under the bar, e.g. the mountpoint or the slowest method. */
  readonly detail: string;
  /** Where the levels sit on the bar, for tick marks. */
  readonly marks: readonly { readonly severity: Severity; readonly value: number }[];
}

const RANK: Record<Severity, number> = { low: 1, medium: 2, high: 3, critical: 4 };

export function severityOf(value: number | null, levels: readonly Level[]): Severity | null {
  if (value === null) return null;
  let worst: Severity | null = null;
  for (const level of levels) if (value > level.value && (worst === null || RANK[level.severity] > RANK[worst])) worst = level.severity;
  return worst;
}

export function colourOf(value: number | null, severity: Severity | null): Colour {
  if (value === null) return 'grey';
  if (severity === null) return 'green';
  return RANK[severity] >= RANK.high ? 'red' : 'yellow';
}

function worse(a: Severity | null, b: Severity | null): Severity | null {
  if (a === null) return b;
  if (b === null) return a;
  return RANK[b] > RANK[a] ? b : a;
}

export function resourceBar(value: number | null, levels: readonly Level[], detail: string): HealthBar {
  const severity = severityOf(value, levels);
  return { value, severity, colour: colourOf(value, severity), detail, marks: levels.map((l) => ({ severity: l.severity, value: l.value })) };
}

/**
 * LSP health: the slowest method relative to its p95 budget (IdeLsp<Method>Slow), worsened by the error
 * ratio alert (IdeLspErrorRatioHigh, only above its minimum request rate, as the rule guards it).
 */
export function lspBar(windows: ReadonlyMap<string, LspWindow>, thresholds: Thresholds = DEFAULT_THRESHOLDS): HealthBar {
  if (windows.size === 0 || [...windows.values()].every((w) => w.requests === 0)) {
    return { value: null, severity: null, colour: 'grey', detail: 'no LSP requests in the last minute', marks: [] };
  }
  let value = 0;
  let severity: Severity | null = null;
  let slowest = '';
  for (const [method, w] of windows) {
    const budget = thresholds.lspLatencyBudgets[method];
    if (budget === undefined || w.p95 === null) continue;
    const lowest = Math.min(...budget.levels.map((l) => l.value));
    const used = lowest > 0 ? w.p95 / lowest : 0;
    if (used > value) {
      value = used;
      slowest = `${method} p95 ${formatMs(w.p95)} of ${formatMs(lowest)} budget`;
    }
    severity = worse(severity, severityOf(w.p95, budget.levels));
  }
  const guard = thresholds.lspErrorRatio;
  let errorNote = '';
  for (const [method, w] of windows) {
    if (w.errorRatio === null || w.rate <= guard.minRequestRate) continue;
    const s = severityOf(w.errorRatio, guard.levels);
    if (s !== null) errorNote = `${method} ${(w.errorRatio * 100).toFixed(1)} % errors`;
    severity = worse(severity, s);
  }
  const detail = [slowest || 'every method within budget', errorNote].filter(Boolean).join(' · ');
  return { value, severity, colour: colourOf(value, severity), detail, marks: [{ severity: 'medium', value: 1 }] };
}

function formatMs(seconds: number): string {
  return seconds >= 1 ? `${seconds.toFixed(2)} s` : `${Math.round(seconds * 1000)} ms`;
}
