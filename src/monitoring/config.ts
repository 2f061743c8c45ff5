import { z } from 'zod';
import { readYamlFile, validate } from '../config/yaml-file.js';
import { DEFAULT_THRESHOLDS, promDuration, thresholdsSchema } from './thresholds.js';

/**
 * What the generated monitoring content is configured with: the mixin `_config` object. Users override
 * any part of it from a YAML file with a top-level `_config` key; objects merge key by key, lists and
 * scalars replace the default, and the result is validated as a whole.
 */
/** Where host series come from: ide-monitor's own host collectors, or a node_exporter the user already runs. */
const HOST_METRICS = ['ide-monitor', 'node_exporter'] as const;
export type HostMetricsMode = (typeof HOST_METRICS)[number];

export const monitoringConfigSchema = z.strictObject({
  /** PromQL matchers (without braces) that select the exporter's series in rules. */
  selector: z.string().min(1),
  /** Which exporter the host rules and panels read: ide-monitor's `ide_host_*` or node_exporter's `node_*`. */
  hostMetrics: z.enum(HOST_METRICS),
  /** PromQL matchers (without braces) that select node_exporter's series when `hostMetrics` is node_exporter. */
  nodeExporterSelector: z.string().min(1),
  /** The label that tells clusters apart (kubernetes-mixin's `clusterLabel`); rules keep it, dashboards filter on it. */
  clusterLabel: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'expected a Prometheus label name'),
  /** Show the dashboards' cluster variable (kubernetes-mixin's `showMultiCluster`); hidden, it stays at All. */
  showMultiCluster: z.boolean(),
  /** Prometheus' scrape interval; also the Grafana datasource's `timeInterval`. */
  scrapeInterval: promDuration,
  evaluationInterval: promDuration,
  /** The runbook page; each alert links to its heading (`#<alertname in lower case>`). */
  runbookUrl: z.url(),
  /** Grafana's external URL; alerts link to `<grafanaUrl>/d/<dashboard uid>`. */
  grafanaUrl: z.url(),
  prometheus: z.strictObject({
    jobName: z.string().min(1),
    exporterTarget: z.string().min(1),
    url: z.url(),
    alertmanagerTarget: z.string().min(1),
  }),
  /** alertmanager/alertmanager.yml: how Alertmanager reaches the bridge and batches alerts. */
  alertmanager: z.strictObject({
    webhookUrl: z.url(),
    /** Holds the bearer token (IDE_MONITOR_WEBHOOK_TOKEN); Alertmanager cannot read it from the environment. */
    credentialsFile: z.string().min(1),
    groupBy: z.array(z.string().min(1)).min(1),
  }),
  grafana: z.strictObject({
    datasourceUid: z.string().regex(/^[a-zA-Z0-9_-]{1,40}$/, 'expected 1–40 letters, digits, - or _'),
    alertmanagerDatasourceUid: z.string().regex(/^[a-zA-Z0-9_-]{1,40}$/, 'expected 1–40 letters, digits, - or _'),
    alertmanagerUrl: z.url(),
    folder: z.string().min(1),
    dashboardsPath: z.string().min(1),
  }),
  kubernetes: z.strictObject({
    /** Added to every manifest, e.g. `release: kube-prometheus-stack` for the operator's selectors. */
    labels: z.record(z.string(), z.string()),
    /** Where every manifest goes; Grafana's sidecar must search it (kube-prometheus-stack: its own namespace). */
    namespace: z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'expected a Kubernetes namespace name'),
    /** The exporter's image, built from the Dockerfile and pushed where the cluster can pull it. */
    image: z.string().min(1),
    serviceMonitorPort: z.string().min(1),
    serviceSelector: z.record(z.string(), z.string()),
  }),
  thresholds: thresholdsSchema,
});

export type MonitoringConfig = z.output<typeof monitoringConfigSchema>;

/** The default runbook's organisation: a placeholder until the project has a home users can reach. */
const PLACEHOLDER_RUNBOOK_PREFIX = 'https://github.com/ide-monitor/';

/** One line for stderr while alerts would link to the placeholder runbook; undefined once `runbookUrl` is set. */
export function runbookWarning(config: MonitoringConfig): string | undefined {
  if (!config.runbookUrl.startsWith(PLACEHOLDER_RUNBOOK_PREFIX)) return undefined;
  return `warning: _config.runbookUrl is ${config.runbookUrl}, a placeholder organisation; set it to where your runbook is served (docs/runbook.md, e.g. in your wiki or Git host) so alert links open it`;
}

