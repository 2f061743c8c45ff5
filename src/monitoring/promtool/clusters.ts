import type { HostMetricsMode } from '../config.js';
import { hostMetricNames } from '../host-metrics.js';
import { REC } from '../rules/records.js';
import { constant, counter, hostTarget, labels, series, TARGET, type ExprCheck, type Target, type TestFile } from './model.js';

/**
 * Two clusters whose exporters share one instance address, as a central Prometheus (or Thanos) sees them:
 * every recording rule must keep them apart. Cluster B also carries the labels a ServiceMonitor adds, which
 * must survive too. Aggregating `by (job, instance, …)` merged them: request rates 1 and 2 came out as one 3.
 */
const A = { cluster: 'a' };
const B = { cluster: 'b', namespace: 'ide', pod: 'ide-monitor-7x2kq', service: 'ide-monitor' };

type Values = readonly [a: string, b: string];

/** The same series in both clusters, with each cluster's values. */
function both(metric: string, extra: Readonly<Record<string, string>>, [a, b]: Values, target: Target = TARGET): [string, string][] {
  return [
    [series(metric, { ...A, ...extra }, target), a],
    [series(metric, { ...B, ...extra }, target), b],
  ];
}

/** A recording rule's two samples: cluster A's value, then cluster B's. */
function check(rule: string, extra: Readonly<Record<string, string>>, [a, b]: readonly [number, number], target: Target = TARGET): ExprCheck {
  const sample = (cluster: Readonly<Record<string, string>>, value: number) => ({
    labels: `${rule}{${Object.entries(labels({ ...cluster, ...extra }, target))
      .map(([k, v]) => `${k}="${v}"`)
      .join(', ')}}`,
    value,
  });
  return { at: '10m', expr: rule, samples: [sample(A, a), sample(B, b)] };
}

const perMinute = (a: number, b: number): Values => [counter(a, 20), counter(b, 20)];
const gauge = (a: number, b: number): Values => [constant(a, 20), constant(b, 20)];

const FS = { device: '/dev/sda1', mountpoint: '/', fstype: 'ext4' };
const HOVER = { server: 'tsserver', method: 'textDocument/hover' };
const OP = { operation: 'ui_refresh' };
const GROUP = { group: 'tsserver' };

/**
 * Cluster A: every LSP request and operation ok and in the first bucket, 1 per second; cluster B: 2 per
 * second, a quarter of them errors, all in the second bucket. Ratios and quantiles differ between the two.
 */
function histogramSeries(metric: string, extra: Readonly<Record<string, string>>): [string, string][] {
  const bucket = (outcome: string, le: string, values: Values) => both(`${metric}_bucket`, { ...extra, outcome, le }, values);
  return [
    ...bucket('ok', '0.1', perMinute(60, 0)),
    ...bucket('ok', '0.2', perMinute(60, 90)),
    ...bucket('ok', '+Inf', perMinute(60, 90)),
    ...bucket('error', '0.1', perMinute(0, 0)),
    ...bucket('error', '0.2', perMinute(0, 30)),
    ...bucket('error', '+Inf', perMinute(0, 30)),
    ...both(`${metric}_count`, { ...extra, outcome: 'ok' }, perMinute(60, 90)),
    ...both(`${metric}_count`, { ...extra, outcome: 'error' }, perMinute(0, 30)),
  ];
}

/** The host rules read whichever exporter serves the host (`hostMetrics`); the rest is the same in both modes. */
export function clusterTests(mode: HostMetricsMode = 'ide-monitor'): TestFile {
  const h = hostMetricNames(mode);
  const host = hostTarget(mode);
  return {
    file: 'clusters',
    ruleFiles: ['host', 'lsp', 'app', 'predictive'],
    scenarios: [
      {
        name: 'Two clusters with the same instance address stay apart in every recording rule',
        series: [
          ...both(h.cpuSeconds, { cpu: '0', mode: 'idle' }, perMinute(45, 30), host),
          ...both(h.cpuSeconds, { cpu: '0', mode: 'user' }, perMinute(15, 30), host),
          ...both(h.memoryTotal, {}, gauge(1e9, 1e9), host),
          ...both(h.memoryAvailable, {}, gauge(0.75e9, 0.5e9), host),
          ...both(h.load1, {}, gauge(1, 3), host),
          ...both(h.fdAllocated, {}, gauge(100, 500), host),
          ...both(h.fdMax, {}, gauge(1000, 1000), host),
          ...both(h.fsSize, FS, gauge(100, 100), host),
          ...both(h.fsAvail, FS, gauge(75, 50), host),
          ...both(h.fsFiles, FS, gauge(100, 100), host),
          ...both(h.fsFilesFree, FS, gauge(75, 50), host),
          ...both(h.diskIoTime, { device: 'sda' }, perMinute(30, 60), host),
          ...both(h.diskIoWeighted, { device: 'sda' }, perMinute(30, 60), host),
          ...histogramSeries('ide_lsp_request_duration_seconds', HOVER),
          ...histogramSeries('ide_app_operation_duration_seconds', OP),
          ...both('ide_app_cache_requests_total', { cache: 'symbols', result: 'hit' }, perMinute(60, 60)),
          ...both('ide_app_cache_requests_total', { cache: 'symbols', result: 'miss' }, perMinute(0, 60)),
          ...both('ide_process_resident_memory_bytes', GROUP, [constant(1e9, 20), counter(6e6, 20, 1e9)]),
        ],
        exprs: [
          check(REC.cpuBusy, {}, [0.25, 0.5], host),
          check(REC.memoryUsed, {}, [0.25, 0.5], host),
          check(REC.load1PerCpu, {}, [1, 3], host),
          check(REC.fdUsed, {}, [0.1, 0.5], host),
          check(REC.fsUsed, FS, [0.25, 0.5], host),
          check(REC.fsFilesUsed, FS, [0.25, 0.5], host),
          check(REC.diskIoTime, { device: 'sda' }, [0.5, 1], host),
          check(REC.diskIoWeighted, { device: 'sda' }, [0.5, 1], host),
          {
            at: '10m',
            expr: `${REC.lspBuckets}{le="0.2"}`,
            samples: check(REC.lspBuckets, { ...HOVER, le: '0.2' }, [1, 2]).samples,
          },
          check(REC.lspP50, HOVER, [0.05, 0.15000000000000002]),
          check(REC.lspP95, HOVER, [0.095, 0.195]),
          check(REC.lspP99, HOVER, [0.099, 0.199]),
          check(REC.lspRequests, HOVER, [1, 2]),
          check(REC.lspErrorRatio, HOVER, [0, 0.25]),
          check(REC.lspP95Avg1d, HOVER, [0.095, 0.195]),
          check(REC.lspP95Stddev1d, HOVER, [0, 0]),
          check(REC.cacheRequests, { cache: 'symbols' }, [1, 2]),
          check(REC.cacheHitRatio, { cache: 'symbols' }, [1, 0.5]),
          check(REC.operations, OP, [1, 2]),
          check(REC.operationErrorRatio, OP, [0, 0.25]),
          check(REC.operationP95, OP, [0.095, 0.195]),
          // B grows 6 MB a minute from 1 GB: 360 MB/h over a mean of 1.03 GB in its first 10 minutes.
          check(REC.rssGrowth, GROUP, [0, 0.34951456310679613]),
        ],
      },
    ],
  };
}
