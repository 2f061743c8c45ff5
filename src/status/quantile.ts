/**
 * Prometheus' `histogram_quantile` on one histogram: cumulative bucket counts with ascending upper bounds,
 * the last one `+Inf`. Within a bucket observations are assumed evenly spread (linear interpolation); a
 * rank that lands in the `+Inf` bucket answers the highest finite bound, as Prometheus does. The status
 * page uses it so its p95 reads the same as the recording rule `…:p95_5m` on Grafana.
 */
export function histogramQuantile(q: number, upperBounds: readonly number[], cumulative: ArrayLike<number>): number | null {
  const n = upperBounds.length;
  if (n === 0 || cumulative.length !== n || !(q >= 0 && q <= 1)) return null;
  if (upperBounds[n - 1] !== Number.POSITIVE_INFINITY) return null;
  const total = cumulative[n - 1]!;
  if (!(total > 0)) return null;
  const rank = q * total;
  let i = 0;
  while (i < n - 1 && cumulative[i]! < rank) i += 1;
  if (i === n - 1) return n >= 2 ? upperBounds[n - 2]! : null;
  const upper = upperBounds[i]!;
  // Prometheus takes 0 as the lower edge of the first bucket when its bound is positive.
  const lower = i === 0 ? Math.min(0, upper) : upperBounds[i - 1]!;
  const below = i === 0 ? 0 : cumulative[i - 1]!;
  const inBucket = cumulative[i]! - below;
  if (i === 0 && upper <= 0) return upper;
  if (inBucket <= 0) return upper;
  return lower + (upper - lower) * ((rank - below) / inBucket);
}

/** `le` label text to a number (`+Inf` included); undefined for anything else. */
export function parseLe(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (text === '+Inf' || text === 'Inf') return Number.POSITIVE_INFINITY;
  const value = Number(text);
  return text.trim() === '' || Number.isNaN(value) ? undefined : value;
}
