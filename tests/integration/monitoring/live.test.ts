import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../src/monitoring/config.js';
import { DASHBOARDS } from '../../../src/monitoring/dashboards/catalog.js';
import { dashboards } from '../../../src/monitoring/dashboards/index.js';
import { runGenerate } from '../../../src/monitoring/generate.js';
import { ruleAreas } from '../../../src/monitoring/rules/index.js';
import { REC } from '../../../src/monitoring/rules/records.js';
import { requireBinary } from '../../support/binaries.js';
import { startExporter, type RunningExporter } from '../../support/exporter.js';
import { waitFor } from '../../support/ports.js';
import { startPrometheus, type RunningPrometheus } from '../../support/prometheus.js';

const prometheusBinary = requireBinary('prometheus', 'prometheus');

const LSP = 'fed by a later feature (LSP proxy)';
const APP = 'fed by a later feature (ingestion)';
const PROCESS = 'fed by a later feature (process collector)';
const BRIDGE = 'fed by a later feature (bridge)';
const ALERT = 'shows data only while an alert fires';

/**
 * Panels that may return nothing against a fresh exporter with no LSP, ingestion, bridge or process data,
 * by dashboard uid and panel title. Every other panel must return at least one series.
 */
const ALLOWED_EMPTY: Record<string, Record<string, string>> = {
  [DASHBOARDS.overview.uid]: {
    'Completion p95': LSP,
    'LSP error ratio': LSP,
    'LSP p95 latency by method': LSP,
    'LSP request rate by method': LSP,
  },
  [DASHBOARDS.lsp.uid]: Object.fromEntries(
    [
      'Request rate', 'Worst error ratio', 'Servers running', 'Requests in flight', 'p50 latency by method', 'p95 latency by method',
      'p99 latency by method', 'Throughput by method', 'Error ratio by method', 'Errors by JSON-RPC code', 'Requests by outcome',
      'Operations', 'In flight by direction', 'Diagnostics by severity', 'Notifications by method', 'Message bytes',
      'Server starts and abnormal exits', 'Proxy observations dropped',
    ].map((title) => [title, LSP]),
  ),
  [DASHBOARDS.app.uid]: {
    ...Object.fromEntries(['Operation rate', 'Operation p95 duration', 'Operation error ratio', 'Cache hit ratio', 'Cache lookups'].map((t) => [t, APP])),
    ...Object.fromEntries(['Ingest batches by outcome', 'Ingested observations by kind', 'Label values folded into "other"'].map((t) => [t, APP])),
    ...Object.fromEntries(
      ['Processes per group', 'Resident memory per group', 'Resident memory growth per hour', 'CPU per group', 'Open file descriptors per group', 'Threads per group', 'Restarts per group'].map((t) => [t, PROCESS]),
    ),
  },
  [DASHBOARDS.alerts.uid]: {
    'Firing alerts by severity': ALERT,
    'Firing now': ALERT,
    ...Object.fromEntries(
      ['Webhook requests by outcome', 'Alerts received by status', 'Notifications by channel and outcome', 'Notification p95 duration', 'Actions by phase and outcome', 'Outbox pending', 'Oldest pending notification'].map((t) => [t, BRIDGE]),
    ),
  },
  [DASHBOARDS.trends.uid]: {
    'LSP p95 latency: now and a week ago': LSP,
    'LSP p95 change week over week': LSP,
    'LSP throughput: now and a week ago': LSP,
    'LSP p95 against its 1-day baseline': LSP,
    'Process memory: now and a week ago': PROCESS,
    'Process memory growth per hour': PROCESS,
  },
};

interface Panel {
  type: string;
  title: string;
  panels?: Panel[];
  targets?: { expr: string }[];
}

/** What Grafana sends with the variables at "All" and a rate interval of a few of our 1 s scrapes. */
function asGrafanaWould(expr: string): string {
  return expr.replaceAll('$job', '.+').replaceAll('$instance', '.+').replaceAll('$__rate_interval', '1m');
}

describe.skipIf(prometheusBinary === undefined)('against a real Prometheus scraping a real exporter', () => {
  const areas = ruleAreas(DEFAULT_CONFIG);
  const dir = mkdtempSync(join(tmpdir(), 'ide-monitor-live-'));
  let exporter: RunningExporter | undefined;
  let prometheus: RunningPrometheus | undefined;

  beforeAll(async () => {
    // The test profile is what end-to-end tests load; its rules differ from the default only in `for`.
    expect(await runGenerate({ outDir: dir, check: false, profile: 'test' }, () => {})).toBe(0);
    exporter = await startExporter();
    prometheus = await startPrometheus({
      binary: prometheusBinary ?? 'prometheus',
      scrapeTargets: [`127.0.0.1:${exporter.port}`],
      ruleFiles: areas.map((a) => join(dir, 'prometheus/rules', `${a.file}.yml`)),
    });
    await prometheus.waitForScrapes(3);
    // Rates need two scrapes inside their window, then one rule evaluation to record them.
    const p = prometheus;
    await waitFor('the recording rules to produce host series', async () => (await p.query(REC.cpuBusy)).length > 0, 20_000, 250);
  });

  afterAll(async () => {
    await prometheus?.stop();
    await exporter?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds the exporter through the dashboards\u2019 job and instance variables', async () => {
    const info = (await prometheus?.query('ide_exporter_build_info')) ?? [];
    expect(info.map((s) => s.metric['job'])).toEqual(['ide-monitor']);
  });

  it('executes every recording rule; the host ones return data', async () => {
    for (const rule of areas.flatMap((a) => a.recording)) await prometheus?.query(rule.expr);
    for (const name of [REC.cpuBusy, REC.memoryUsed, REC.load1PerCpu, REC.fdUsed, REC.fsUsed, REC.diskIoTime, REC.diskIoWeighted]) {
      expect((await prometheus?.query(name))?.length, name).toBeGreaterThan(0);
    }
  });

  it('executes every dashboard query; every panel not allowed to be empty returns data', async () => {
    const empty: string[] = [];
    const nowFed: string[] = [];
    for (const { dashboard } of dashboards(DEFAULT_CONFIG)) {
      const uid = dashboard.uid ?? '';
      const allowed = ALLOWED_EMPTY[uid] ?? {};
      const panels = (dashboard.panels as Panel[]).flatMap((p) => (p.type === 'row' ? (p.panels ?? []) : [p]));
      const titles = panels.map((p) => p.title);
      for (const title of Object.keys(allowed)) expect(titles, `${uid}: allowed-empty panel "${title}" does not exist`).toContain(title);
      for (const panel of panels) {
        let series = 0;
        for (const target of panel.targets ?? []) series += (await prometheus?.query(asGrafanaWould(target.expr)))?.length ?? 0;
        if (series === 0 && allowed[panel.title] === undefined) empty.push(`${uid} / ${panel.title}`);
        if (series > 0 && allowed[panel.title] !== undefined && allowed[panel.title] !== ALERT) nowFed.push(`${uid} / ${panel.title}`);
      }
    }
    // Not a failure: a later feature started feeding these panels, so they can leave the list.
    if (nowFed.length > 0) console.info(`allowed-empty panels that now return data (tighten ALLOWED_EMPTY): ${nowFed.join(', ')}`);
    expect(empty).toEqual([]);
  });
});
