import type { MonitoringConfig } from '../config.js';
import { DASHBOARDS, type DashboardKey } from '../dashboards/catalog.js';
import { humanSeconds, seconds, selector, type Selector } from '../promql.js';
import type { AnyLevel, Severity } from '../thresholds.js';

export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
}

export interface AlertingRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: { readonly severity: Severity };
  readonly annotations: {
    readonly summary: string;
    readonly description: string;
    readonly runbook_url: string;
    readonly dashboard_url: string;
  };
}

/** An alert rule plus what the docs table says about it. */
export interface AlertDefinition {
  readonly rule: AlertingRule;
  /** The condition in words, built from the same threshold as the expression. */
  readonly condition: string;
}

/** One rules file: the recording rules and alerts of one area. */
export interface RuleArea {
  readonly file: string;
  readonly title: string;
  readonly recording: readonly RecordingRule[];
  readonly alerts: readonly AlertDefinition[];
}

export interface RuleContext {
  readonly config: MonitoringConfig;
  /** Selects the exporter's raw series (recording rules' outputs are already filtered). */
  readonly m: Selector;
}

export function ruleContext(config: MonitoringConfig): RuleContext {
  return { config, m: selector(config.selector) };
}

export interface AlertSpec<L extends AnyLevel> {
  readonly name: string;
  readonly dashboard: DashboardKey;
  readonly levels: readonly L[];
  /** A static sentence ending in a period (mixtool's alert-summary-style). */
  readonly summary: string;
  readonly expr: (level: L) => string;
  /** Templated: it names the labels and `$value` (mixtool's alert-description-templating). */
  readonly description: (level: L) => string;
  readonly condition: (level: L) => string;
}

/** One alerting rule per level, each with severity, runbook and dashboard links. */
export function defineAlert<L extends AnyLevel>(ctx: RuleContext, spec: AlertSpec<L>): AlertDefinition[] {
  return spec.levels.map((level) => ({
    condition: spec.condition(level),
    rule: {
      alert: spec.name,
      expr: tidy(spec.expr(level)),
      for: level.for,
      labels: { severity: level.severity },
      annotations: {
        summary: spec.summary,
        description: spec.description(level),
        runbook_url: `${ctx.config.runbookUrl}#${spec.name.toLowerCase()}`,
        dashboard_url: `${ctx.config.grafanaUrl.replace(/\/$/, '')}/d/${DASHBOARDS[spec.dashboard].uid}`,
      },
    },
  }));
}

export function record(name: string, expr: string): RecordingRule {
  return { record: name, expr: tidy(expr) };
}

/** "for 5m" in descriptions; humanised so a test profile's "5s" still reads well. */
export function forText(level: AnyLevel): string {
  return humanSeconds(seconds(level.for));
}

/** Multi-line expressions are written indented in template literals; the YAML shows them flush left. */
function tidy(expr: string): string {
  const lines = expr.replace(/^\n+|\s+$/g, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)?.[0].length ?? 0));
  return lines.map((l) => l.slice(indent)).join('\n');
}
