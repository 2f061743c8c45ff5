import type { Threshold } from '@grafana/grafana-foundation-sdk/dashboard';
import type { Severity } from '../thresholds.js';

/**
 * Colour steps built from the alert thresholds, so a panel turns the colour of the alert that would fire
 * at that value. Grafana's base step needs `value: null`, which the SDK types as a number.
 */
const COLOURS: Record<Severity, string> = { critical: 'red', high: 'orange', medium: 'yellow', low: 'blue' };
const BASE = null as unknown as number;

interface Valued {
  readonly severity: Severity;
  readonly value: number;
}

/** For alerts that fire above a value: green below the lowest level. */
export function above(levels: readonly Valued[]): Threshold[] {
  const sorted = [...levels].sort((a, b) => a.value - b.value);
  return [{ value: BASE, color: 'green' }, ...sorted.map((l) => ({ value: l.value, color: COLOURS[l.severity] }))];
}

/** For alerts that fire below a value: green from the highest level up. */
export function below(levels: readonly Valued[]): Threshold[] {
  const sorted = [...levels].sort((a, b) => a.value - b.value);
  const first = sorted[0];
  if (first === undefined) return [{ value: BASE, color: 'green' }];
  return [
    { value: BASE, color: COLOURS[first.severity] },
    ...sorted.map((l, i) => {
      const next = sorted[i + 1];
      return { value: l.value, color: next === undefined ? 'green' : COLOURS[next.severity] };
    }),
  ];
}

/** For states where 1 is healthy and anything less is not (up, success). */
export const UP_STEPS: Threshold[] = [
  { value: BASE, color: 'red' },
  { value: 1, color: 'green' },
];
/** For counts where any is bad (firing alerts, failures). */
export const ANY_STEPS: Threshold[] = [
  { value: BASE, color: 'green' },
  { value: 1, color: 'red' },
];
