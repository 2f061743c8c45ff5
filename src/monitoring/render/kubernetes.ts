import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import type { MonitoringConfig } from '../config.js';
import { DASHBOARDS, type DashboardKey } from '../dashboards/catalog.js';
import { ruleGroups } from '../rules/index.js';
import type { RuleArea } from '../rules/model.js';
import { dashboardFileName } from './grafana.js';
import { json, yaml } from './yaml.js';

export const KUBERNETES_DIR = 'deploy/kubernetes';

const PORT = 10451;
const PORT_NAME = 'metrics';
/** The pods' own labels: what the DaemonSet selects and the Service routes to. */
const POD_LABELS = { 'app.kubernetes.io/name': 'ide-monitor', 'app.kubernetes.io/component': 'exporter' };
/** Optional: without it the bridge and ingestion API accept loopback callers only (the pod runs without it). */
const TOKEN_SECRET = 'ide-monitor-tokens';

/**
 * Everything a cluster with the Prometheus Operator and Grafana's dashboard sidecar (kube-prometheus-stack)
 * needs, applied alone with `kubectl apply -k`: the exporter as a DaemonSet shaped like node_exporter's chart
 * (host pid namespace and network, the host's /proc and / read-only), its Service and ServiceAccount, the
 * ServiceMonitor that scrapes it, the rules, and one ConfigMap per dashboard. No RBAC: the exporter reads
 * the node's /proc, never the Kubernetes API, so its pods mount no API token. Add the labels your operator
 * selects on (often `release: <helm release>`) through `_config.kubernetes.labels`.
 */
export function renderKubernetes(
  config: MonitoringConfig,
  areas: readonly RuleArea[],
  boards: readonly { key: DashboardKey; dashboard: Dashboard }[],
): Map<string, string> {
  const k = config.kubernetes;
  const labels = { 'app.kubernetes.io/name': 'ide-monitor', 'app.kubernetes.io/part-of': 'ide-monitor', ...k.labels };
  const metadata = (name: string, extra: Record<string, string> = {}) => ({ name, namespace: k.namespace, labels: { ...labels, ...extra } });
  const files = new Map<string, string>();
  files.set(
    'service-account.yaml',
    yaml({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: metadata('ide-monitor'),
      automountServiceAccountToken: false,
    }),
  );
  files.set('daemonset.yaml', yaml(daemonSet(config, metadata('ide-monitor', POD_LABELS))));
  files.set(
    'service.yaml',
    yaml({
      apiVersion: 'v1',
      kind: 'Service',
      // The ServiceMonitor selects Services by `serviceSelector`: this one must carry those labels.
      metadata: metadata('ide-monitor', k.serviceSelector),
      spec: {
        // Headless: Prometheus scrapes every pod's endpoint, never a load-balanced address.
        clusterIP: 'None',
        selector: POD_LABELS,
        ports: [{ name: k.serviceMonitorPort, port: PORT, targetPort: PORT_NAME, protocol: 'TCP' }],
      },
    }),
  );
  files.set(
    'prometheus-rule.yaml',
    yaml({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: metadata('ide-monitor'),
      spec: { groups: areas.flatMap(ruleGroups) },
    }),
  );
  files.set(
    'service-monitor.yaml',
    yaml({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: metadata('ide-monitor'),
      spec: {
        // The operator names the job after this Service label, so the rules' job selector matches.
        jobLabel: 'app.kubernetes.io/name',
        selector: { matchLabels: k.serviceSelector },
        namespaceSelector: { matchNames: [k.namespace] },
        endpoints: [
          {
            port: k.serviceMonitorPort,
            path: '/metrics',
            interval: config.scrapeInterval,
            // kube-prometheus' node-exporter: `instance` is the node, not the pod's address, so a restarted
            // pod (a new IP) continues the same series and week-over-week and predictions keep their history.
            relabelings: [{ action: 'replace', sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'instance' }],
          },
        ],
      },
    }),
  );
  for (const { key, dashboard } of boards) {
    files.set(
      `grafana-dashboard-${key}.yaml`,
      yaml({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          ...metadata(DASHBOARDS[key].uid, { grafana_dashboard: '1' }),
          // Read by the sidecar when its folderAnnotation is set to grafana_folder; ignored otherwise.
          annotations: { grafana_folder: config.grafana.folder },
        },
        data: { [dashboardFileName(key)]: json(dashboard) },
      }),
    );
  }
  return kustomized(files, KUBERNETES_DIR);
}

/** A manifest directory: its files plus a kustomization.yaml listing them, every path under `dir`. */
export function kustomized(files: ReadonlyMap<string, string>, dir: string): Map<string, string> {
  const all = new Map(files);
  all.set('kustomization.yaml', yaml({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: [...files.keys()] }));
  return new Map([...all].map(([name, text]) => [`${dir}/${name}`, text]));
}

/** node_exporter's DaemonSet (prometheus-community chart) with ide-monitor's flags and its outbox directory. */
function daemonSet(config: MonitoringConfig, metadata: { name: string; namespace: string; labels: Record<string, string> }) {
  const token = (name: string, key: string) => ({ name, valueFrom: { secretKeyRef: { name: TOKEN_SECRET, key, optional: true } } });
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata,
    spec: {
      selector: { matchLabels: POD_LABELS },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
      template: {
        metadata: { labels: metadata.labels },
        spec: {
          serviceAccountName: metadata.name,
          automountServiceAccountToken: false,
          // The node's processes (the process collector) and interfaces (the network collector), as node_exporter.
          hostPID: true,
          hostNetwork: true,
          dnsPolicy: 'ClusterFirstWithHostNet',
          // Every node, control plane and tainted nodes included.
          tolerations: [{ operator: 'Exists' }],
          // The image's `node` user; /proc and / are read-only for it, as for node_exporter's nobody.
          securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 },
          containers: [
            {
              name: 'ide-monitor',
              image: config.kubernetes.image,
              args: ['serve', '--path.procfs=/host/proc', '--path.rootfs=/host/root', `--web.listen-address=:${PORT}`],
              ports: [{ name: PORT_NAME, containerPort: PORT, protocol: 'TCP' }],
              env: [token('IDE_MONITOR_WEBHOOK_TOKEN', 'webhook-token'), token('IDE_MONITOR_INGEST_TOKEN', 'ingest-token')],
              livenessProbe: { httpGet: { path: '/-/healthy', port: PORT_NAME }, initialDelaySeconds: 10, periodSeconds: 30 },
              readinessProbe: { httpGet: { path: '/-/ready', port: PORT_NAME }, periodSeconds: 10 },
              // Measured: ~96 MB resident under keep-alive scrapes (see README, Memory).
              resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '256Mi' } },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
              volumeMounts: [
                { name: 'proc', mountPath: '/host/proc', readOnly: true },
                { name: 'root', mountPath: '/host/root', readOnly: true, mountPropagation: 'HostToContainer' },
                { name: 'data', mountPath: '/var/lib/ide-monitor' },
                { name: 'tmp', mountPath: '/tmp' },
              ],
            },
          ],
          volumes: [
            { name: 'proc', hostPath: { path: '/proc' } },
            { name: 'root', hostPath: { path: '/' } },
            // The bridge's outbox: survives container restarts, not the pod's deletion.
            { name: 'data', emptyDir: {} },
            { name: 'tmp', emptyDir: {} },
          ],
        },
      },
    },
  };
}
