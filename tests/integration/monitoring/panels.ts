import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import type { RunningPrometheus } from '../../support/prometheus.mjs';

export interface Panel {
  type: string;
  title: string;
  panels?: Panel[];
  targets?: { expr: string }[];
}

/** Every panel of a dashboard, the collapsed rows' panels included. */
export function leafPanels(dashboard: Dashboard): Panel[] {
  return (dashboard.panels as Panel[]).flatMap((p) => (p.type === 'row' ? (p.panels ?? []) : [p]));
}

/** What Grafana sends with the variables at "All" and a rate interval of a few of our 1 s scrapes. */
function asGrafanaWould(expr: string): string {
  return expr
    .replaceAll('$cluster', '.*')
    .replaceAll('$job', '.+')
    .replaceAll('$instance', '.+')
    .replaceAll('$node', '.+')
    .replaceAll('$__rate_interval', '1m');
}

/** How many numbers a panel's queries return; a NaN (a ratio over rates that saw no increase) draws nothing in Grafana. */
export async function panelSeries(prometheus: RunningPrometheus, panel: Panel): Promise<number> {
  let series = 0;
  for (const target of panel.targets ?? []) {
    series += (await prometheus.query(asGrafanaWould(target.expr))).filter((s) => s.value[1] !== 'NaN').length;
  }
  return series;
}
