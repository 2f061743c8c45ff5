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
import { waitFor } from '../../support/ports.mjs';
import { startPrometheus, type RunningPrometheus } from '../../support/prometheus.mjs';
import { startWebhookSink, type Sink } from '../../support/sinks.mjs';
import { leafPanels, panelSeries } from './panels.js';
import {
  CRASHED_SERVER,
  NOOP_ACTION,
  postAlertmanagerFixture,
  SELF_GROUP,
  SERVER,
  startIngestFeed,
  writeExporterConfig,
  type IngestFeed,
} from './live-feed.js';

const prometheusBinary = requireBinary('prometheus', 'prometheus');

const WEEK_AGO = 'divides the p95 by the same p95 "offset 1w"; a fresh Prometheus holds no samples from a week ago, so the ratio has no right-hand side';
const CHANGE = 'subtracts or divides by the same value "offset 1w"; a fresh Prometheus holds no samples from a week ago';

/**
 * Panels that may return nothing, by dashboard uid and panel title, each with the reason it cannot have data
 * in a Prometheus that has existed for a minute. Every other panel must return at least one number: the
 * test feeds the exporter LSP and application observations (ingestion API), a process group matching the
 * exporter itself, and Alertmanager payloads for the bridge (see live-feed.ts). The alert panels are not
 * listed: the fed crash of one language server makes IdeLspServerDown fire within the test profile's `for`.
 */
const ALLOWED_EMPTY: Record<string, Record<string, string>> = {
  [DASHBOARDS.trends.uid]: {
    'LSP p95 change week over week': WEEK_AGO,
    'LSP p95: 7-day change': CHANGE,
    'Memory used: 7-day change': CHANGE,
    'LSP error ratio: 7-day change': CHANGE,
    'Cache hit ratio: 7-day change': CHANGE,
  },
};

/**
 * Fed series the dashboards read, with values, not just names: quantiles and ratios over rates are NaN until
 * two scrapes saw an increase, and ALERTS appears only once IdeLspServerDown has been pending for the test
 * profile's `for` (5 s).
 */
const FED = [
  REC.cpuBusy,
  `${REC.lspP95}{method="textDocument/completion"} > 0`,
  `${REC.lspErrorRatio} > 0`,
  `${REC.operationP95} > 0`,
  `${REC.cacheHitRatio} > 0`,
  REC.rssGrowth,
  `ALERTS{alertname="IdeLspServerDown", alertstate="firing", server="${CRASHED_SERVER}"}`,
  'histogram_quantile(0.95, sum by (le) (rate(ide_bridge_notification_duration_seconds_bucket{channel="webhook"}[1m]))) > 0',
  `sum(rate(ide_bridge_actions_total{action="${NOOP_ACTION}", phase="trigger", outcome="succeeded"}[1m])) > 0`,
];

