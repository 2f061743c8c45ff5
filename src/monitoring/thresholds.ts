import { z } from 'zod';

/**
 * Every alerting threshold, written once. The alert expressions, the dashboards' colour steps and the
 * generated alert table (docs/alerts.md) all read these values, so changing one here changes all three.
 *
 * A threshold is a list of levels: one alert rule per level, sharing one alert name (the node-mixin
 * pattern of warning/critical pairs). Overlapping levels fire together; Alertmanager inhibition keeps
 * the lower ones quiet. Ratios are 0..1 (Prometheus base units), durations are Prometheus durations.
 */

export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const promDuration = z.string().regex(/^(\d+(ms|s|m|h|d|w|y))+$/, 'expected a Prometheus duration such as 30s, 5m or 1h');

/** A level compared with a value: `expr > value` held for `for`. */
const levelSchema = z.strictObject({ severity: z.enum(SEVERITIES), value: z.number().finite(), for: promDuration });
/** A level for a state (down, gone, failing): nothing to compare with but time. */
const stateLevelSchema = z.strictObject({ severity: z.enum(SEVERITIES), for: promDuration });
/** A level of a predictive alert: `value` is the static guard that keeps the prediction quiet when far away. */
const horizonLevelSchema = levelSchema.extend({ horizon: promDuration });

export type Level = z.output<typeof levelSchema>;
type StateLevel = z.output<typeof stateLevelSchema>;
type HorizonLevel = z.output<typeof horizonLevelSchema>;
export type AnyLevel = Level | StateLevel | HorizonLevel;

function levels<T extends z.ZodType<{ severity: Severity }>>(level: T) {
  return z
    .array(level)
    .min(1, 'needs at least one level')
    .refine((list) => new Set(list.map((l) => l.severity)).size === list.length, 'each severity may appear once');
}

const valued = z.strictObject({ levels: levels(levelSchema) });
const stated = z.strictObject({ levels: levels(stateLevelSchema) });
const windowed = z.strictObject({ window: promDuration, levels: levels(levelSchema) });
const predicted = z.strictObject({ window: promDuration, levels: levels(horizonLevelSchema) });
/**
 * A prediction that must also hold on the recent trend (`recentWindow`) and only once `window` of history
 * exists: a fall that has stopped, or a fresh Prometheus, must not read as a trend towards exhaustion.
 */
const predictedRecent = predicted.extend({ recentWindow: promDuration });
/** Ratios computed from a handful of requests are noise: `minRequestRate` (per second) guards them. */
const guarded = z.strictObject({ minRequestRate: z.number().nonnegative(), levels: levels(levelSchema) });
/** Latency alerts relative to history: `minLatency` (seconds) keeps sub-perceptible changes quiet. */
const relative = z.strictObject({ minLatency: z.number().nonnegative(), levels: levels(levelSchema) });
/** Like `relative`, and quiet until the baseline has `minHistory` of data behind it. */
const baselined = relative.extend({ minHistory: promDuration });
/** Growth of a process group, read only once the group (and the data) is `minAge` old. */
const aged = z.strictObject({ minAge: promDuration, levels: levels(levelSchema) });
/** A target gone from service discovery is remembered for `window`; `absent()` covers never having had one. */
const remembered = z.strictObject({ window: promDuration, levels: levels(stateLevelSchema) });

const lspMethod = z.string().regex(/^[a-z][A-Za-z]*\/[A-Za-z/]+$/, 'expected an LSP method such as textDocument/hover');