export const DEFAULT_CONFIG: MonitoringConfig = {
  selector: 'job="ide-monitor"',
  hostMetrics: 'ide-monitor',
  nodeExporterSelector: 'job="node"',
  clusterLabel: 'cluster',
  showMultiCluster: false,
  scrapeInterval: '15s',
  evaluationInterval: '15s',
  runbookUrl: `${PLACEHOLDER_RUNBOOK_PREFIX}ide-monitor/blob/main/docs/runbook.md`,
  grafanaUrl: 'http://localhost:3000',
  prometheus: {
    jobName: 'ide-monitor',
    // Service names of docker-compose.yml; `npm run stack` rewrites them to loopback ports.
    exporterTarget: 'ide-monitor:10451',
    url: 'http://prometheus:9090',
    alertmanagerTarget: 'alertmanager:9093',
  },
  alertmanager: {
    webhookUrl: 'http://ide-monitor:10451/api/v1/alertmanager/webhook',
    // A tmpfs in the alertmanager container, written from the environment at start (docker-compose.yml).
    credentialsFile: '/run/secrets/ide-monitor-webhook-token',
    groupBy: ['alertname', 'cluster', 'job', 'instance'],
  },
  grafana: {
    datasourceUid: 'ide-monitor-prometheus',
    alertmanagerDatasourceUid: 'ide-monitor-alertmanager',
    alertmanagerUrl: 'http://alertmanager:9093',
    folder: 'IDE Monitor',
    dashboardsPath: '/var/lib/grafana/dashboards/ide-monitor',
  },
  kubernetes: {
    labels: {},
    namespace: 'monitoring',
    image: 'ghcr.io/ide-monitor/ide-monitor:0.1.0',
    serviceMonitorPort: 'metrics',
    serviceSelector: { 'app.kubernetes.io/name': 'ide-monitor' },
  },
  thresholds: DEFAULT_THRESHOLDS,
};

/**
 * `default` is what is checked in. `test` shortens every `for`, and the minimum ages and histories that
 * hold an alert back like a `for` does (`minAge`, `minHistory`), to TEST_PROFILE_FOR so an end-to-end test
 * sees alerts fire within seconds; windows (rate, predict_linear, offset) stay as they are.
 */
export type Profile = 'default' | 'test';
export const TEST_PROFILE_FOR = '5s';

const overrideFileSchema = z.strictObject({ _config: z.record(z.string(), z.unknown()).nullish() });
const mergedSchema = z.strictObject({ _config: monitoringConfigSchema });

/**
 * Reads the optional override file and returns the validated config for the profile. Problems are
 * `ConfigError`s located like every other config error (`file:line _config.path: message`).
 */
export function loadMonitoringConfig(file: string | undefined, profile: Profile = 'default'): MonitoringConfig {
  if (file === undefined) return applyProfile(resolveConfig({}, '<defaults>'), profile);
  const { data, text } = readYamlFile(file);
  const overrides = validate(overrideFileSchema, data, { file, text })._config ?? {};
  return applyProfile(validate(mergedSchema, { _config: deepMerge(DEFAULT_CONFIG, overrides) }, { file, text })._config, profile);
}

/** Merges the overrides into the defaults and validates the result; errors name the file and path. */
export function resolveConfig(overrides: unknown, file: string): MonitoringConfig {
  return validate(mergedSchema, { _config: deepMerge(DEFAULT_CONFIG, overrides) }, { file })._config;
}

function applyProfile(config: MonitoringConfig, profile: Profile): MonitoringConfig {
  if (profile === 'default') return config;
  return { ...config, thresholds: shortenFor(config.thresholds) };
}

const WAITS = new Set(['for', 'minAge', 'minHistory']);

/** Replaces every `for`, `minAge` and `minHistory` at any depth with TEST_PROFILE_FOR. */
function shortenFor<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => shortenFor(v)) as T;
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key] = WAITS.has(key) && typeof v === 'string' ? TEST_PROFILE_FOR : shortenFor(v);
  return out as T;
}

function deepMerge(base: unknown, override: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(override)) return override === undefined ? base : override;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) out[key] = deepMerge(base[key], value);
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
