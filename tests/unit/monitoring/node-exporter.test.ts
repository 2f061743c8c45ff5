import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/problems.js';
import { DEFAULT_CONFIG, resolveConfig, runbookWarning } from '../../../src/monitoring/config.js';
import { dashboards } from '../../../src/monitoring/dashboards/index.js';
import { runGenerate } from '../../../src/monitoring/generate.js';
import { testFiles } from '../../../src/monitoring/promtool/index.js';
import { ruleAreas } from '../../../src/monitoring/rules/index.js';
import type { AlertingRule } from '../../../src/monitoring/rules/model.js';
import { isKnownMetric, NODE_EXPORTER } from './contract.js';
import { fromGrafana, parsePromql } from './promql-lint.js';

const NODE = resolveConfig({ hostMetrics: 'node_exporter' }, 'test.yml');
const HOST_AREAS = new Set(['host', 'predictive']);

const rulesOf = (config: typeof DEFAULT_CONFIG) => ruleAreas(config).flatMap((a) => a.alerts.map(({ rule }) => ({ area: a.file, rule })));
const ideRules = rulesOf(DEFAULT_CONFIG);
const nodeRules = rulesOf(NODE);
const recordNames = new Set(ruleAreas(NODE).flatMap((a) => a.recording.map((r) => r.record)));
/** The alerts that read host series: every IdeHost* alert (the memory prediction lives in predictive). */
const isHost = (rule: AlertingRule) => rule.alert.startsWith('IdeHost');

describe('_config.hostMetrics', () => {
  it('defaults to ide-monitor with node_exporter\u2019s usual job as its selector', () => {
    expect([DEFAULT_CONFIG.hostMetrics, DEFAULT_CONFIG.nodeExporterSelector]).toEqual(['ide-monitor', 'job="node"']);
  });

  it('rejects anything but ide-monitor or node_exporter, naming the setting', () => {
    expect(() => resolveConfig({ hostMetrics: 'node-exporter' }, 'monitoring.yml')).toThrow(ConfigError);
    expect(() => resolveConfig({ hostMetrics: 'node-exporter' }, 'monitoring.yml')).toThrow(/_config\.hostMetrics/);
    expect(() => resolveConfig({ nodeExporterSelector: '' }, 'monitoring.yml')).toThrow(/_config\.nodeExporterSelector/);
  });
});