export const thresholdsSchema = z.strictObject({
  hostCpuHighUsage: valued,
  hostMemoryHighUsage: valued,
  hostFilesystemAlmostFull: valued,
  hostFilesystemFillingUp: predicted,
  hostFilesystemFilesAlmostExhausted: valued,
  hostFilesystemFilesFillingUp: predicted,
  hostDiskIoSaturated: valued,
  hostLoadHigh: valued,
  hostFileDescriptorsNearLimit: valued,
  hostMemoryExhaustionPredicted: predictedRecent,
  lspLatencyBudgets: z.record(lspMethod, valued),
  /** Requests per second a server and method must see before its p95 is held to the budget. */
  lspLatencyBudgetMinRequestRate: z.number().nonnegative(),
  lspErrorRatio: guarded,
  lspServerDown: stated,
  lspServerRestarting: windowed,
  lspRequestsStuck: valued,
  lspLatencyAnomaly: baselined,
  lspLatencyRegression: relative,
  appCacheHitRatioLow: guarded,
  appUiRefreshSlow: z.strictObject({ operation: z.string().min(1), minRequestRate: z.number().nonnegative(), levels: levels(levelSchema) }),
  processGroupGone: stated,
  processMemoryLeak: aged,
  processRestartLoop: windowed,
  exporterDown: stated,
  exporterTargetMissing: remembered,
  exporterCollectorFailing: stated,
  bridgeDeliveryFailing: windowed,
  bridgeOutboxBacklogGrowing: windowed,
  lspProxyDroppingObservations: windowed,
});

export type Thresholds = z.output<typeof thresholdsSchema>;

const pct = (severity: Severity, value: number, duration: string): Level => ({ severity, value, for: duration });

/**
 * The defaults, revisited against node-mixin and kubernetes-mixin (docs/alerts.md explains each choice).
 * node-mixin's `warning` maps to our `medium` (or `high` where the failure is hours away at most), its
 * `info` to `low` and its `critical` to `critical` where the machine is about to fail, `high` otherwise.
 * Utilisation alone (a busy CPU, a full page cache) is not an outage: no utilisation alert pages.
 */
