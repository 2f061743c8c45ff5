// Plays Prometheus for the soak: scrapes the exporter every second, and every 10 s samples the exporter's
// and the proxy's resident memory, the exporter's V8 heap and its event-loop lag.
import { readFileSync } from 'node:fs';
import { rssMb } from '../bench/support.mjs';

export const SCRAPE_INTERVAL_MS = 1000;
export const SAMPLE_INTERVAL_MS = 10_000;
const SCRAPE_TIMEOUT_MS = 2000;
/** prom-client's default `eventLoopMonitoringPrecision`, which `serve` keeps. */
const LOOP_MONITOR_RESOLUTION_MS = 10;

/** Parses the value of every sample line of an exposition into `series text → number`. */
export function parseExposition(text) {
  const values = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    values.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return values;
}

/** Sum of every series of `name` whose labels include all of `labels` (each as `key="value"`). */
export function sumOf(values, name, labels = {}) {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  let sum = 0;
  for (const [series, value] of values) {
    const brace = series.indexOf('{');
    const metric = brace < 0 ? series : series.slice(0, brace);
    if (metric !== name) continue;
    if (wanted.every((pair) => series.includes(pair))) sum += value;
  }
  return sum;
}

/**
 * `exporterPid()` and `proxyPid()` return the current pids (they change across restarts), or undefined
 * while the process is down. `phase()` names the soak phase each scrape and sample is filed under.
 */
export function startMonitor({ metricsUrl, exporterPid, proxyPid, phase }) {
  const scrapes = []; // { t, phase, ok, ms, lagP99Ms }
  const samples = []; // { t, phase, exporterRssMb, heapMb, lagP99Ms, proxyRssMb }
  let latest = new Map();
  let lagSinceSample = [];
  const started = Date.now();

  const scrape = async () => {
    const t = Date.now();
    const begin = performance.now();
    try {
      const response = await fetch(metricsUrl, { signal: AbortSignal.timeout(SCRAPE_TIMEOUT_MS) });
      const text = await response.text();
      if (!response.ok) throw new Error(String(response.status));
      latest = parseExposition(text);
      // prom-client resets its event-loop histogram at each collect, so this is the p99 of the last second.
      // The histogram records whole timer intervals: an idle loop reads the 10 ms resolution, not 0.
      const lagP99Ms = Math.max(0, (latest.get('nodejs_eventloop_lag_p99_seconds') ?? NaN) * 1000 - LOOP_MONITOR_RESOLUTION_MS);
      lagSinceSample.push(lagP99Ms);
      scrapes.push({ t, phase: phase(), ok: true, ms: performance.now() - begin, lagP99Ms });
    } catch {
      scrapes.push({ t, phase: phase(), ok: false, ms: performance.now() - begin });
    }
  };

  const safeRss = (pid) => {
    if (pid === undefined) return NaN;
    try {
      return rssMb(pid);
    } catch {
      return NaN;
    }
  };
  // Anonymous memory apart from mapped files (the node binary, native addons): where a leak would show.
  const safeAnon = (pid) => {
    try {
      return Number(/^RssAnon:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
    } catch {
      return NaN;
    }
  };
  const sample = () => {
    samples.push({
      t: Date.now(),
      phase: phase(),
      exporterRssMb: safeRss(exporterPid()),
      exporterAnonMb: safeAnon(exporterPid()),
      heapMb: (latest.get('nodejs_heap_size_used_bytes') ?? NaN) / 2 ** 20,
      heapTotalMb: (latest.get('nodejs_heap_size_total_bytes') ?? NaN) / 2 ** 20,
      lagP99Ms: lagSinceSample.length > 0 ? Math.max(...lagSinceSample) : NaN,
      proxyRssMb: safeRss(proxyPid()),
    });
    lagSinceSample = [];
  };

  const scrapeTimer = setInterval(scrape, SCRAPE_INTERVAL_MS);
  const sampleTimer = setInterval(sample, SAMPLE_INTERVAL_MS);
  return {
    started,
    scrapes,
    samples,
    /** Scrapes now (outside the schedule) and returns the parsed values, or undefined when it failed. */
    async fresh() {
      try {
        const response = await fetch(metricsUrl, { signal: AbortSignal.timeout(SCRAPE_TIMEOUT_MS) });
        return response.ok ? parseExposition(await response.text()) : undefined;
      } catch {
        return undefined;
      }
    },
    stop() {
      clearInterval(scrapeTimer);
      clearInterval(sampleTimer);
    },
  };
}
