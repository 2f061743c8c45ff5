// Turns the soak's samples into figures (growth per hour, lag and latency percentiles) and Markdown.
import os from 'node:os';
import { median, percentile } from '../bench/support.mjs';
import { fmt, mark, table } from '../bench/markdown.mjs';

/** Growth targets are judged only on a steady phase at least this long; shorter runs extrapolate noise. */
export const MIN_JUDGED_MINUTES = 10;
export const TARGETS = { rssGrowthMbPerHour: 10, loopLagP99Ms: 20 };

/** Least-squares slope of `value` over `t` (ms), in units per hour; NaN with fewer than 3 points. */
export function slopePerHour(points) {
  const usable = points.filter((p) => Number.isFinite(p.value));
  if (usable.length < 3) return NaN;
  const n = usable.length;
  const meanT = usable.reduce((s, p) => s + p.t, 0) / n;
  const meanV = usable.reduce((s, p) => s + p.value, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of usable) {
    num += (p.t - meanT) * (p.value - meanV);
    den += (p.t - meanT) ** 2;
  }
  return (num / den) * 3_600_000;
}

/** Minima are taken over windows this long: several collections of a busy serve fall in each. */
export const FLOOR_WINDOW_MS = 5 * 60_000;

/**
 * Slope per hour of the lowest value in each FLOOR_WINDOW_MS window (at its time). RSS saws by ~10 MB
 * between garbage collections, and a slope through every sample moves with where the run's ends fall on
 * the saw; the floors are what is left after collection, so their slope is what keeps growing.
 */
export function floorSlopePerHour(points) {
  const usable = points.filter((p) => Number.isFinite(p.value));
  if (usable.length === 0) return NaN;
  const t0 = usable[0].t;
  // Whole windows only: a short last window holds a few samples, and its minimum is wherever they fell.
  const whole = Math.floor((usable.at(-1).t - t0) / FLOOR_WINDOW_MS);
  const floors = new Map();
  for (const p of usable) {
    const w = Math.floor((p.t - t0) / FLOOR_WINDOW_MS);
    if (w >= whole) break;
    const floor = floors.get(w);
    if (floor === undefined || p.value < floor.value) floors.set(w, p);
  }
  return slopePerHour([...floors.values()]);
}

/** The steady phase's figures: memory growth after the warm-up, event-loop lag, scrape and editor latency. */
export function steadyFigures({ samples, scrapes, roundTrips, steadyMs }) {
  // The first minute (or first fifth of a short run) is warm-up: JIT, caches and pools filling.
  const warmupMs = Math.min(60_000, steadyMs / 5);
  const steadySamples = samples.filter((s) => s.phase === 'steady');
  const t0 = steadySamples[0]?.t ?? 0;
  const measured = steadySamples.filter((s) => s.t - t0 >= warmupMs);
  const points = (key) => measured.map((s) => ({ t: s.t, value: s[key] }));
  const growth = (key) => slopePerHour(points(key));
  const floorGrowth = (key) => floorSlopePerHour(points(key));
  const steadyScrapes = scrapes.filter((s) => s.phase === 'steady' && s.t - t0 >= warmupMs - 10_000);
  const ok = steadyScrapes.filter((s) => s.ok);
  const lags = ok.map((s) => s.lagP99Ms).filter(Number.isFinite);
  const trips = roundTrips.get('steady') ?? [];
  const times = trips.filter((x) => typeof x === 'number');
  return {
    samples: measured.length,
    exporterRssGrowth: growth('exporterRssMb'),
    heapGrowth: growth('heapMb'),
    heapTotalGrowth: growth('heapTotalMb'),
    anonGrowth: growth('exporterAnonMb'),
    proxyRssGrowth: growth('proxyRssMb'),
    exporterRssFloorGrowth: floorGrowth('exporterRssMb'),
    proxyRssFloorGrowth: floorGrowth('proxyRssMb'),
    exporterRss: [measured[0]?.exporterRssMb, measured.at(-1)?.exporterRssMb],
    heap: [measured[0]?.heapMb, measured.at(-1)?.heapMb],
    heapTotal: [measured[0]?.heapTotalMb, measured.at(-1)?.heapTotalMb],
    anon: [measured[0]?.exporterAnonMb, measured.at(-1)?.exporterAnonMb],
    proxyRss: [measured[0]?.proxyRssMb, measured.at(-1)?.proxyRssMb],
    loopLagP99: percentile(lags, 99),
    loopLagMax: lags.length ? Math.max(...lags) : NaN,
    scrapes: steadyScrapes.length,
    scrapesFailed: steadyScrapes.length - ok.length,
    scrapeMedian: median(ok.map((s) => s.ms)),
    scrapeP99: percentile(
      ok.map((s) => s.ms),
      99,
    ),
    roundTrips: times.length,
    roundTripFailures: trips.length - times.length,
    roundTripMedian: median(times),
    roundTripP99: percentile(times, 99),
  };
}

