import * as units from '@grafana/grafana-foundation-sdk/units';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, resolveConfig } from '../../../src/monitoring/config.js';
import { DASHBOARDS } from '../../../src/monitoring/dashboards/catalog.js';
import { dashboards } from '../../../src/monitoring/dashboards/index.js';
import { ruleAreas } from '../../../src/monitoring/rules/index.js';
import { isKnownMetric } from './contract.js';
import { COUNTER_FUNCTIONS, fromGrafana, parsePromql, RATE_INTERVAL_STANDIN } from './promql-lint.js';

/** The JSON shape we read back from the SDK's output, loosely: the linter checks what is actually there. */
interface PanelJson {
  id: number;
  type: string;
  title?: string;
  description?: string;
  collapsed?: boolean;
  datasource?: { uid?: string };
  panels?: PanelJson[];
  targets?: { expr?: string; refId?: string }[];
  fieldConfig?: { defaults?: { unit?: string; mappings?: unknown[]; thresholds?: { steps?: { value: number | null }[] } } };
}
interface VariableJson {
  type: string;
  hide?: number;
  current?: { text?: unknown; value?: unknown };
  name: string;
  label?: string;
  query?: unknown;
  datasource?: { uid?: string };
  multi?: boolean;
  includeAll?: boolean;
  allValue?: string;
  refresh?: number;
}
interface DashboardJson {
  uid: string;
  title: string;
  editable: boolean;
  panels: PanelJson[];
  templating: { list: VariableJson[] };
}

const asJson = (d: unknown) => JSON.parse(JSON.stringify(d)) as DashboardJson;
const boards = dashboards(DEFAULT_CONFIG).map(({ key, dashboard }) => ({ key, json: asJson(dashboard) }));
const recordNames = new Set(ruleAreas(DEFAULT_CONFIG).flatMap((a) => a.recording.map((r) => r.record)));
const UNITS = new Set((Object.values(units) as unknown[]).filter((v): v is string => typeof v === 'string'));

function leaves(panels: readonly PanelJson[]): PanelJson[] {
  return panels.flatMap((p) => (p.type === 'row' ? (p.panels ?? []) : [p]));
}

describe.each(boards)('dashboard $key', ({ json }) => {
  const panels = leaves(json.panels);
  const variable = (name: string) => json.templating.list.find((v) => v.name === name);

  it('has a stable uid, a title, and cannot be edited in the UI', () => {
    expect(Object.values(DASHBOARDS).map((d) => d.uid)).toContain(json.uid);
    expect(json.uid.length).toBeLessThanOrEqual(40);
    expect(json.title).toMatch(/^IDE Monitor \/ /);
    expect(json.editable).toBe(false);
  });

  it('has a cluster variable, hidden at All unless showMultiCluster, that job and instance follow', () => {
    expect(variable('cluster')).toMatchObject({
      type: 'query',
      query: 'label_values(ide_exporter_build_info, cluster)',
      includeAll: true,
      // `.*`, not `.+`: with one Prometheus per cluster the series have no cluster label at all.
      allValue: '.*',
      hide: 2,
      current: { text: 'All', value: '$__all' },
    });
    expect(String(variable('job')?.query)).toContain('cluster=~"$cluster"');
    expect(String(variable('instance')?.query)).toContain('cluster=~"$cluster"');
  });

  it('has the datasource, job and instance variables (template-*-rule)', () => {
    expect(variable('datasource')).toMatchObject({ type: 'datasource', label: 'Data source', query: 'prometheus' });
    for (const [name, label] of [
      ['job', 'Job'],
      ['instance', 'Instance'],
    ] as const) {
      expect(variable(name)).toMatchObject({
        type: 'query',
        label,
        datasource: { uid: '${datasource}' },
        multi: true,
        includeAll: true,
        allValue: '.+',
        refresh: 2, // template-on-time-change-reload-rule
      });
      expect(parsePromql(String(variable(name)?.query).replace(/^label_values\((.*), \w+\)$/, '$1')).errors).toEqual([]);
    }
  });

  it('ends with the exporter\u2019s health in a collapsed row', () => {
    const last = json.panels.at(-1);
    expect(last).toMatchObject({ type: 'row', title: 'Exporter health', collapsed: true });
    expect(last?.panels?.length).toBeGreaterThan(0);
    expect(json.panels.slice(0, -1).every((p) => p.type !== 'row' || p.collapsed === false)).toBe(true);
  });

  it('has unique panel ids and titles', () => {
    const ids = json.panels.flatMap((p) => [p, ...(p.panels ?? [])]).map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const titles = panels.map((p) => p.title);
    expect(new Set(titles).size).toBe(titles.length);
  });

  it.each(panels.map((p) => [p.title ?? `#${p.id}`, p] as const))('panel %s', (_, panel) => {
    expect(panel.datasource?.uid).toBe('${datasource}'); // panel-datasource-rule
    expect(panel.title?.trim()).toBeTruthy(); // panel-title-description-rule
    expect(panel.description?.trim()).toBeTruthy();
    expect(UNITS).toContain(panel.fieldConfig?.defaults?.unit); // panel-units-rule
    expect(panel.fieldConfig?.defaults?.thresholds?.steps?.[0]?.value).toBeNull();
    expect(panel.targets?.length).toBeGreaterThan(0); // panel-no-targets-rule
    for (const target of panel.targets ?? []) {
      const expr = target.expr ?? '';
      const parsed = parsePromql(fromGrafana(expr));
      expect(parsed.errors, expr).toEqual([]); // target-promql-rule
      for (const call of parsed.rangeCalls) {
        // target-rate-interval-rule; other range functions (predict_linear, avg_over_time) use fixed windows on purpose.
        if (call.func === 'rate' || call.func === 'irate') expect(call.range, expr).toBe(RATE_INTERVAL_STANDIN);
      }
      for (const s of parsed.selectors) {
        expect(isKnownMetric(s.metric, recordNames), `unknown metric ${s.metric} in ${expr}`).toBe(true);
        expect(s.matchers, expr).toContainEqual({ name: 'cluster', op: '=~', value: '$cluster' });
        expect(s.matchers, expr).toContainEqual({ name: 'job', op: '=~', value: '$job' }); // target-job-rule
        expect(s.matchers, expr).toContainEqual({ name: 'instance', op: '=~', value: '$instance' }); // target-instance-rule
        if (s.metric.endsWith('_total')) expect(COUNTER_FUNCTIONS, expr).toContain(s.func); // target-counter-agg-rule
      }
    }
  });
});