describe.skipIf(prometheusBinary === undefined)('against a real Prometheus scraping a real, fed exporter', () => {
  const areas = ruleAreas(DEFAULT_CONFIG);
  const dir = mkdtempSync(join(tmpdir(), 'ide-monitor-live-'));
  let sink: Sink | undefined;
  let exporter: RunningExporter | undefined;
  let feed: IngestFeed | undefined;
  let prometheus: RunningPrometheus | undefined;

  beforeAll(async () => {
    // The test profile is what end-to-end tests load; its rules differ from the default only in `for`.
    expect(await runGenerate({ outDir: dir, check: false, profile: 'test', warn: () => {} }, () => {})).toBe(0);
    sink = await startWebhookSink();
    exporter = await startExporter({ args: [writeExporterConfig(dir, sink.url)] });
    // Fed before the first scrape, so every series exists from Prometheus' first sample on.
    feed = startIngestFeed(exporter.url);
    expect(await postAlertmanagerFixture(exporter.url, 'firing-single')).toBe(200);
    prometheus = await startPrometheus({
      binary: prometheusBinary ?? 'prometheus',
      scrapeTargets: [`127.0.0.1:${exporter.port}`],
      ruleFiles: areas.map((a) => join(dir, 'prometheus/rules', `${a.file}.yml`)),
    });
    await prometheus.waitForScrapes(3);
    // Two new alerts after the first scrapes: the delivery histogram and the action counter now increase.
    expect(await postAlertmanagerFixture(exporter.url, 'firing-group')).toBe(200);
    // Rates need two scrapes inside their window, then one rule evaluation to record them.
    const p = prometheus;
    let missing = '';
    try {
      await waitFor(
        'the fed series',
        async () => {
          for (const expr of FED) {
            missing = expr;
            if ((await p.query(expr)).length === 0) return false;
          }
          return true;
        },
        30_000,
        250,
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}; still empty: ${missing}`, { cause: error });
    }
  });

  afterAll(async () => {
    await feed?.close();
    await prometheus?.stop();
    await exporter?.stop();
    await sink?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds the exporter through the dashboards\u2019 job and instance variables', async () => {
    const info = (await prometheus?.query('ide_exporter_build_info')) ?? [];
    expect(info.map((s) => s.metric['job'])).toEqual(['ide-monitor']);
  });

  it('is fed through the ingestion API, the process collector and the alert bridge', async () => {
    const value = async (expr: string) => (await prometheus?.query(expr))?.map((s) => Number(s.value[1])) ?? [];
    expect(feed?.warnings).toEqual([]);
    expect(feed?.stats()).toMatchObject({ rejected: 0, invalid: 0, dropped: 0 });
    expect(feed?.stats().batchesSent).toBeGreaterThan(2);
    expect(await value('ide_ingest_batches_total{outcome!="accepted"}')).toEqual([0, 0, 0]);
    // The group's regex names this run's config file: it matches the exporter and nothing else on the machine.
    expect(await value(`ide_process_count{group="${SELF_GROUP}"}`)).toEqual([1]);
    expect(await value(`ide_lsp_server_up{server=~"${SERVER}|${CRASHED_SERVER}"}`)).toHaveLength(2);
    expect(await value(`ide_lsp_server_up{server="${CRASHED_SERVER}"}`)).toEqual([0]);
    expect(await value(`ide_ingest_label_overflow_total{metric="ide_lsp_request_duration_seconds"} > 0`)).toHaveLength(1);
    // One notification per group state (firing-single, then firing-group), each answered 200 by the sink.
    expect(sink?.accepted().length).toBe(2);
    expect(await value('ide_bridge_webhook_requests_total{outcome="accepted"}')).toEqual([2]);
    // firing-group repeats firing-single's alert (same fingerprint and startsAt): three distinct alerts, three runs.
    expect(await value(`ide_bridge_actions_total{action="${NOOP_ACTION}"}`)).toEqual([3]);
  });

  it('executes every recording rule; the host ones return data', async () => {
    for (const rule of areas.flatMap((a) => a.recording)) await prometheus?.query(rule.expr);
    for (const name of [REC.cpuBusy, REC.memoryUsed, REC.load1PerCpu, REC.fdUsed, REC.fsUsed, REC.diskIoTime, REC.diskIoWeighted]) {
      expect((await prometheus?.query(name))?.length, name).toBeGreaterThan(0);
    }
  });

  it('executes every dashboard query; every panel not allowed to be empty returns a number', async () => {
    const empty: string[] = [];
    const notEmpty: string[] = [];
    for (const { dashboard } of dashboards(DEFAULT_CONFIG)) {
      const uid = dashboard.uid ?? '';
      const allowed = ALLOWED_EMPTY[uid] ?? {};
      const panels = leafPanels(dashboard);
      const titles = panels.map((p) => p.title);
      for (const title of Object.keys(allowed)) expect(titles, `${uid}: allowed-empty panel "${title}" does not exist`).toContain(title);
      for (const panel of panels) {
        const series = prometheus === undefined ? 0 : await panelSeries(prometheus, panel);
        if (series === 0 && allowed[panel.title] === undefined) empty.push(`${uid} / ${panel.title}`);
        if (series > 0 && allowed[panel.title] !== undefined) notEmpty.push(`${uid} / ${panel.title}`);
      }
    }
    expect(empty, 'panels without data').toEqual([]);
    // An allowed-empty panel that shows data means its reason no longer holds: take it off the list.
    expect(notEmpty, 'allowed-empty panels that return data').toEqual([]);
  });
});
