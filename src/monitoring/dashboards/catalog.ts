/**
 * The dashboards' identities. Uids are stable (alerts' `dashboard_url` and users' bookmarks point at them)
 * and readable, unlike the md5 uids of the mixins, because nothing else in the Grafana folder shares our prefix.
 */
export const DASHBOARDS = {
  overview: { uid: 'ide-monitor-overview', title: 'IDE Monitor / Overview' },
  lsp: { uid: 'ide-monitor-lsp', title: 'IDE Monitor / LSP operations' },
  host: { uid: 'ide-monitor-host', title: 'IDE Monitor / Host resources' },
  app: { uid: 'ide-monitor-app', title: 'IDE Monitor / Application' },
  alerts: { uid: 'ide-monitor-alerts', title: 'IDE Monitor / Alerts & bridge' },
  trends: { uid: 'ide-monitor-trends', title: 'IDE Monitor / Trends' },
} as const;

export type DashboardKey = keyof typeof DASHBOARDS;