function judged(value, target, steadyMinutes) {
  if (!Number.isFinite(value)) return 'not measured';
  if (steadyMinutes < MIN_JUDGED_MINUTES) return `not judged (steady phase under ${MIN_JUDGED_MINUTES} min)`;
  return mark(value < target);
}

export function markdown({ startedAt, minutes, options, figures, faults, final, loadavg }) {
  const f = figures;
  const range = ([a, b]) => `${fmt(a, 1)} → ${fmt(b, 1)}`;
  const lines = [
    `# ide-monitor soak (${startedAt})`,
    '',
    `- machine: ${os.cpus()[0]?.model ?? 'unknown'}, ${os.availableParallelism()} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}`,
    `- load average (1, 5, 15 min) at start ${loadavg.start} and end ${loadavg.end}`,
    `- steady phase: ${minutes} min; load: editor ${options.editorRate} hover requests + ${options.editorRate} didChange per second through the proxy, ` +
      `${options.alertRate} new alerts per second into Alertmanager (each resolved after ${options.alertLifetimeMs / 1000} s), /metrics scraped every second`,
    '',
    '## Steady phase',
    '',
    table(
      ['figure', 'value', 'target'],
      [
        [
          'exporter RSS growth (MB/h)',
          `${fmt(f.exporterRssGrowth, 1)} (${range(f.exporterRss)} MB)`,
          `< ${TARGETS.rssGrowthMbPerHour}: ${judged(f.exporterRssGrowth, TARGETS.rssGrowthMbPerHour, minutes)}`,
        ],
        ['exporter RSS floor growth (MB/h)', fmt(f.exporterRssFloorGrowth, 1), ''],
        ['exporter anonymous RSS growth (MB/h)', `${fmt(f.anonGrowth, 1)} (${range(f.anon)} MB)`, ''],
        ['exporter V8 heap used growth (MB/h)', `${fmt(f.heapGrowth, 1)} (${range(f.heap)} MB)`, ''],
        ['exporter V8 heap committed growth (MB/h)', `${fmt(f.heapTotalGrowth, 1)} (${range(f.heapTotal)} MB)`, ''],
        [
          'proxy RSS growth (MB/h)',
          `${fmt(f.proxyRssGrowth, 1)} (${range(f.proxyRss)} MB)`,
          `< ${TARGETS.rssGrowthMbPerHour}: ${judged(f.proxyRssGrowth, TARGETS.rssGrowthMbPerHour, minutes)}`,
        ],
        ['proxy RSS floor growth (MB/h)', fmt(f.proxyRssFloorGrowth, 1), ''],
        [
          'exporter event-loop lag p99 (ms)',
          `${fmt(f.loopLagP99, 1)} (max ${fmt(f.loopLagMax, 1)})`,
          `< ${TARGETS.loopLagP99Ms}: ${Number.isFinite(f.loopLagP99) ? mark(f.loopLagP99 < TARGETS.loopLagP99Ms) : 'not measured'}`,
        ],
        ['scrapes (failed)', `${f.scrapes} (${f.scrapesFailed})`, ''],
        ['scrape latency median / p99 (ms)', `${fmt(f.scrapeMedian, 1)} / ${fmt(f.scrapeP99, 1)}`, ''],
        ['editor round trips through the proxy (failed)', `${f.roundTrips} (${f.roundTripFailures})`, ''],
        ['editor round trip median / p99 (ms)', `${fmt(f.roundTripMedian, 2)} / ${fmt(f.roundTripP99, 2)}`, ''],
      ],
    ),
    '',
    `Growth is the least-squares slope of the ${f.samples} samples (every 10 s) after the warm-up, per hour; ` +
      `floor growth is the slope of the lowest sample of each ${FLOOR_WINDOW_MS / 60_000}-minute window (what stays after garbage collection). ` +
      "Event-loop lag is prom-client's `nodejs_eventloop_lag_p99_seconds` less its 10 ms sampling interval (an idle process reads 10.1 ms); each scrape resets it, so it covers the second since the previous scrape, and the row gives the 99th percentile of those per-second values after the warm-up.",
    '',
    '## Faults',
    '',
    table(
      ['fault', 'expected', 'observed', 'result'],
      faults.map((x) => [x.fault, x.expected, x.observed, x.ok === undefined ? 'not run' : mark(x.ok)]),
    ),
    '',
    '## End of run',
    '',
    `${final.alerts} alerts posted; ${final.delivered} of ${final.expected} expected Slack messages (firing and resolved) delivered; ` +
      `${final.duplicates} duplicates; ${final.unparsed} unrecognised Slack bodies; ${final.rejected} bodies the Slack sink refused as Slack would; ${final.postFailures} failed posts to Alertmanager.` +
      (final.missing.length ? ` Missing: ${final.missing.slice(0, 10).join(', ')}` : ''),
    '',
  ];
  return lines.join('\n');
}
