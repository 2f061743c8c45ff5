import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import type { MonitoringConfig } from '../config.js';
import { DASHBOARDS, type DashboardKey } from '../dashboards/catalog.js';
import { ruleGroups } from '../rules/index.js';
import type { RuleArea } from '../rules/model.js';
import { dashboardFileName } from './grafana.js';
import { json, yaml } from './yaml.js';

export const KUBERNETES_DIR = 'deploy/kubernetes';

/**
 * prometheus-operator and Grafana-sidecar manifests (kube-prometheus-stack conventions). Add the labels
 * your operator selects on (often `release: <helm release>`) through `_config.kubernetes.labels`.
 */
export function renderKubernetes(
  config: MonitoringConfig,
  areas: readonly RuleArea[],
  boards: readonly { key: DashboardKey; dashboard: Dashboard }[],
): Map<string, string> {
  const labels = { 'app.kubernetes.io/name': 'ide-monitor', 'app.kubernetes.io/part-of': 'ide-monitor', ...config.kubernetes.labels };
  const files = new Map<string, string>();
  files.set('prometheus-rule.yaml', yaml({
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'ide-monitor', labels },
    spec: { groups: areas.flatMap(ruleGroups) },
  }));
  files.set('service-monitor.yaml', yaml({
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: { name: 'ide-monitor', labels },
    spec: {
      // The operator names the job after this Service label, so the rules' job selector matches.
      jobLabel: 'app.kubernetes.io/name',
      selector: { matchLabels: config.kubernetes.serviceSelector },
      endpoints: [{ port: config.kubernetes.serviceMonitorPort, path: '/metrics', interval: config.scrapeInterval }],
    },
  }));
  for (const { key, dashboard } of boards) {
    files.set(`grafana-dashboard-${key}.yaml`, yaml({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: DASHBOARDS[key].uid, labels: { ...labels, grafana_dashboard: '1' } },
      data: { [dashboardFileName(key)]: json(dashboard) },
    }));
  }
  files.set('kustomization.yaml', yaml({
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: [...files.keys()],
  }));
  return new Map([...files].map(([name, text]) => [`${KUBERNETES_DIR}/${name}`, text]));
}
