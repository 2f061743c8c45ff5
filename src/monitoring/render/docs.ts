import type { RuleArea } from '../rules/model.js';
import { RATIONALE, SEVERITY_POLICY } from './rationale.js';
import { GENERATED_NOTICE } from './yaml.js';

export const ALERTS_DOC = 'docs/alerts.md';

/** The alert table users read: one row per alert and severity, in the words of the thresholds. */
export function renderAlertsDoc(areas: readonly RuleArea[]): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const lines = [
    '# Alerts',
    '',
    `<!-- ${GENERATED_NOTICE} -->`,
    '',
    'Every alert ide-monitor ships, generated from the thresholds in `src/monitoring/thresholds.ts` (override them',
    'with `ide-monitor generate --config FILE`). An alert with several severities fires one rule per level;',
    'each name links to its section of the [runbook](runbook.md). Severities: critical pages someone now, high',
    'needs attention within the hour, medium within the day, low is a trend to look at.',
    '',
    'The `test` profile of `generate` renders the same rules with every `for` cut to a few seconds, for',
    'end-to-end tests that need alerts to fire quickly; never deploy it.',
    '',
    'Every `_config` setting of `generate` is described in [generate.md](generate.md). Where node_exporter',
    'already runs, `hostMetrics: node_exporter` makes the host alerts below read its `node_*` series (with',
    '`nodeExporterSelector`, default `job="node"`) under the same names, severities, thresholds and',
    'annotations; see [generate.md](generate.md#beside-node_exporter).',
    '',
    '## Severity policy',
    '',
    SEVERITY_POLICY,
  ];
  for (const area of areas) {
    if (area.alerts.length === 0) continue;
    lines.push('', `## ${area.title}`, '', '| Alert | Severity | Fires when | For | Summary |', '|---|---|---|---|---|');
    for (const { rule, condition } of area.alerts) {
      const link = `[${rule.alert}](runbook.md#${rule.alert.toLowerCase()})`;
      lines.push(`| ${link} | ${rule.labels.severity} | ${cell(condition)} | ${rule.for} | ${cell(rule.annotations.summary)} |`);
    }
  }
  lines.push('', '## Thresholds against the mixins', '', 'Every alert with its severities and why, compared with node-mixin and kubernetes-mixin.', '');
  lines.push('| Alert | Severities | Why |', '|---|---|---|');
  const names = [...new Set(areas.flatMap((a) => a.alerts.map(({ rule }) => rule.alert)))];
  for (const name of names) {
    const severities = areas.flatMap((a) => a.alerts.filter(({ rule }) => rule.alert === name).map(({ rule }) => rule.labels.severity));
    const why = RATIONALE[name];
    if (why === undefined) throw new Error(`${name} has no entry in render/rationale.ts`);
    lines.push(`| ${name} | ${severities.join(', ')} | ${cell(why)} |`);
  }
  lines.push('', '## Recording rules', '', 'Shared by the alerts and the dashboards (`level:metric:operations`).', '');
  lines.push('| Rule | File |', '|---|---|');
  for (const area of areas) for (const r of area.recording) lines.push(`| \`${r.record}\` | \`prometheus/rules/${area.file}.yml\` |`);
  return `${lines.join('\n')}\n`;
}
