// Types for the parts of report.mjs its unit test calls.
export interface Point {
  t: number;
  value: number;
}
/** Least-squares slope of `value` over `t` (ms), per hour; NaN with fewer than 3 usable points. */
export function slopePerHour(points: readonly Point[]): number;
/** Slope per hour of each whole window's lowest value: the growth that survives garbage collection. */
export function floorSlopePerHour(points: readonly Point[]): number;
