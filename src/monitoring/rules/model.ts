import type { MonitoringConfig } from '../config.js';
import { DASHBOARDS, type DashboardKey } from '../dashboards/catalog.js';
import { dashboards } from '../dashboards/index.js';
import { hostMetricNames, hostSelector, NODE_VARIABLE, type HostMetricNames } from '../host-metrics.js';
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
  /** Selects the raw host series: the exporter's, or node_exporter's (`hostMetrics`). */
  readonly host: Selector;
  /** The host metric names of that source. */
  readonly h: HostMetricNames;
  /** Panel ids by `<dashboard key>/<panel title>`, for links that open the panel an alert is about. */
  readonly panels: ReadonlyMap<string, number>;
}

export function ruleContext(config: MonitoringConfig): RuleContext {
  const panels = new Map<string, number>();
  for (const { key, dashboard } of dashboards(config)) {
    for (const panel of dashboard.panels ?? []) {
      const inner = 'panels' in panel && Array.isArray(panel.panels) ? panel.panels : [];
      for (const p of [panel, ...inner]) if ('title' in p && typeof p.title === 'string' && typeof p.id === 'number') panels.set(`${key}/${p.title}`, p.id);
    }
  }
  return { config, m: selector(config.selector), host: selector(hostSelector(config)), h: hostMetricNames(config.hostMetrics), panels };
}

export interface AlertSpec<L extends AnyLevel> {
  readonly name: string;
  readonly dashboard: DashboardKey;
  /** Title of the panel on that dashboard that shows what the alert measures; the link opens it. */
  readonly panel: string;
  /** Reads host series (from node_exporter in that mode). */
  readonly host?: boolean;
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
        dashboard_url: dashboardUrl(ctx, spec.dashboard, spec.panel, spec.host === true),
      },
    },
  }));
}

/**
 * The dashboard with the alert's panel in view and its job, instance and (when the alert has one) cluster
 * preselected. Prometheus expands the template when the alert fires; `urlquery` escapes the values.
 */
function dashboardUrl(ctx: RuleContext, dashboard: DashboardKey, panel: string, host: boolean): string {
  const id = ctx.panels.get(`${dashboard}/${panel}`);
  if (id === undefined) throw new Error(`alert links to panel "${panel}", which dashboard ${dashboard} does not have`);
  const base = `${ctx.config.grafanaUrl.replace(/\/$/, '')}/d/${DASHBOARDS[dashboard].uid}`;
  // `with`: a label the alert lacks (an absent() alert has no instance) leaves its variable at the default.
  const variable = (label: string, name: string) => `{{ with $labels.${label} }}&var-${name}={{ . | urlquery }}{{ end }}`;
  // node_exporter's instance goes to the `node` variable where job and instance pick ide-monitor (hostVariableSource).
  const nodeVar = ctx.config.hostMetrics === 'node_exporter' && host && dashboard !== 'host';
  const target = nodeVar ? variable('instance', NODE_VARIABLE) : `${variable('job', 'job')}${variable('instance', 'instance')}`;
  return `${base}?viewPanel=${id}${target}${variable(ctx.config.clusterLabel, 'cluster')}`;
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
