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

export const promDuration = z
  .string()
  .regex(/^(\d+(ms|s|m|h|d|w|y))+$/, 'expected a Prometheus duration such as 30s, 5m or 1h');

/** A level compared with a value: `expr > value` held for `for`. */
export const levelSchema = z.strictObject({ severity: z.enum(SEVERITIES), value: z.number().finite(), for: promDuration });
/** A level for a state (down, gone, failing): nothing to compare with but time. */
export const stateLevelSchema = z.strictObject({ severity: z.enum(SEVERITIES), for: promDuration });
/** A level of a predictive alert: `value` is the static guard that keeps the prediction quiet when far away. */
export const horizonLevelSchema = levelSchema.extend({ horizon: promDuration });

export type Level = z.output<typeof levelSchema>;
export type StateLevel = z.output<typeof stateLevelSchema>;
export type HorizonLevel = z.output<typeof horizonLevelSchema>;
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
/** Ratios computed from a handful of requests are noise: `minRequestRate` (per second) guards them. */
const guarded = z.strictObject({ minRequestRate: z.number().nonnegative(), levels: levels(levelSchema) });
/** Latency alerts relative to history: `minLatency` (seconds) keeps sub-perceptible changes quiet. */
const relative = z.strictObject({ minLatency: z.number().nonnegative(), levels: levels(levelSchema) });

const lspMethod = z.string().regex(/^[a-z][A-Za-z]*\/[A-Za-z/]+$/, 'expected an LSP method such as textDocument/hover');

export const thresholdsSchema = z.strictObject({
  hostCpuHighUsage: valued,
  hostMemoryHighUsage: valued,
  hostFilesystemAlmostFull: valued,
  hostFilesystemFillingUp: predicted,
  hostDiskIoSaturated: valued,
  hostLoadHigh: valued,
  hostFileDescriptorsNearLimit: valued,
  hostMemoryExhaustionPredicted: predicted,
  lspLatencyBudgets: z.record(lspMethod, valued),
  lspErrorRatio: guarded,
  lspServerDown: stated,
  lspServerRestarting: windowed,
  lspRequestsStuck: valued,
  lspLatencyAnomaly: relative,
  lspLatencyRegression: relative,
  appCacheHitRatioLow: guarded,
  appUiRefreshSlow: z.strictObject({ operation: z.string().min(1), levels: levels(levelSchema) }),
  processGroupGone: stated,
  processMemoryLeak: valued,
  processRestartLoop: windowed,
  exporterDown: stated,
  exporterCollectorFailing: stated,
  bridgeDeliveryFailing: windowed,
  bridgeOutboxBacklogGrowing: windowed,
  lspProxyDroppingObservations: windowed,
});

export type Thresholds = z.output<typeof thresholdsSchema>;

const pct = (severity: Severity, value: number, duration: string): Level => ({ severity, value, for: duration });

export const DEFAULT_THRESHOLDS: Thresholds = {
  // The seed's table: 75 / 85 / 95 % for 5 minutes.
  hostCpuHighUsage: { levels: [pct('medium', 0.75, '5m'), pct('high', 0.85, '5m'), pct('critical', 0.95, '5m')] },
  hostMemoryHighUsage: { levels: [pct('medium', 0.75, '5m'), pct('high', 0.85, '5m'), pct('critical', 0.95, '5m')] },
  // Used ratio of a filesystem (1 - avail/size), as df reports it to unprivileged users.
  hostFilesystemAlmostFull: { levels: [pct('high', 0.9, '30m'), pct('critical', 0.95, '30m')] },
  // node-mixin: a static guard so predict_linear stays quiet on disks with plenty of room.
  hostFilesystemFillingUp: {
    window: '6h',
    levels: [
      { severity: 'medium', value: 0.6, horizon: '24h', for: '1h' },
      { severity: 'high', value: 0.8, horizon: '4h', for: '1h' },
    ],
  },
  // Average number of I/O requests in flight (rate of weighted I/O time): node-mixin's saturation bar.
  hostDiskIoSaturated: { levels: [pct('medium', 10, '30m')] },
  // 1-minute load average per core.
  hostLoadHigh: { levels: [pct('medium', 2, '15m')] },
  hostFileDescriptorsNearLimit: { levels: [pct('medium', 0.7, '15m'), pct('high', 0.9, '15m')] },
  hostMemoryExhaustionPredicted: {
    window: '1h',
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
  // The seed's circuit-breaker trigger: more than 10 % errors for 2 minutes.
  lspErrorRatio: { minRequestRate: 0.01, levels: [pct('critical', 0.1, '2m')] },
  lspServerDown: { levels: [{ severity: 'high', for: '1m' }] },
  // Abnormal exits (non-zero code) within the window.
  lspServerRestarting: { window: '15m', levels: [pct('high', 3, '1m')] },
  // Requests from the editor in flight at every evaluation for `for`: something never answers.
  lspRequestsStuck: { levels: [pct('medium', 0, '10m')] },
  // Standard deviations above the 1-day mean of the p95.
  lspLatencyAnomaly: { minLatency: 0.05, levels: [pct('low', 3, '15m')] },
  // Relative increase of the p95 over the same time one week earlier.
  lspLatencyRegression: { minLatency: 0.05, levels: [pct('low', 0.5, '1h')] },
  appCacheHitRatioLow: { minRequestRate: 0.1, levels: [pct('medium', 0.6, '15m')] },
  appUiRefreshSlow: { operation: 'ui_refresh', levels: [pct('medium', 0.25, '10m')] },
  processGroupGone: { levels: [{ severity: 'high', for: '2m' }] },
  // Relative RSS growth per hour: the seed's restart trigger.
  processMemoryLeak: { levels: [pct('high', 0.2, '30m')] },
  processRestartLoop: { window: '15m', levels: [pct('high', 3, '1m')] },
  exporterDown: { levels: [{ severity: 'high', for: '5m' }] },
  exporterCollectorFailing: { levels: [{ severity: 'medium', for: '10m' }] },
  bridgeDeliveryFailing: { window: '15m', levels: [pct('high', 0, '5m')] },
  bridgeOutboxBacklogGrowing: { window: '15m', levels: [pct('medium', 10, '15m')] },
  lspProxyDroppingObservations: { window: '15m', levels: [pct('low', 0, '10m')] },
};
