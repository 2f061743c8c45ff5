import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import type { MonitoringConfig } from '../config.js';
import { alertsDashboard } from './alerts.js';
import { appDashboard } from './app.js';
import type { DashboardKey } from './catalog.js';
import { hostDashboard } from './host.js';
import { lspDashboard } from './lsp.js';
import { overviewDashboard } from './overview.js';
import { trendsDashboard } from './trends.js';

export interface NamedDashboard {
  readonly key: DashboardKey;
  readonly dashboard: Dashboard;
}

export function dashboards(config: MonitoringConfig): NamedDashboard[] {
  return [
    { key: 'overview', dashboard: overviewDashboard(config) },
    { key: 'lsp', dashboard: lspDashboard(config) },
    { key: 'host', dashboard: hostDashboard(config) },
    { key: 'app', dashboard: appDashboard(config) },
    { key: 'alerts', dashboard: alertsDashboard(config) },
    { key: 'trends', dashboard: trendsDashboard(config) },
  ];
}
