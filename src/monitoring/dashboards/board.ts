import {
  AnnotationQueryBuilder,
  DashboardBuilder,
  DashboardCursorSync,
  DashboardLinkBuilder,
  DashboardLinkType,
  DatasourceVariableBuilder,
  QueryVariableBuilder,
  RowBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  VariableHide,
  VariableRefresh,
  VariableSort,
  type Dashboard,
  type Panel,
  type Threshold,
} from '@grafana/grafana-foundation-sdk/dashboard';
import {
  BigValueColorMode,
  BigValueGraphMode,
  GraphThresholdsStyleConfigBuilder,
  GraphThresholdsStyleMode,
  LegendDisplayMode,
  LegendPlacement,
  ReduceDataOptionsBuilder,
  SortOrder,
  StackingConfigBuilder,
  StackingMode,
  TooltipDisplayMode,
  VizLegendOptionsBuilder,
  VizTooltipOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common';
import type { Builder } from '@grafana/grafana-foundation-sdk/cog';
import { DataqueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanelBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TablePanelBuilder } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import type { MonitoringConfig } from '../config.js';
import { hostVariableSource, NODE_VARIABLE } from '../host-metrics.js';
import { dashboardSelector, type Selector } from '../promql.js';
import { DASHBOARDS, type DashboardKey } from './catalog.js';

/** Provisioned dashboards reference the datasource through the variable, never `${DS_PROMETHEUS}`. */
const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };
const DASHBOARD_TAG = 'ide-monitor';

export interface Query {
  readonly expr: string;
  readonly legend?: string;
}

export interface PanelSpec {
  readonly title: string;
  readonly description: string;
  readonly unit: string;
  readonly queries: readonly Query[];
  readonly width?: number;
  readonly height?: number;
  readonly steps?: readonly Threshold[];
  readonly min?: number;
  readonly max?: number;
}

export interface TimeseriesSpec extends PanelSpec {
  readonly stack?: boolean;
}

export interface TableSpec extends PanelSpec {
  /** One column per query, in order: its header and unit. */
  readonly columns: readonly { readonly title: string; readonly unit: string }[];
  /** Label columns to keep (the rest of the labels are hidden). */
  readonly labels: readonly string[];
}

export interface BoardOptions {
  /** The job and instance variables list the host exporter (node_exporter in that mode): the host dashboard. */
  readonly hostVariables?: boolean;
  /** Panels read host series: in node_exporter mode the board gets a `node` variable for its instances. */
  readonly hostPanels?: boolean;
}

export function q(expr: string, legend?: string): Query {
  return legend === undefined ? { expr } : { expr, legend };
}

/** The common surface of the SDK's panel builders that our helper sets on every panel. */
interface AnyPanelBuilder<T> {
  id(id: number): T;
  title(title: string): T;
  description(description: string): T;
  datasource(ds: { type?: string; uid?: string }): T;
  unit(unit: string): T;
  span(w: number): T;
  height(h: number): T;
  min(min: number): T;
  max(max: number): T;
  thresholds(b: ThresholdsConfigBuilder): T;
  withTarget(t: DataqueryBuilder): T;
  build(): unknown;
}

/**
 * A dashboard under construction: allocates panel ids, applies the house defaults (datasource variable,
 * job/instance variables, unit, description, legends) and places panels in expanded rows or, for the
 * exporter's own health, in a collapsed last row.
 */
export class Board {
  private readonly builder: DashboardBuilder;
  private nextId = 1;
  private collapsed: RowBuilder | undefined;
  /** Selects series with the dashboard's cluster, job and instance variables applied. */
  readonly selector: Selector;

