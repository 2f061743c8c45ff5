import type { MonitoringConfig } from '../config.js';
import { COLLECTOR_DESCRIPTIONS } from '../../config/collector-descriptions.js';
import { KUBERNETES_DIR, kustomized } from './kubernetes.js';
import { yaml } from './yaml.js';

export const BRIDGE_KUBERNETES_DIR = `${KUBERNETES_DIR}/bridge`;

const NAME = 'ide-monitor-bridge';
const PORT = 10451;
/** The readiness endpoint the bridge serves (src/bridge/feature.ts READY_PATH); 503 while its store is unreachable. */
const READY_PATH = '/api/v1/bridge/ready';
/** The image `docker build -t ide-monitor .` makes; point it at your registry with a kustomize `images:` entry. */
const IMAGE = 'ide-monitor:0.1.0';
/** The Secret the operator creates (see docs/ha.md): one key per secret setting. */
const SECRET = 'ide-monitor-bridge';

/**
 * The alert bridge as its own Deployment (two replicas on one PostgreSQL, see docs/ha.md), separate from
 * the exporter's DaemonSet: the same image and `serve` command, with a config file that turns off every
 * host/process collector, the ingest API and the status page, so a bridge pod only receives Alertmanager's
 * webhook, delivers and serves the alert API and its own `ide_bridge_*` metrics. Secrets come from one
 * Secret by environment variable (channel secrets optional); readiness follows the store.
 */
export function renderBridgeKubernetes(config: MonitoringConfig): Map<string, string> {
  const labels = {
    'app.kubernetes.io/name': 'ide-monitor',
    'app.kubernetes.io/component': 'bridge',
    'app.kubernetes.io/part-of': 'ide-monitor',
    ...config.kubernetes.labels,
  };
  const selector = { 'app.kubernetes.io/name': 'ide-monitor', 'app.kubernetes.io/component': 'bridge' };
  const files = new Map<string, string>();

  const bridgeConfig = {
    collectors: Object.fromEntries(Object.keys(COLLECTOR_DESCRIPTIONS).map((name) => [name, { enabled: false }])),
    ingest: { enabled: false },
    status: { enabled: false },
    bridge: {
      enabled: true,
      // A killed pod's claimed deliveries are taken over by the other replica after this.
      database: { lease: '30s', pool_size: 10 },
      shutdown_grace: '10s',
    },
  };
  files.set(
    'configmap.yaml',
    yaml({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: NAME, labels },
      data: { 'ide-monitor.yml': yaml(bridgeConfig).replace(/^# .*\n/, '') },
    }),
  );

  const secretEnv = (name: string, key: string, optional: boolean) => ({
    name,
    valueFrom: { secretKeyRef: { name: SECRET, key, ...(optional && { optional: true }) } },
  });
  files.set(
    'deployment.yaml',
    yaml({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: NAME, labels },
      spec: {
        replicas: 2,
        selector: { matchLabels: selector },
        // Never below one ready replica during a rollout: Alertmanager always has a bridge to post to.
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        template: {
          metadata: { labels },
          spec: {
            // Drain in-flight deliveries (shutdown_grace) before the kubelet's SIGKILL.
            terminationGracePeriodSeconds: 30,
            securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
            topologySpreadConstraints: [
              { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: selector } },
            ],
            containers: [
              {
                name: 'bridge',
                image: IMAGE,
                args: ['serve', '--config.file=/etc/ide-monitor/ide-monitor.yml'],
                ports: [{ name: 'metrics', containerPort: PORT }],
                env: [
                  secretEnv('IDE_MONITOR_BRIDGE_DATABASE_URL', 'database-url', false),
                  secretEnv('IDE_MONITOR_WEBHOOK_TOKEN', 'webhook-token', false),
                  secretEnv('IDE_MONITOR_SLACK_WEBHOOK_URL', 'slack-webhook-url', true),
                  secretEnv('IDE_MONITOR_PAGERDUTY_ROUTING_KEY', 'pagerduty-routing-key', true),
                  secretEnv('IDE_MONITOR_OUTGOING_WEBHOOK_URL', 'outgoing-webhook-url', true),
                  { name: 'IDE_MONITOR_ALERTMANAGER_URL', value: 'http://alertmanager-operated:9093' },
                ],
                readinessProbe: { httpGet: { path: READY_PATH, port: 'metrics' }, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 2 },
                livenessProbe: { httpGet: { path: '/-/healthy', port: 'metrics' }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6 },
                resources: { requests: { cpu: '50m', memory: '96Mi' }, limits: { memory: '256Mi' } },
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
                volumeMounts: [
                  { name: 'config', mountPath: '/etc/ide-monitor', readOnly: true },
                  // Unused with PostgreSQL, but the image's default data dir must be writable.
                  { name: 'data', mountPath: '/var/lib/ide-monitor' },
                ],
              },
            ],
            volumes: [
              { name: 'config', configMap: { name: NAME } },
              { name: 'data', emptyDir: {} },
            ],
          },
        },
      },
    }),
  );

  files.set(
    'pod-disruption-budget.yaml',
    yaml({
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: NAME, labels },
      spec: { minAvailable: 1, selector: { matchLabels: selector } },
    }),
  );

  // Alertmanager's webhook_configs URL: http://ide-monitor-bridge.<namespace>:10451/api/v1/alertmanager/webhook.
  // The port is named `metrics` so the generated ServiceMonitor also scrapes the bridge's ide_bridge_* metrics.
  files.set(
    'service.yaml',
    yaml({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: NAME, labels },
      spec: { selector, ports: [{ name: 'metrics', port: PORT, targetPort: 'metrics' }] },
    }),
  );

  return kustomized(files, BRIDGE_KUBERNETES_DIR);
}