describe('multi-cluster dashboards', () => {
  it('show the cluster variable and filter on the configured cluster label', () => {
    const shown = dashboards(resolveConfig({ showMultiCluster: true, clusterLabel: 'k8s_cluster' }, 'test.yml')).map(({ dashboard }) => asJson(dashboard));
    for (const board of shown) {
      expect(board.templating.list.find((v) => v.name === 'cluster')).toMatchObject({ hide: 0, query: 'label_values(ide_exporter_build_info, k8s_cluster)' });
      const text = JSON.stringify(board.panels);
      expect(text).not.toMatch(/[^_]cluster=~/);
      expect(text).toContain('k8s_cluster=~\\"$cluster\\"');
    }
  });
});

describe('dashboard thresholds come from the alert thresholds', () => {
  const stepsOf = (config: typeof DEFAULT_CONFIG, key: string, title: string) => {
    const board = dashboards(config).find((b) => b.key === key);
    const panel = leaves(asJson(board?.dashboard).panels).find((p) => p.title === title);
    return panel?.fieldConfig?.defaults?.thresholds?.steps?.map((s) => s.value);
  };

  it('colours CPU at the CPU alert levels, and follows an override', () => {
    expect(stepsOf(DEFAULT_CONFIG, 'overview', 'CPU busy')).toEqual([null, 0.9, 0.95]);
    const custom = resolveConfig({ thresholds: { hostCpuHighUsage: { levels: [{ severity: 'critical', value: 0.97, for: '10m' }] } } }, 'test.yml');
    expect(stepsOf(custom, 'overview', 'CPU busy')).toEqual([null, 0.97]);
    expect(stepsOf(custom, 'host', 'CPU utilisation')).toEqual([null, 0.97]);
  });

  it('colours a below-threshold ratio red under the threshold and green above', () => {
    expect(stepsOf(DEFAULT_CONFIG, 'app', 'Cache hit ratio')).toEqual([null, 0.6]);
    const board = dashboards(DEFAULT_CONFIG).find((b) => b.key === 'app');
    const panel = leaves(asJson(board?.dashboard).panels).find((p) => p.title === 'Cache hit ratio');
    expect(panel?.fieldConfig?.defaults?.thresholds?.steps).toEqual([
      { value: null, color: 'yellow' },
      { value: 0.6, color: 'green' },
    ]);
  });
});
