import { readFile } from 'node:fs/promises';
import { loadAll } from 'js-yaml';
import { z } from 'zod';
import { DEFAULT_THRESHOLDS, promDuration, thresholdsSchema } from './thresholds.js';

/**
 * What the generated monitoring content is configured with: the mixin `_config` object. Users override
 * any part of it from a YAML file with a top-level `_config` key; objects merge key by key, lists and
 * scalars replace the default, and the result is validated as a whole.
 */
export const monitoringConfigSchema = z.strictObject({
  /** PromQL matchers (without braces) that select the exporter's series in rules. */
  selector: z.string().min(1),
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
    serviceMonitorPort: z.string().min(1),
    serviceSelector: z.record(z.string(), z.string()),
  }),
  thresholds: thresholdsSchema,
});

export type MonitoringConfig = z.output<typeof monitoringConfigSchema>;

export const DEFAULT_CONFIG: MonitoringConfig = {
  selector: 'job="ide-monitor"',
  scrapeInterval: '15s',
  evaluationInterval: '15s',
  runbookUrl: 'https://github.com/ide-monitor/ide-monitor/blob/main/docs/runbook.md',
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
    groupBy: ['alertname', 'job', 'instance'],
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
    serviceMonitorPort: 'metrics',
    serviceSelector: { 'app.kubernetes.io/name': 'ide-monitor' },
  },
  thresholds: DEFAULT_THRESHOLDS,
};

/**
 * `default` is what is checked in. `test` shortens every `for` to TEST_PROFILE_FOR so an end-to-end test
 * sees alerts fire within seconds; windows (rate, predict_linear, offset) stay as they are.
 */
export type Profile = 'default' | 'test';
export const TEST_PROFILE_FOR = '5s';

export class MonitoringConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MonitoringConfigError';
  }
}

/** Reads the optional override file and returns the validated config for the profile. */
export async function loadMonitoringConfig(file: string | undefined, profile: Profile = 'default'): Promise<MonitoringConfig> {
  let overrides: unknown = {};
  if (file !== undefined) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new MonitoringConfigError(`${file}: cannot read: ${(error as Error).message}`);
    }
    overrides = parseOverrides(text, file);
  }
  return applyProfile(resolveConfig(overrides, file ?? '<overrides>'), profile);
}

/** Parses the override file's text: a mapping with one key, `_config`. */
function parseOverrides(text: string, file: string): unknown {
  let docs: unknown[];
  try {
    docs = loadAll(text);
  } catch (error) {
    throw new MonitoringConfigError(`${file}: invalid YAML: ${(error as Error).message}`);
  }
  if (docs.length > 1) throw new MonitoringConfigError(`${file}: expected one YAML document, found ${docs.length}`);
  const doc = docs[0];
  // An empty file (or one with only comments) overrides nothing.
  if (doc === undefined || doc === null) return {};
  const shape = z.strictObject({ _config: z.record(z.string(), z.unknown()).nullish() }).safeParse(doc);
  if (!shape.success) throw new MonitoringConfigError(formatIssues(file, shape.error.issues, []));
  return shape.data._config ?? {};
}

/** Merges the overrides into the defaults and validates the result; errors name the file and path. */
export function resolveConfig(overrides: unknown, file: string): MonitoringConfig {
  const merged = deepMerge(DEFAULT_CONFIG, overrides);
  const parsed = monitoringConfigSchema.safeParse(merged);
  if (!parsed.success) throw new MonitoringConfigError(formatIssues(file, parsed.error.issues, ['_config']));
  return parsed.data;
}

function applyProfile(config: MonitoringConfig, profile: Profile): MonitoringConfig {
  if (profile === 'default') return config;
  return { ...config, thresholds: shortenFor(config.thresholds) };
}

/** Replaces every `for` at any depth with TEST_PROFILE_FOR. */
function shortenFor<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => shortenFor(v)) as T;
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key] = key === 'for' && typeof v === 'string' ? TEST_PROFILE_FOR : shortenFor(v);
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

function formatIssues(file: string, issues: readonly z.core.$ZodIssue[], prefix: readonly string[]): string {
  return issues.map((issue) => `${file}: ${formatPath([...prefix, ...issue.path])}: ${issue.message}`).join('\n');
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) out += out === '' ? key : `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out === '' ? '(top level)' : out;
}
