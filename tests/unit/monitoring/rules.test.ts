import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../src/monitoring/config.js';
import { DASHBOARDS } from '../../../src/monitoring/dashboards/catalog.js';
import { testFiles } from '../../../src/monitoring/promtool/index.js';
import { ruleAreas } from '../../../src/monitoring/rules/index.js';
import { methodAlertName } from '../../../src/monitoring/rules/lsp.js';
import { SEVERITIES } from '../../../src/monitoring/thresholds.js';
import { readMetricContract } from '../../support/metric-contract.js';
import { CONTRACT, HOST_EXTRAS, isKnownMetric } from './contract.js';
import { COUNTER_FUNCTIONS, durationSeconds, parsePromql } from './promql-lint.js';

const areas = ruleAreas(DEFAULT_CONFIG);
const alerts = areas.flatMap((a) => a.alerts.map((d) => d.rule));
const recording = areas.flatMap((a) => a.recording);
const recordNames = new Set(recording.map((r) => r.record));
const alertNames = [...new Set(alerts.map((a) => a.alert))];
const TEST_FILES = testFiles('ide-monitor');
const root = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url));

describe('alert rules follow the mixtool guidelines', () => {
  it.each(alerts.map((a) => [`${a.alert}/${a.labels.severity}`, a] as const))('%s', (_, rule) => {
    expect(rule.alert).toMatch(/^Ide([A-Z]+[a-z0-9]+)+$/); // alert-name-camelcase, with our prefix
    expect(SEVERITIES).toContain(rule.labels.severity); // alert-severity-rule
    expect(rule.annotations.summary).toMatch(/^[A-Z][^{}]+\.$/); // alert-summary-style, no templating
    expect(rule.annotations.description).toContain('{{'); // alert-description-templating
    expect(rule.annotations.runbook_url).toBe(`${DEFAULT_CONFIG.runbookUrl}#${rule.alert.toLowerCase()}`);
    // The dashboard with the alert's panel in view and the alert's job, instance and cluster preselected.
    const [base, query] = rule.annotations.dashboard_url.split('?');
    expect(Object.values(DASHBOARDS).map((d) => `${DEFAULT_CONFIG.grafanaUrl}/d/${d.uid}`)).toContain(base);
    expect(query).toMatch(
      /^viewPanel=\d+\{\{ with \$labels\.job \}\}&var-job=\{\{ \. \| urlquery \}\}\{\{ end \}\}\{\{ with \$labels\.instance \}\}&var-instance=\{\{ \. \| urlquery \}\}\{\{ end \}\}\{\{ with \$labels\.cluster \}\}&var-cluster=\{\{ \. \| urlquery \}\}\{\{ end \}\}$/,
    );
    // Fewer than two scrapes cannot tell a blip from a state.
    expect(durationSeconds(rule.for)).toBeGreaterThanOrEqual(2 * durationSeconds(DEFAULT_CONFIG.scrapeInterval));
  });

  it('has one rule per alert name and severity', () => {
    const keys = alerts.map((a) => `${a.alert}/${a.labels.severity}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('covers the areas the issue asks for', () => {
    for (const name of [
      'IdeHostCpuHighUsage',
      'IdeHostMemoryHighUsage',
      'IdeHostFilesystemAlmostFull',
      'IdeHostFilesystemFillingUp',
      'IdeHostFilesystemFilesAlmostExhausted',
      'IdeHostFilesystemFilesFillingUp',
      'IdeExporterTargetMissing',
      'IdeHostDiskIoSaturated',
      'IdeHostLoadHigh',
      'IdeHostFileDescriptorsNearLimit',
      'IdeLspCompletionSlow',
      'IdeLspHoverSlow',
      'IdeLspDefinitionSlow',
      'IdeLspReferencesSlow',
      'IdeLspWorkspaceSymbolSlow',
      'IdeLspErrorRatioHigh',
      'IdeLspServerDown',
      'IdeLspServerRestarting',
      'IdeLspRequestsStuck',
      'IdeAppCacheHitRatioLow',
      'IdeAppUiRefreshSlow',
      'IdeProcessGroupGone',
      'IdeProcessMemoryLeak',
      'IdeProcessRestartLoop',
      'IdeHostMemoryExhaustionPredicted',
      'IdeLspLatencyAnomaly',
      'IdeLspLatencyRegression',
      'IdeExporterDown',
      'IdeExporterCollectorFailing',
      'IdeBridgeDeliveryFailing',
      'IdeBridgeOutboxBacklogGrowing',
      'IdeLspProxyDroppingObservations',
    ])
      expect(alertNames).toContain(name);
    // node-mixin's severity policy: utilisation is information after 15 minutes, never a page.
    expect(alerts.filter((a) => a.alert === 'IdeHostCpuHighUsage').map((a) => [a.labels.severity, a.expr, a.for])).toEqual([
      ['low', 'instance:ide_host_cpu_busy:ratio_rate5m > 0.9', '15m'],
      ['medium', 'instance:ide_host_cpu_busy:ratio_rate5m > 0.95', '1h'],
    ]);
    for (const name of ['IdeHostCpuHighUsage', 'IdeHostMemoryHighUsage']) {
      for (const rule of alerts.filter((a) => a.alert === name)) {
        expect(rule.labels.severity, name).not.toBe('critical');
        expect(durationSeconds(rule.for), name).toBeGreaterThanOrEqual(15 * 60);
      }
    }
    const errors = alerts.find((a) => a.alert === 'IdeLspErrorRatioHigh');
    expect([errors?.labels.severity, errors?.for]).toEqual(['critical', '2m']);
  });

  it('names LSP budget alerts after the method', () => {
    expect(methodAlertName('textDocument/completion')).toBe('Completion');
    expect(methodAlertName('workspace/symbol')).toBe('WorkspaceSymbol');
    expect(methodAlertName('textDocument/documentSymbol')).toBe('DocumentSymbol');
  });

  it('names recording rules level:metric:operations', () => {
    for (const r of recording) expect(r.record).toMatch(/^[a-z_]+:[a-z0-9_]+:[a-z0-9_]+$/);
    expect(recordNames.size).toBe(recording.length);
  });
});

describe('rule expressions', () => {
  const exprs = [...recording.map((r) => [r.record, r.expr] as const), ...alerts.map((a) => [`${a.alert}/${a.labels.severity}`, a.expr] as const)];

  it.each(exprs)('%s parses, uses contract metrics, rates counters over enough samples', (_, expr) => {
    const parsed = parsePromql(expr);
    expect(parsed.errors).toEqual([]);
    for (const s of parsed.selectors) {
      expect(isKnownMetric(s.metric, recordNames), `unknown metric ${s.metric}`).toBe(true);
      if (s.metric.endsWith('_total')) expect(COUNTER_FUNCTIONS, `${s.metric} outside rate/increase`).toContain(s.func);
      // Raw series carry the exporter's job selector; recording rules' outputs are already filtered.
      if (!recordNames.has(s.metric)) expect(s.matchers).toContainEqual({ name: 'job', op: '=', value: 'ide-monitor' });
    }
    // pint's promql/rate: a window shorter than a few scrapes is a bug waiting for a missed scrape.
    for (const call of parsed.rangeCalls) expect(durationSeconds(call.range)).toBeGreaterThanOrEqual(4 * durationSeconds(DEFAULT_CONFIG.scrapeInterval));
  });

  // Aggregating `by (job, instance, …)` drops the labels a central Prometheus tells clusters apart by.
  it('never aggregates by a fixed label list, so cluster, namespace and pod survive', () => {
    for (const [name, expr] of exprs) expect(expr, name).not.toMatch(/\b(sum|avg|max|min|count) by\b|\bon \(/);
  });

  it('reads every recording rule it depends on from a rule that exists', () => {
    for (const [, expr] of exprs) {
      for (const s of parsePromql(expr).selectors) if (s.metric.includes(':')) expect(recordNames).toContain(s.metric);
    }
  });
});

describe('runbook', () => {
  const runbook = readFileSync(root('docs/runbook.md'), 'utf8');
  const headings = [...runbook.matchAll(/^## (\S+)\s*$/gm)].map((m) => m[1]);

  it('has one heading per alert, and none for alerts that do not exist', () => {
    expect([...headings].sort()).toEqual([...alertNames].sort());
  });

  it.each(alertNames)('%s says what it means, how to check and what to do', (name) => {
    const section = runbook.split(/^## /m).find((s) => s.startsWith(`${name}\n`)) ?? '';
    for (const part of ['Meaning', 'Check', 'Act']) expect(section, `${name} lacks **${part}**`).toContain(`**${part}**`);
  });
});

describe('promtool tests', () => {
  const checks = TEST_FILES.flatMap((f) => f.scenarios.flatMap((s) => s.alerts ?? []));

  // A rule without a test is a rule nobody has seen fire.
  it.each(alerts.map((a) => [a.alert, a.labels.severity] as const))('%s (%s) has a firing and a not-firing case', (alert, severity) => {
    const mine = checks.filter((c) => c.alert === alert);
    expect(
      mine.some((c) => c.expect.some((e) => e.severity === severity)),
      'no case where it fires',
    ).toBe(true);
    expect(
      mine.some((c) => !c.expect.some((e) => e.severity === severity)),
      'no case where it stays quiet',
    ).toBe(true);
  });
});

describe('two-cluster promtool cases', () => {
  const clusters = TEST_FILES.find((f) => f.file === 'clusters');
  const checked = new Set(clusters?.scenarios.flatMap((s) => (s.exprs ?? []).map((e) => e.expr.replace(/\{.*$/, ''))));

  it.each(recording.map((r) => r.record))('%s is checked with two clusters sharing an instance address', (name) => {
    expect(checked).toContain(name);
    const samples = clusters?.scenarios.flatMap((s) => s.exprs ?? []).find((e) => e.expr.replace(/\{.*$/, '') === name)?.samples ?? [];
    expect(samples.map((s) => /cluster="(\w+)"/.exec(s.labels)?.[1])).toEqual(['a', 'b']);
  });
});

describe('metric contract', () => {
  // The names rules and dashboards may use must be ones serve really exposes: the in-repo contract, which
  // tests/integration/exporter/metric-contract.test.ts checks against a running serve.
  it('lists every metric the monitoring content may use in src/metrics/contract.json', () => {
    const names = new Set(readMetricContract().map((m) => m.name));
    expect([...CONTRACT, ...HOST_EXTRAS].filter((n) => !names.has(n))).toEqual([]);
  });
});