  constructor(config: MonitoringConfig, key: DashboardKey, description: string, options: BoardOptions = {}) {
    this.selector = dashboardSelector(config.clusterLabel);
    const cluster = config.clusterLabel;
    const nodeSeries = hostVariableSource(config);
    const source = (options.hostVariables === true ? nodeSeries : undefined) ?? 'ide_exporter_build_info';
    /** `metric{a}` plus more matchers: `metric{a, b}`. */
    const within = (series: string, matchers: string) => (series.endsWith('}') ? `${series.slice(0, -1)}, ${matchers}}` : `${series}{${matchers}}`);
    const { uid, title } = DASHBOARDS[key];
    this.builder = new DashboardBuilder(title)
      .uid(uid)
      .description(description)
      .tags([DASHBOARD_TAG])
      .readonly()
      .refresh('1m')
      .time({ from: 'now-6h', to: 'now' })
      .timezone('browser')
      .tooltip(DashboardCursorSync.Crosshair)
      // Grafana's own built-in annotation list; without a list some Grafana versions fail to load the dashboard.
      .annotation(
        new AnnotationQueryBuilder()
          .name('Annotations & Alerts')
          .datasource({ type: 'grafana', uid: '-- Grafana --' })
          .enable(true)
          .hide(true)
          .iconColor('rgba(0, 211, 255, 1)')
          .type('dashboard')
          .builtIn(1),
      )
      .link(new DashboardLinkBuilder('IDE Monitor').type(DashboardLinkType.Dashboards).tags([DASHBOARD_TAG]).asDropdown(true).includeVars(true).keepTime(true))
      .withVariable(new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus'))
      // One Prometheus per cluster needs no cluster picker: hidden, the variable stays at All (kubernetes-mixin's showMultiCluster).
      .withVariable(
        this.queryVariable('cluster', 'Cluster', `label_values(${source}, ${cluster})`)
          .allValue('.*')
          // Starts at All, so a hidden variable over series without the label still matches them all.
          .current({ selected: true, text: 'All', value: '$__all' })
          .hide(config.showMultiCluster ? VariableHide.DontHide : VariableHide.HideVariable),
      )
      .withVariable(this.queryVariable('job', 'Job', `label_values(${within(source, `${cluster}=~"$cluster"`)}, job)`))
      .withVariable(this.queryVariable('instance', 'Instance', `label_values(${within(source, `${cluster}=~"$cluster", job=~"$job"`)}, instance)`));
    if (nodeSeries !== undefined && options.hostPanels === true && options.hostVariables !== true) {
      this.builder.withVariable(
        this.queryVariable(NODE_VARIABLE, 'Host (node_exporter)', `label_values(${within(nodeSeries, `${cluster}=~"$cluster"`)}, instance)`),
      );
    }
  }

  row(title: string): this {
    this.flushCollapsed();
    this.builder.withRow(new RowBuilder(title).id(this.nextId++));
    return this;
  }

  /** Starts the collapsed row the following panels go into; it must come last. */
  collapsedRow(title: string): this {
    this.flushCollapsed();
    this.collapsed = new RowBuilder(title).id(this.nextId++).collapsed(true);
    return this;
  }

  stat(spec: PanelSpec): this {
    const panel = this.common(new StatPanelBuilder(), spec, 6, 4)
      .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
      .colorMode(spec.steps === undefined ? BigValueColorMode.None : BigValueColorMode.Value)
      .graphMode(BigValueGraphMode.Area);
    return this.add(panel);
  }

  timeseries(spec: TimeseriesSpec): this {
    const panel = this.common(new TimeseriesPanelBuilder(), spec, 12, 8)
      .fillOpacity(10)
      .legend(new VizLegendOptionsBuilder().showLegend(true).displayMode(LegendDisplayMode.List).placement(LegendPlacement.Bottom))
      .tooltip(new VizTooltipOptionsBuilder().mode(TooltipDisplayMode.Multi).sort(SortOrder.Descending));
    if (spec.steps !== undefined) panel.thresholdsStyle(new GraphThresholdsStyleConfigBuilder().mode(GraphThresholdsStyleMode.Dashed));
    if (spec.stack === true) panel.stacking(new StackingConfigBuilder().mode(StackingMode.Normal));
    return this.add(panel);
  }

  /** An instant table: one row per label set, one column per query (Grafana's merge transformation). */
  table(spec: TableSpec): this {
    const panel = this.common(new TablePanelBuilder(), spec, 24, 8, { instant: true })
      .withTransformation({ id: 'merge', options: {} })
      .withTransformation({
        id: 'organize',
        options: {
          excludeByName: { Time: true, job: true },
          indexByName: Object.fromEntries([...spec.labels, ...spec.columns.map((_, i) => valueField(i, spec.queries.length))].map((f, i) => [f, i])),
          renameByName: Object.fromEntries(spec.columns.map((c, i) => [valueField(i, spec.queries.length), c.title])),
        },
      });
    spec.columns.forEach((column, i) => panel.overrideByName(valueField(i, spec.queries.length), [{ id: 'unit', value: column.unit }]));
    return this.add(panel);
  }

  build(): Dashboard {
    this.flushCollapsed();
    return this.builder.build();
  }

  private common<T extends AnyPanelBuilder<T>>(panel: T, spec: PanelSpec, width: number, height: number, opts: { instant?: boolean } = {}): T {
    panel
      .id(this.nextId++)
      .title(spec.title)
      .description(spec.description)
      .datasource(DATASOURCE)
      .unit(spec.unit)
      .span(spec.width ?? width)
      .height(spec.height ?? height);
    if (spec.min !== undefined) panel.min(spec.min);
    if (spec.max !== undefined) panel.max(spec.max);
    const steps = spec.steps ?? [{ value: null, color: 'green' }];
    panel.thresholds(new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([...steps]));
    spec.queries.forEach((query, i) => {
      const target = new DataqueryBuilder().expr(query.expr).refId(refId(i));
      if (query.legend !== undefined) target.legendFormat(query.legend);
      if (opts.instant === true) target.instant().format(PromQueryFormat.Table);
      panel.withTarget(target);
    });
    return panel;
  }

  private add(panel: Builder<Panel>): this {
    if (this.collapsed !== undefined) this.collapsed.withPanel(panel);
    else this.builder.withPanel(panel);
    return this;
  }

  private flushCollapsed(): void {
    if (this.collapsed === undefined) return;
    this.builder.withRow(this.collapsed);
    this.collapsed = undefined;
  }

  private queryVariable(name: string, label: string, query: string): QueryVariableBuilder {
    return new QueryVariableBuilder(name)
      .label(label)
      .datasource(DATASOURCE)
      .query(query)
      .refresh(VariableRefresh.OnTimeRangeChanged)
      .sort(VariableSort.AlphabeticalAsc)
      .multi(true)
      .includeAll(true)
      .allValue('.+');
  }
}

function refId(i: number): string {
  return String.fromCharCode('A'.charCodeAt(0) + i);
}

/** The field Grafana's Prometheus table format names a query's value: "Value", or "Value #A" among several. */
function valueField(i: number, queries: number): string {
  return queries > 1 ? `Value #${refId(i)}` : 'Value';
}
