import { parseDuration } from '../config/duration.js';

export type RangeResult = { readonly ok: true; readonly ms: number } | { readonly ok: false; readonly reason: string };

/**
 * The `range` query parameter of `/api/v1/history`: a Prometheus-style duration between one sampling
 * interval and the history the page keeps; absent means all of it.
 */
export function parseRange(value: unknown, intervalMs: number, historyMs: number): RangeResult {
  if (value === undefined) return { ok: true, ms: historyMs };
  if (typeof value !== 'string') return { ok: false, reason: 'range must be given once, e.g. range=15m' };
  const ms = parseDuration(value);
  if (ms === undefined) return { ok: false, reason: `range ${JSON.stringify(value)} is not a duration; use e.g. 30s, 5m or 15m` };
  if (ms < intervalMs) return { ok: false, reason: `range ${value} is shorter than the sampling interval (${intervalMs} ms)` };
  if (ms > historyMs) return { ok: false, reason: `range ${value} is longer than the history kept (${historyMs / 1000} s; see status.history)` };
  return { ok: true, ms };
}
