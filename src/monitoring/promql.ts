import { parseDuration } from '../config/duration.js';

/** Builds vector selectors that always carry the given matchers, e.g. the exporter's job. */
export type Selector = (metric: string, ...matchers: string[]) => string;

export function selector(base: string): Selector {
  return (metric, ...matchers) => `${metric}{${[base, ...matchers].filter((m) => m !== '').join(', ')}}`;
}

/**
 * The matchers every dashboard query carries: the cluster variable (All = `.*`, which also matches series
 * without the label) and dashboard-linter's target-job and target-instance rules.
 */
function dashboardMatchers(clusterLabel: string): string {
  return `${clusterLabel}=~"$cluster", job=~"$job", instance=~"$instance"`;
}

export function dashboardSelector(clusterLabel: string): Selector {
  return selector(dashboardMatchers(clusterLabel));
}

export function seconds(duration: string): number {
  const ms = parseDuration(duration);
  if (ms === undefined) throw new Error(`invalid duration ${JSON.stringify(duration)}`);
  return ms / 1000;
}

/** Numbers as PromQL and Go templates print them: no exponent, no trailing zeros. */
export function num(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(12)));
}

export function percent(ratio: number): string {
  return `${num(ratio * 100)}%`;
}

/** Human form of a duration in seconds, for docs and descriptions: 0.25 → 250ms, 90 → 1m30s, 86400 → 24h. */
export function humanSeconds(value: number): string {
  if (value < 1) return `${num(value * 1000)}ms`;
  const parts: string[] = [];
  let rest = value;
  for (const [unit, size] of [
    ['h', 3600],
    ['m', 60],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  if (rest > 0 || parts.length === 0) parts.push(`${num(rest)}s`);
  return parts.join('');
}
