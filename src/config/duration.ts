/** Prometheus-style durations: `500ms`, `5s`, `1m30s`, `2h`, `10y` (a year is 365 days, as in Prometheus). */
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, y: 31_536_000_000 };
const DURATION = /^(?:\d+(?:ms|s|m|h|d|w|y))+$/;
const PART = /(\d+)(ms|s|m|h|d|w|y)/g;

export function parseDuration(text: string): number | undefined {
  if (!DURATION.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(PART)) total += Number(amount) * (UNIT_MS[unit ?? ''] ?? NaN);
  return Number.isFinite(total) ? total : undefined;
}