describe('node_exporter mode rules', () => {
  it('keep every alert\u2019s name, severity, for, summary, description and runbook', () => {
    const shape = (rules: typeof ideRules) =>
      rules.map(({ rule }) => [
        rule.alert,
        rule.labels.severity,
        rule.for,
        rule.annotations.summary,
        rule.annotations.description,
        rule.annotations.runbook_url,
      ]);
    expect(shape(nodeRules)).toEqual(shape(ideRules));
    expect(ruleAreas(NODE).flatMap((a) => a.recording.map((r) => r.record))).toEqual(
      ruleAreas(DEFAULT_CONFIG).flatMap((a) => a.recording.map((r) => r.record)),
    );
  });

  it('change only the host rules', () => {
    const other = (rules: typeof ideRules) => rules.filter(({ rule }) => !isHost(rule)).map(({ rule }) => rule);
    expect(other(nodeRules)).toEqual(other(ideRules));
    expect(nodeRules.filter(({ rule }) => isHost(rule)).every(({ area }) => HOST_AREAS.has(area))).toBe(true);
  });

  const hostExprs = [
    ...ruleAreas(NODE)
      .filter((a) => a.file === 'host')
      .flatMap((a) => a.recording.map((r) => [r.record, r.expr] as const)),
    ...nodeRules.filter(({ rule }) => isHost(rule)).map(({ rule }) => [`${rule.alert}/${rule.labels.severity}`, rule.expr] as const),
  ];

  it.each(hostExprs)('%s reads node_exporter\u2019s series with its job selector', (_, expr) => {
    const parsed = parsePromql(expr);
    expect(parsed.errors).toEqual([]);
    const raw = parsed.selectors.filter((s) => !recordNames.has(s.metric));
    for (const s of raw) {
      expect(NODE_EXPORTER, expr).toContain(s.metric);
      expect(s.matchers, expr).toContainEqual({ name: 'job', op: '=', value: 'node' });
    }
    expect(expr).not.toMatch(/\bide_host_\w+\{/);
  });

  it('follows a custom nodeExporterSelector', () => {
    const custom = resolveConfig({ hostMetrics: 'node_exporter', nodeExporterSelector: 'job="node-exporter", env="dev"' }, 'test.yml');
    const host = ruleAreas(custom).find((a) => a.file === 'host');
    expect(host?.recording.find((r) => r.record === 'instance:ide_host_memory_used:ratio')?.expr).toBe(
      '1 - node_memory_MemAvailable_bytes{job="node-exporter", env="dev"} / node_memory_MemTotal_bytes{job="node-exporter", env="dev"}',
    );
  });

  it('link the memory prediction to the trends dashboard\u2019s node variable', () => {
    const rule = nodeRules.find(({ rule }) => rule.alert === 'IdeHostMemoryExhaustionPredicted')?.rule;
    expect(rule?.annotations.dashboard_url).toContain('&var-node={{ . | urlquery }}');
    expect(rule?.annotations.dashboard_url).not.toContain('var-job');
  });
});

interface PanelJson {
  type: string;
  title: string;
  panels?: PanelJson[];
  targets?: { expr: string }[];
}
interface BoardJson {
  panels: PanelJson[];
  templating: { list: { name: string; query?: string }[] };
}
const asJson = (d: unknown) => JSON.parse(JSON.stringify(d)) as BoardJson;
const leaves = (panels: readonly PanelJson[]) => panels.flatMap((p) => (p.type === 'row' ? (p.panels ?? []) : [p]));
const HOST_RECORDS = new Set([...recordNames].filter((r) => r.includes(':ide_host_')));

describe('node_exporter mode dashboards', () => {
  const ide = new Map(dashboards(DEFAULT_CONFIG).map(({ key, dashboard }) => [key, asJson(dashboard)]));
  const node = new Map(dashboards(NODE).map(({ key, dashboard }) => [key, asJson(dashboard)]));

  it('name no ide_host_ series and keep every panel', () => {
    for (const [key, board] of node) {
      expect(JSON.stringify(board.panels), key).not.toMatch(/[^:]ide_host_/);
      expect(
        leaves(board.panels).map((p) => p.title),
        key,
      ).toEqual(
        leaves(ide.get(key)?.panels ?? [])
          .map((p) => p.title)
          .filter((t) => t !== 'Event loop lag' || key !== 'host'),
      );
    }
  });

  it('list node_exporter in the host dashboard\u2019s variables, and its health in the last row', () => {
    const host = node.get('host');
    const query = (name: string) => host?.templating.list.find((v) => v.name === name)?.query;
    expect(query('job')).toBe('label_values(node_uname_info{job="node", cluster=~"$cluster"}, job)');
    expect(query('instance')).toBe('label_values(node_uname_info{job="node", cluster=~"$cluster", job=~"$job"}, instance)');
    const health = JSON.stringify(host?.panels.at(-1));
    expect(health).toContain('node_scrape_collector_success');
    expect(health).not.toContain('ide_exporter_');
  });

  it.each([...node].map(([key, board]) => [key, board] as const))('%s: host queries read node_exporter, the rest is unchanged', (key, board) => {
    const before = leaves(ide.get(key)?.panels ?? []);
    for (const panel of leaves(board.panels)) {
      for (const target of panel.targets ?? []) {
        const selectors = parsePromql(fromGrafana(target.expr)).selectors;
        for (const s of selectors) expect(isKnownMetric(s.metric, recordNames, true), `unknown metric ${s.metric} in ${target.expr}`).toBe(true);
        // Host series, and ALERTS of the host alerts (labelled with node_exporter's job and instance).
        const host = selectors.filter((s) => s.metric.startsWith('node_') || HOST_RECORDS.has(s.metric) || s.matchers.some((m) => m.value === '$node'));
        if (key === 'host') continue; // every query there reads the host exporter through job and instance
        if (host.length === 0) {
          expect(before.find((p) => p.title === panel.title)?.targets, panel.title).toContainEqual(target);
          continue;
        }
        for (const s of host) {
          expect(s.matchers, target.expr).toContainEqual({ name: 'job', op: '=', value: 'node' });
          expect(s.matchers, target.expr).toContainEqual({ name: 'instance', op: '=~', value: '$node' });
        }
        expect(board.templating.list.find((v) => v.name === 'node')?.query).toBe('label_values(node_uname_info{job="node", cluster=~"$cluster"}, instance)');
      }
    }
  });
});

describe('node_exporter mode promtool tests', () => {
  const files = testFiles('node_exporter');
  const checks = files.flatMap((f) => f.scenarios.flatMap((s) => s.alerts ?? []));

  it.each(nodeRules.filter(({ rule }) => isHost(rule)).map(({ rule }) => [rule.alert, rule.labels.severity] as const))(
    '%s (%s) fires and stays quiet on node_* series',
    (alert, severity) => {
      const mine = checks.filter((c) => c.alert === alert);
      expect(
        mine.some((c) => c.expect.some((e) => e.severity === severity && e.labels['job'] === 'node')),
        'no case where it fires',
      ).toBe(true);
      expect(
        mine.some((c) => !c.expect.some((e) => e.severity === severity)),
        'no case where it stays quiet',
      ).toBe(true);
    },
  );

  it('feed the host scenarios node_exporter\u2019s series only', () => {
    const series = files.flatMap((f) => f.scenarios.flatMap((s) => s.series.map(([name]) => name)));
    expect(series.filter((s) => s.startsWith('ide_host_'))).toEqual([]);
    const nodeSeries = series.filter((s) => s.startsWith('node_'));
    expect(nodeSeries.length).toBeGreaterThan(50);
    for (const s of nodeSeries) expect(s).toContain('job="node", instance="dev:9100"');
  });
});

describe('runbook placeholder warning', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ide-monitor-node-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is one line naming _config.runbookUrl while it points at the placeholder organisation', () => {
    const warning = runbookWarning(DEFAULT_CONFIG);
    expect(warning).toMatch(/^warning: _config\.runbookUrl is https:\/\/github\.com\/ide-monitor\/\S+, a placeholder organisation; set it/);
    expect(warning).not.toContain('\n');
    expect(runbookWarning(resolveConfig({ runbookUrl: 'https://wiki.example.com/ide-monitor/runbook' }, 'test.yml'))).toBeUndefined();
  });

  it('is written once by generate, apart from its output', async () => {
    const warnings: string[] = [];
    const out: string[] = [];
    expect(await runGenerate({ outDir: dir, check: false, warn: (line) => warnings.push(line) }, (line) => out.push(line))).toBe(0);
    expect(warnings).toEqual([runbookWarning(DEFAULT_CONFIG)]);
    expect(out.join('\n')).not.toContain('placeholder');
  });
});
