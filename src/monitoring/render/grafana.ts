import type { MonitoringConfig } from '../config.js';
import { DASHBOARDS, type DashboardKey } from '../dashboards/catalog.js';
import { yaml } from './yaml.js';

export const DASHBOARDS_DIR = 'grafana/dashboards';

export function dashboardFileName(key: DashboardKey): string {
  return `${DASHBOARDS[key].uid}.json`;
}

/** Fixed uids so dashboards and links survive re-provisioning; `timeInterval` = scrape interval for $__rate_interval. */
export function renderDatasources(config: MonitoringConfig): string {
  const g = config.grafana;
  return yaml({
    apiVersion: 1,
    datasources: [
      {
        name: 'Prometheus',
        type: 'prometheus',
        uid: g.datasourceUid,
        access: 'proxy',
        url: config.prometheus.url,
        isDefault: true,
        editable: false,
        jsonData: {
          timeInterval: config.scrapeInterval,
          httpMethod: 'POST',
          prometheusType: 'Prometheus',
          alertmanagerUid: g.alertmanagerDatasourceUid,
        },
      },
      {
        name: 'Alertmanager',
        type: 'alertmanager',
        uid: g.alertmanagerDatasourceUid,
        access: 'proxy',
        url: g.alertmanagerUrl,
        editable: false,
        jsonData: { implementation: 'prometheus', handleGrafanaManagedAlerts: false },
      },
    ],
  });
}

/** Dashboards are code: the UI may not save over them, and removing a file removes the dashboard. */
export function renderDashboardProvider(config: MonitoringConfig): string {
  return yaml({
    apiVersion: 1,
    providers: [
      {
        name: 'ide-monitor',
        orgId: 1,
        folder: config.grafana.folder,
        folderUid: 'ide-monitor',
        type: 'file',
        disableDeletion: false,
        allowUiUpdates: false,
        updateIntervalSeconds: 30,
        options: { path: config.grafana.dashboardsPath, foldersFromFilesStructure: false },
      },
    ],
  });
}