export const DEFAULT_THRESHOLDS: Thresholds = {
  // node-mixin NodeCPUHighUsage: info above 90 % for 15 minutes. Builds and indexing peg a developer's
  // CPU for minutes every day; an hour at 95 % is what makes an IDE sluggish enough to look at.
  hostCpuHighUsage: { levels: [pct('low', 0.9, '15m'), pct('medium', 0.95, '1h')] },
  // node-mixin NodeMemoryHighUtilization: warning above 90 % for 15 minutes. At 95 % the OOM killer is
  // close and usually picks the IDE or a language server: high, not critical, since nothing is lost yet.
  hostMemoryHighUsage: { levels: [pct('medium', 0.9, '15m'), pct('high', 0.95, '15m')] },
  // node-mixin NodeFilesystemAlmostOutOfSpace: warning below 5 % available, critical below 3 %, for 30 minutes.
  // Used ratio of a filesystem (1 - avail/size), as df reports it to unprivileged users.
  hostFilesystemAlmostFull: { levels: [pct('high', 0.95, '30m'), pct('critical', 0.97, '30m')] },
  // node-mixin NodeFilesystemSpaceFillingUp: a static guard so predict_linear stays quiet on disks with plenty of room.
  hostFilesystemFillingUp: {
    window: '6h',
    levels: [
      { severity: 'medium', value: 0.6, horizon: '24h', for: '1h' },
      { severity: 'high', value: 0.8, horizon: '4h', for: '1h' },
    ],
  },
  // node-mixin NodeFilesystemAlmostOutOfFiles: warning below 5 % of inodes free, critical below 3 %, for 1 hour.
  hostFilesystemFilesAlmostExhausted: { levels: [pct('high', 0.95, '1h'), pct('critical', 0.97, '1h')] },
  // node-mixin NodeFilesystemFilesFillingUp: the same shape as the space prediction.
  hostFilesystemFilesFillingUp: {
    window: '6h',
    levels: [
      { severity: 'medium', value: 0.6, horizon: '24h', for: '1h' },
      { severity: 'high', value: 0.8, horizon: '4h', for: '1h' },
    ],
  },
  // Average number of I/O requests in flight (rate of weighted I/O time): node-mixin NodeDiskIOSaturation, warning.
  hostDiskIoSaturated: { levels: [pct('medium', 10, '30m')] },
  // 1-minute load average per core: node-mixin NodeSystemSaturation, warning.
  hostLoadHigh: { levels: [pct('medium', 2, '15m')] },
  // node-mixin NodeFileDescriptorLimit: warning above 70 %, critical above 90 %, for 15 minutes. The limit is
  // system-wide and huge on current kernels: reaching 90 % is a leak to fix within the hour, not a page.
  hostFileDescriptorsNearLimit: { levels: [pct('medium', 0.7, '15m'), pct('high', 0.9, '15m')] },
  hostMemoryExhaustionPredicted: {
    window: '1h',
    recentWindow: '15m',
    levels: [{ severity: 'high', value: 0.5, horizon: '4h', for: '15m' }],
  },
  // p95 budgets in seconds; typescript-language-server measured 7–200 ms p95 on a small project.
  lspLatencyBudgets: {
    'textDocument/completion': { levels: [pct('medium', 0.5, '10m')] },
    'textDocument/hover': { levels: [pct('medium', 0.3, '10m')] },
    'textDocument/definition': { levels: [pct('medium', 0.5, '10m')] },
    'textDocument/references': { levels: [pct('medium', 2, '10m')] },
    'workspace/symbol': { levels: [pct('medium', 1, '10m')] },
  },
  // 15 requests in the 5-minute rate window: a p95 of fewer is the slowest of a handful, not a percentile.
  lspLatencyBudgetMinRequestRate: 0.05,
  // The seed's circuit-breaker trigger: more than 10 % errors for 2 minutes, over at least 30 requests in
  // 5 minutes (0.1/s), so 3 failed requests out of 3 never page.
  lspErrorRatio: { minRequestRate: 0.1, levels: [pct('critical', 0.1, '2m')] },
  lspServerDown: { levels: [{ severity: 'high', for: '1m' }] },
  // Abnormal exits (non-zero code) within the window.
  lspServerRestarting: { window: '15m', levels: [pct('high', 3, '1m')] },
  // Age in seconds of the oldest editor request still unanswered: a steady stream of short requests keeps
  // it near 0, one request that never returns makes it grow without bound.
  lspRequestsStuck: { levels: [pct('medium', 120, '2m')] },
  // Standard deviations above the 1-day mean of the p95, once the baseline holds 6 hours of data.
  lspLatencyAnomaly: { minLatency: 0.05, minHistory: '6h', levels: [pct('low', 3, '15m')] },
  // Relative increase of the p95 over the same time one week earlier.
  lspLatencyRegression: { minLatency: 0.05, levels: [pct('low', 0.5, '1h')] },
  appCacheHitRatioLow: { minRequestRate: 0.1, levels: [pct('medium', 0.6, '15m')] },
  appUiRefreshSlow: { operation: 'ui_refresh', minRequestRate: 0.05, levels: [pct('medium', 0.25, '10m')] },
  processGroupGone: { levels: [{ severity: 'high', for: '2m' }] },
  // Relative RSS growth per hour: the seed's restart trigger. A process in its first hour is loading its
  // project, not leaking: the group's oldest process and the data must both be `minAge` old.
  processMemoryLeak: { minAge: '1h', levels: [pct('high', 0.2, '30m')] },
  processRestartLoop: { window: '15m', levels: [pct('high', 3, '1m')] },
  exporterDown: { levels: [{ severity: 'high', for: '5m' }] },
  // kubernetes-mixin's absent(up{job=…}) alerts, plus a target that was scraped within the window and is gone.
  exporterTargetMissing: { window: '1h', levels: [{ severity: 'high', for: '10m' }] },
  exporterCollectorFailing: { levels: [{ severity: 'medium', for: '10m' }] },
  bridgeDeliveryFailing: { window: '15m', levels: [pct('high', 0, '5m')] },
  bridgeOutboxBacklogGrowing: { window: '15m', levels: [pct('medium', 10, '15m')] },
  lspProxyDroppingObservations: { window: '15m', levels: [pct('low', 0, '10m')] },
};
