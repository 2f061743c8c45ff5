import type { HostMetricsMode } from '../config.js';
import { num } from '../promql.js';
import type { Severity } from '../thresholds.js';

/**
 * promtool unit tests, written as data. Input series and expected descriptions are literal (designed
 * around the default thresholds); the static annotations (summary, runbook_url, dashboard_url) are
 * copied from the rule they test, so a test names the alert and severity it expects and no more.
 */

export interface Expected {
  readonly severity: Severity;
  readonly labels: Readonly<Record<string, string>>;
  /** The rendered description, values and all: this is what checks the templating. */
  readonly description: string;
}

export interface AlertCheck {
  readonly at: string;
  readonly alert: string;
  /** Every alert of that name firing at `at`; empty asserts that none fires (pending does not count). */
  readonly expect: readonly Expected[];
}

export interface ExprCheck {
  readonly at: string;
  readonly expr: string;
  readonly samples: readonly { readonly labels: string; readonly value: number }[];
}

export interface Scenario {
  readonly name: string;
  /** Spacing of the input samples; 1m unless the scenario needs days of history. */
  readonly interval?: string;
  readonly series: readonly (readonly [string, string])[];
  readonly alerts?: readonly AlertCheck[];
  readonly exprs?: readonly ExprCheck[];
}

export interface TestFile {
  readonly file: string;
  /** Rules files (names under prometheus/rules) the scenarios need, recording rules first. */
  readonly ruleFiles: readonly string[];
  readonly evaluationInterval?: string;
  readonly scenarios: readonly Scenario[];
}

export interface Target {
  readonly job: string;
  readonly instance: string;
}

/** The exporter as Prometheus labels it in every scenario. */
export const TARGET: Target = { job: 'ide-monitor', instance: 'dev:10451' };
/** node_exporter on the same machine, as the default `nodeExporterSelector` selects it. */
const NODE_TARGET: Target = { job: 'node', instance: 'dev:9100' };

/** Whoever exports the host series in that mode. */
export function hostTarget(mode: HostMetricsMode): Target {
  return mode === 'node_exporter' ? NODE_TARGET : TARGET;
}

export function labels(extra: Readonly<Record<string, string>> = {}, target: Target = TARGET): Record<string, string> {
  return { ...target, ...extra };
}

/** `metric{job="ide-monitor", instance="dev:10451", …}` */
export function series(metric: string, extra: Readonly<Record<string, string>> = {}, target: Target = TARGET): string {
  return `${metric}{${Object.entries(labels(extra, target))
    .map(([k, v]) => `${k}="${v}"`)
    .join(', ')}}`;
}

/** A counter growing by `perStep` for `steps` steps (steps + 1 samples). */
export function counter(perStep: number, steps = 60, start = 0): string {
  return `${num(start)}+${num(perStep)}x${steps}`;
}

/** A gauge moving linearly: `start`, `start + perStep`, … */
export function line(start: number, perStep: number, steps = 60): string {
  return perStep < 0 ? `${num(start)}-${num(-perStep)}x${steps}` : `${num(start)}+${num(perStep)}x${steps}`;
}

export function constant(value: number, steps = 60): string {
  return `${num(value)}x${steps}`;
}

/**
 * A histogram whose observations all fall in the bucket (lower, upper], at `perStep` per step: its
 * quantile q is lower + (upper − lower)·q, which places a p95 just above or below a budget.
 */
export function histogram(
  metric: string,
  extra: Readonly<Record<string, string>>,
  lower: number,
  upper: number,
  perStep: number,
  steps = 60,
): [string, string][] {
  const bucket = (le: string) => series(`${metric}_bucket`, { ...extra, le });
  return [
    [bucket(num(lower)), constant(0, steps)],
    [bucket(num(upper)), counter(perStep, steps)],
    [bucket('+Inf'), counter(perStep, steps)],
    [series(`${metric}_count`, extra), counter(perStep, steps)],
  ];
}

export function fires(severity: Severity, extra: Readonly<Record<string, string>>, description: string, target: Target = TARGET): Expected {
  return { severity, labels: labels(extra, target), description };
}

export function quiet(alert: string, ...at: string[]): AlertCheck[] {
  return at.map((time) => ({ at: time, alert, expect: [] }));
}
