import type { HostMetricsMode, MonitoringConfig } from '../config.js';
import { ruleAreas, ruleGroups } from '../rules/index.js';
import type { AlertingRule, RuleArea } from '../rules/model.js';
import { yaml } from '../render/yaml.js';
import { appTests } from './app.js';
import { clusterTests } from './clusters.js';
import { hostTests } from './host.js';
import { lspTests } from './lsp.js';
import type { Scenario, TestFile } from './model.js';
import { predictiveTests, weeklyTests } from './predictive.js';
import { selfTests } from './self.js';

export const TESTS_DIR = 'prometheus/tests';

/** The test files for a host source: the host scenarios read its series, the rest are the same in both modes. */
export function testFiles(mode: HostMetricsMode): TestFile[] {
  return [hostTests(mode), lspTests, appTests, predictiveTests(mode), weeklyTests, selfTests, clusterTests(mode)];
}

/** The promtool test files for the rules rendered from `config` (the default config: see generate.ts). */
export function renderPromtoolTests(config: MonitoringConfig): Map<string, string> {
  const rules = new Map<string, AlertingRule>();
  const areas = ruleAreas(config);
  for (const area of areas) for (const { rule } of area.alerts) rules.set(`${rule.alert}/${rule.labels.severity}`, rule);
  return new Map(
    testFiles(config.hostMetrics).map((file) => [
      `${TESTS_DIR}/${file.file}.yml`,
      yaml({
        rule_files: file.ruleFiles.map((name) => `../rules/${name}.yml`),
        evaluation_interval: file.evaluationInterval ?? '1m',
        group_eval_order: evaluationOrder(areas, file.ruleFiles),
        tests: file.scenarios.map((scenario) => renderScenario(scenario, rules)),
      }),
    ]),
  );
}

/**
 * Without an explicit order promtool evaluates groups in map order, which varies from run to run: an
 * alert reading a recording rule then sees this step's value or the last one's, and a test that checks a
 * templated value flakes. Recording groups first matches the steady state of a real Prometheus.
 */
function evaluationOrder(areas: readonly RuleArea[], files: readonly string[]): string[] {
  const groups = areas.filter((area) => files.includes(area.file)).flatMap(ruleGroups);
  const recording = groups.filter((g) => g.rules.every((r) => 'record' in r));
  return [...recording, ...groups.filter((g) => !recording.includes(g))].map((g) => g.name);
}

function renderScenario(scenario: Scenario, rules: Map<string, AlertingRule>) {
  return {
    name: scenario.name,
    interval: scenario.interval ?? '1m',
    input_series: scenario.series.map(([series, values]) => ({ series, values })),
    ...(scenario.alerts === undefined
      ? {}
      : {
          alert_rule_test: scenario.alerts.map((check) => ({
            eval_time: check.at,
            alertname: check.alert,
            exp_alerts: check.expect.map((expected) => {
              const rule = rules.get(`${check.alert}/${expected.severity}`);
              if (rule === undefined)
                throw new Error(`promtool test "${scenario.name}" expects ${check.alert} at severity ${expected.severity}, which no rule defines`);
              return {
                exp_labels: { ...expected.labels, severity: expected.severity },
                exp_annotations: {
                  ...rule.annotations,
                  description: expected.description,
                  dashboard_url: expandLabels(rule.annotations.dashboard_url, expected.labels),
                },
              };
            }),
          })),
        }),
    ...(scenario.exprs === undefined
      ? {}
      : {
          promql_expr_test: scenario.exprs.map((check) => ({
            expr: check.expr,
            eval_time: check.at,
            exp_samples: check.samples.map((s) => ({ labels: s.labels, value: s.value })),
          })),
        }),
  };
}

/**
 * The dashboard link as Prometheus renders it for these labels. Only the template form the rules use
 * (see rules/model.ts), `{{ with $labels.x }}…{{ . | urlquery }}…{{ end }}`; anything else left over is an
 * error, so a new form cannot slip through untested.
 */
function expandLabels(template: string, labels: Readonly<Record<string, string>>): string {
  const out = template.replace(
    /\{\{ with \$labels\.(\w+) \}\}(.*?)\{\{ \. \| urlquery \}\}(.*?)\{\{ end \}\}/g,
    (_, name: string, before: string, after: string) => {
      const value = labels[name];
      return value === undefined || value === '' ? '' : `${before}${queryEscape(value)}${after}`;
    },
  );
  if (out.includes('{{')) throw new Error(`cannot expand ${template}`);
  return out;
}

/** Go's url.QueryEscape, which the `urlquery` template function applies: only A-Z a-z 0-9 - _ . ~ stay. */
function queryEscape(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}
