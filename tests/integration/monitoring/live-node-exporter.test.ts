import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMonitoringConfig } from '../../../src/monitoring/config.js';
import { DASHBOARDS } from '../../../src/monitoring/dashboards/catalog.js';
import { dashboards } from '../../../src/monitoring/dashboards/index.js';
import { runGenerate } from '../../../src/monitoring/generate.js';
import { ruleAreas } from '../../../src/monitoring/rules/index.js';
import { REC } from '../../../src/monitoring/rules/records.js';
import { requireBinary } from '../../support/binaries.js';
import { waitFor } from '../../support/ports.mjs';
import { startPrometheus, type RunningPrometheus } from '../../support/prometheus.mjs';
import { startNodeExporter, type RunningNodeExporter } from './node-exporter.js';
import { leafPanels, panelSeries, type Panel } from './panels.js';

const prometheusBinary = requireBinary('prometheus', 'prometheus');
const nodeExporterBinary = requireBinary('prometheus-node-exporter', 'prometheus-node-exporter');

/** Host panels that may be empty in a Prometheus a minute old, with the reason (as in live.test.ts). */
const ALLOWED_EMPTY: Record<string, Record<string, string>> = {
  [DASHBOARDS.trends.uid]: {
    'Memory used: 7-day change': 'subtracts the same value "offset 1w"; a fresh Prometheus holds no samples from a week ago',
  },
};

/**
 * `hostMetrics: node_exporter` end to end: the generated rules (test profile) loaded into a real Prometheus
 * that scrapes a real node_exporter under job "node", as the default nodeExporterSelector expects. No
 * ide-monitor exporter runs: every host rule and panel must get its data from node_exporter alone.
 */
describe.skipIf(prometheusBinary === undefined || nodeExporterBinary === undefined)(
  'node_exporter mode against a real Prometheus scraping a real node_exporter',
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'ide-monitor-node-live-'));
    const configFile = join(dir, 'monitoring.yml');
    writeFileSync(configFile, '_config:\n  hostMetrics: node_exporter\n');
    const config = loadMonitoringConfig(configFile, 'test');
    const areas = ruleAreas(config);
    const hostRecords = areas.find((a) => a.file === 'host')?.recording.map((r) => r.record) ?? [];
    let nodeExporter: RunningNodeExporter | undefined;
    let prometheus: RunningPrometheus | undefined;

    beforeAll(async () => {
      expect(await runGenerate({ configFile, outDir: dir, check: false, profile: 'test', warn: () => {} }, () => {})).toBe(0);
      nodeExporter = await startNodeExporter(nodeExporterBinary ?? 'prometheus-node-exporter');
      prometheus = await startPrometheus({
        binary: prometheusBinary ?? 'prometheus',
        jobName: 'node',
        scrapeTargets: [nodeExporter.target],
        ruleFiles: areas.map((a) => join(dir, 'prometheus/rules', `${a.file}.yml`)),
      });
      await prometheus.waitForScrapes(3);
      // The rates behind the recording rules need two scrapes in their window, then one evaluation.
      const p = prometheus;
      await waitFor(
        'every host recording rule',
        async () => {
          for (const name of hostRecords) if ((await p.query(name)).length === 0) return false;
          return true;
        },
        30_000,
        250,
      );
    });

    afterAll(async () => {
      await prometheus?.stop();
      await nodeExporter?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('records every host rule from node_exporter\u2019s series, under its job', async () => {
      expect(hostRecords).toContain(REC.cpuBusy);
      for (const name of hostRecords) {
        const samples = (await prometheus?.query(name)) ?? [];
        expect(samples.length, name).toBeGreaterThan(0);
        expect(new Set(samples.map((s) => s.metric['job'])), name).toEqual(new Set(['node']));
        expect(new Set(samples.map((s) => s.metric['instance'])), name).toEqual(new Set([nodeExporter?.target]));
      }
      const [busy] = (await prometheus?.query(REC.cpuBusy)) ?? [];
      expect(Number(busy?.value[1])).toBeGreaterThanOrEqual(0);
      expect(Number(busy?.value[1])).toBeLessThanOrEqual(1);
    });

    it('evaluates every host alert without an error', async () => {
      const response = await fetch(`${prometheus?.url}/api/v1/rules`);
      const body = (await response.json()) as { data: { groups: { name: string; rules: { name: string; health: string; lastError?: string }[] }[] } };
      const host = body.data.groups.filter((g) => /\.(host|predictive)\./.test(g.name)).flatMap((g) => g.rules);
      const names = new Set(host.map((r) => r.name));
      for (const name of areas.flatMap((a) => a.alerts.map(({ rule }) => rule.alert)).filter((n) => n.startsWith('IdeHost'))) expect(names).toContain(name);
      expect(host.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.health} ${r.lastError ?? ''}`)).toEqual([]);
    });

    it('returns a number for every host panel of the node_exporter-mode dashboards', async () => {
      const reads = (panel: Panel) => (panel.targets ?? []).some((t) => /\bnode_\w+\{/.test(t.expr) || hostRecords.some((r) => t.expr.includes(r)));
      const empty: string[] = [];
      const notEmpty: string[] = [];
      let checked = 0;
      for (const { key, dashboard } of dashboards(config)) {
        const uid = dashboard.uid ?? '';
        const allowed = ALLOWED_EMPTY[uid] ?? {};
        // The host dashboard reads node_exporter throughout, its health row included; elsewhere only host panels do.
        for (const panel of leafPanels(dashboard).filter((p) => key === 'host' || reads(p))) {
          checked++;
          const series = prometheus === undefined ? 0 : await panelSeries(prometheus, panel);
          if (series === 0 && allowed[panel.title] === undefined) empty.push(`${uid} / ${panel.title}`);
          if (series > 0 && allowed[panel.title] !== undefined) notEmpty.push(`${uid} / ${panel.title}`);
        }
      }
      // 28 on the host dashboard, 4 on the overview, 5 on trends.
      expect(checked).toBeGreaterThan(35);
      expect(empty, 'host panels without data').toEqual([]);
      expect(notEmpty, 'allowed-empty panels that return data').toEqual([]);
    });
  },
);
