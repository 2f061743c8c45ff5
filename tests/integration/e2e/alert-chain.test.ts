import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dump } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGenerate } from '../../../src/monitoring/generate.js';
import { REC } from '../../../src/monitoring/rules/records.js';
import { requireBinary } from '../../support/binaries.js';
import { startExporter, type RunningExporter } from '../../support/exporter.js';
import { startPrometheus, type RunningPrometheus } from '../../support/prometheus.mjs';
import { startPagerDutySink, startSlackSink, type Sink } from '../../support/sinks.mjs';
import { startRoutedAlertmanager, type AmAlert, type RoutedAlertmanager } from './alertmanager.js';
import { APPEND_LINE, spawnMemoryGrower, startCompletionTraffic, type CompletionTraffic, type MemoryGrower } from './conditions.js';
import { alertFingerprint } from './fingerprint.js';
import { actionRuns, metricSum, pagerDutyEvents, prometheusAlerts, slackMessage, step, type Chain, type PromAlert } from './observe.js';

/**
 * Issue 7: the whole chain with real programs. A real LSP client talks through `ide-monitor lsp-proxy` to
 * a server whose completions break, and a real process grows its memory; `ide-monitor serve` exports what
 * the proxy reports and what the process collector reads; a real Prometheus evaluates the repository's
 * rules (generator, `test` profile: every `for` is 5 s); a real Alertmanager posts to the bridge with a
 * bearer token from a credentials file; the bridge delivers to Slack and PagerDuty stand-ins and runs an
 * exec action. Then both conditions end and the resolves travel the same way. See docs/e2e.md.
 */

const prometheusBinary = requireBinary('prometheus', 'prometheus');
const alertmanagerBinary = requireBinary('prometheus-alertmanager', 'prometheus-alertmanager');

const LSP_ALERT = 'IdeLspErrorRatioHigh';
const MEMORY_ALERT = 'IdeProcessMemoryLeak';
const SERVER = 'e2e-switchable';
const GROUP = 'e2e-grower';
const ACTION = 'e2e-circuit-breaker';
const TOKEN = `e2e-webhook-${randomUUID()}`;
const ROUTING_KEY = 'E2EROUTINGKEY000000000000000000a';

/** Client pace while the condition lasts and before it: an editor asking for completions as the user types. */
const TYPING = { perTick: 1, tickMs: 250 };
/**
 * After the repair: the rules compute the error ratio over 5 minutes (the test profile shortens only
 * `for`), so it drops under 10 % once nine times as many good answers as errors are in the window. A
 * client at typing pace would need minutes; a burst of good completions gets there in seconds.
 */
const BURST = { perTick: 10, tickMs: 50 };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The three tests are stages of one story: a stage whose predecessor failed fails at once, naming it,
 * instead of waiting out its own timeouts for notifications that cannot come.
 */
function stages() {
  let failed: string | undefined;
  return (name: string, body: () => Promise<void>) =>
    it(name, async () => {
      if (failed !== undefined) throw new Error(`not run: the earlier stage "${failed}" failed`);
      try {
        await body();
      } catch (error) {
        failed = name;
        throw error;
      }
    });
}

describe.skipIf(prometheusBinary === undefined || alertmanagerBinary === undefined)(
  'end to end: condition → Prometheus → Alertmanager → bridge → Slack, PagerDuty, action, and back',
  () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ide-monitor-e2e-'));
    const runsFile = path.join(dir, 'action-runs.txt');
    let slack: Sink | undefined;
    let pagerduty: Sink | undefined;
    let grower: MemoryGrower | undefined;
    let exporter: RunningExporter | undefined;
    let alertmanager: RoutedAlertmanager | undefined;
    let prometheus: RunningPrometheus | undefined;
    let traffic: CompletionTraffic | undefined;
    const chain = (): Chain => ({
      prometheus,
      alertmanager,
      exporterUrl: exporter?.url,
      exporterLog: exporter?.process.output,
      bridgeToken: TOKEN,
      slack,
      pagerduty,
      traffic,
      grower,
      runsFile,
      expressions: [
        `${REC.lspErrorRatio}{server="${SERVER}"}`,
        `${REC.lspRequests}{server="${SERVER}"}`,
        `${REC.rssGrowth}{group="${GROUP}"}`,
        `ide_process_resident_memory_bytes{group="${GROUP}"}`,
      ],
    });

    // Filled in as the test goes.
    const started = { lsp: 0, memory: 0 };
    const ended = { lsp: 0, memory: 0 };
    const firing: Record<string, PromAlert> = {};
    const fingerprints: Record<string, string> = {};
    const stage = stages();

    beforeAll(async () => {
      const generated = path.join(dir, 'generated');
      expect(await runGenerate({ outDir: generated, check: false, profile: 'test' }, () => {})).toBe(0);
      const rulesDir = path.join(generated, 'prometheus/rules');
      const ruleFiles = readdirSync(rulesDir).map((f) => path.join(rulesDir, f));

      [slack, pagerduty] = await Promise.all([startSlackSink(), startPagerDutySink()]);

      // Spawned first, so its memory is flat by the time it is first scraped: growth before the test
      // starts the condition would be a false start for the latency figures.
      grower = spawnMemoryGrower(randomUUID());
      await grower.ready();

      const configFile = path.join(dir, 'ide-monitor.yml');
      const action = { exec: { argv: [process.execPath, APPEND_LINE, runsFile] } };
      writeFileSync(
        configFile,
        dump({
          collectors: { process: { groups: [{ name: GROUP, cmdline: grower.cmdlinePattern }] } },
          bridge: {
            retry: { initial_backoff: '200ms', max_backoff: '2s' },
            // Both driven alerts page (critical → PagerDuty critical, high → error) and may run actions.
            routes: [{ match_re: { severity: 'critical|high' }, channels: ['pagerduty', 'slack'], actions: true }],
            actions: {
              definitions: [{ name: ACTION, match: { alertname: LSP_ALERT }, trigger: action, rollback: action, timeout: '10s', cooldown: '5m' }],
            },
          },
        }),
      );
      exporter = await startExporter({
        args: [`--config.file=${configFile}`, '--no-collector.hostinfo'],
        env: {
          IDE_MONITOR_WEBHOOK_TOKEN: TOKEN,
          IDE_MONITOR_SLACK_WEBHOOK_URL: slack.url,
          IDE_MONITOR_PAGERDUTY_EVENTS_URL: pagerduty.url,
          IDE_MONITOR_PAGERDUTY_ROUTING_KEY: ROUTING_KEY,
        },
      });
      alertmanager = await startRoutedAlertmanager({
        binary: alertmanagerBinary!,
        webhookUrl: `${exporter.url}/api/v1/alertmanager/webhook`,
        token: TOKEN,
        alertnames: [LSP_ALERT, MEMORY_ALERT],
      });
      prometheus = await startPrometheus({
        binary: prometheusBinary!,
        scrapeTargets: [`127.0.0.1:${exporter.port}`],
        ruleFiles,
        alertmanagers: [alertmanager.target],
        scrapeInterval: '1s',
        evaluationInterval: '1s',
      });
      traffic = await startCompletionTraffic({ exporterUrl: exporter.url, server: SERVER, dir });
      traffic.pace(TYPING.perTick, TYPING.tickMs);

      // The baseline: healthy completions and a flat process are in Prometheus, recorded, and quiet.
      const p = prometheus;
      await step(
        chain(),
        'the baseline (healthy completions and a flat process) to be recorded by Prometheus',
        async () => {
          const requests = await p.query(`${REC.lspRequests}{server="${SERVER}", method="textDocument/completion"} > 0`);
          const growth = await p.query(`${REC.rssGrowth}{group="${GROUP}"}`);
          const samples = await p.query(`count_over_time(ide_process_resident_memory_bytes{group="${GROUP}"}[1m]) >= 3`);
          return requests.length === 1 && growth.length === 1 && samples.length === 1;
        },
        30_000,
      );
      const early = (await prometheusAlerts(p)).filter((a) => [LSP_ALERT, MEMORY_ALERT].includes(a.labels['alertname'] ?? ''));
      expect(early, 'neither alert may be pending before its condition starts').toEqual([]);
    });

    afterAll(async () => {
      await Promise.allSettled([traffic?.stop(), grower?.stop()]);
      await prometheus?.stop();
      await alertmanager?.stop();
      await exporter?.stop();
      await Promise.allSettled([slack?.stop(), pagerduty?.stop()]);
      rmSync(dir, { recursive: true, force: true });
    });

    stage('fires both alerts in Prometheus, and Alertmanager posts them to the bridge', async () => {
      started.lsp = traffic!.breakCompletions();
      started.memory = (await grower!.grow()).at;

      const p = prometheus!;
      await step(
        chain(),
        `Prometheus to fire ${LSP_ALERT} and ${MEMORY_ALERT}`,
        async () => {
          const alerts = (await prometheusAlerts(p)).filter((a) => a.state === 'firing');
          for (const alert of alerts) firing[alert.labels['alertname'] ?? ''] = alert;
          return firing[LSP_ALERT] !== undefined && firing[MEMORY_ALERT] !== undefined;
        },
        40_000,
      );
      expect(firing[LSP_ALERT]!.labels).toMatchObject({ severity: 'critical', job: 'ide-monitor', server: SERVER, method: 'textDocument/completion' });
      expect(firing[LSP_ALERT]!.annotations['summary']).toBe('A language server answers too many requests with errors.');
      expect(firing[MEMORY_ALERT]!.labels).toMatchObject({ severity: 'high', job: 'ide-monitor', group: GROUP });
      // ALERTS, the series Prometheus writes for every alert, agrees with the rules API.
      expect((await p.query(`ALERTS{alertstate="firing", alertname=~"${LSP_ALERT}|${MEMORY_ALERT}"}`)).length).toBe(2);
      // The error ratio is the one the client saw: every completion after the break failed.
      expect(traffic!.counts().errors['-32603']).toBeGreaterThan(0);

      const am = alertmanager!;
      let listed: AmAlert[] = [];
      await step(
        chain(),
        'Alertmanager to hold both alerts as active',
        async () => {
          listed = (await am.alerts()).filter((a) => a.status.state === 'active' && [LSP_ALERT, MEMORY_ALERT].includes(a.labels['alertname'] ?? ''));
          return listed.length === 2;
        },
        15_000,
      );
      for (const alert of listed) {
        const name = alert.labels['alertname']!;
        // Alertmanager keeps Prometheus' labels as they are; its fingerprint is the hash of exactly those.
        expect(alert.labels).toEqual(firing[name]!.labels);
        expect(alert.fingerprint).toBe(alertFingerprint(firing[name]!.labels));
        fingerprints[name] = alert.fingerprint;
      }

      const exporterUrl = exporter!.url;
      await step(
        chain(),
        'Alertmanager to post both groups to the bridge (bearer token from its credentials file)',
        async () =>
          (await am.metric('alertmanager_notifications_total', { integration: 'webhook' })) >= 2 &&
          (await metricSum(exporterUrl, 'ide_bridge_alerts_received_total', { status: 'firing' })) >= 2,
        15_000,
      );
      expect(await am.metric('alertmanager_notifications_failed_total', { integration: 'webhook' })).toBe(0);
      expect(await metricSum(exporterUrl, 'ide_bridge_webhook_requests_total', { outcome: 'unauthorized' })).toBe(0);
    });

    stage('delivers a formatted Slack message and a PagerDuty trigger per alert, and runs the action once', async () => {
      const s = slack!;
      const pd = pagerduty!;
      await step(
        chain(),
        'the Slack sink to receive both FIRING messages',
        () => slackMessage(s, 'FIRING', LSP_ALERT) !== undefined && slackMessage(s, 'FIRING', MEMORY_ALERT) !== undefined,
        20_000,
      );
      const lspMessage = slackMessage(s, 'FIRING', LSP_ALERT)!;
      expect(lspMessage.body.text).toBe(`[FIRING:1] ${LSP_ALERT} (critical): A language server answers too many requests with errors.`);
      expect(lspMessage.body.attachments[0]!.color).toBe('#E01E5A');
      // The blocks carry the templated description with this server and method.
      expect(JSON.stringify(lspMessage.body.attachments[0]!.blocks)).toMatch(
        new RegExp(`of textDocument/completion requests to ${SERVER} on 127\\.0\\.0\\.1:\\d+ have failed`),
      );
      const memoryMessage = slackMessage(s, 'FIRING', MEMORY_ALERT)!;
      expect(memoryMessage.body.text).toBe(`[FIRING:1] ${MEMORY_ALERT} (high): A process group keeps growing its memory.`);
      expect(JSON.stringify(memoryMessage.body.attachments[0]!.blocks)).toContain(`The resident memory of group ${GROUP} on 127.0.0.1:`);

      const key = (name: string) => `ide-monitor/${fingerprints[name]}`;
      await step(
        chain(),
        'the PagerDuty sink to receive a trigger for each alert, keyed by its fingerprint',
        () => pagerDutyEvents(pd, key(LSP_ALERT), 'trigger').length > 0 && pagerDutyEvents(pd, key(MEMORY_ALERT), 'trigger').length > 0,
        20_000,
      );
      const lspTrigger = pagerDutyEvents(pd, key(LSP_ALERT), 'trigger')[0]!.body;
      expect(lspTrigger).toMatchObject({
        routing_key: ROUTING_KEY,
        payload: { severity: 'critical', class: LSP_ALERT, custom_details: { fingerprint: fingerprints[LSP_ALERT] } },
      });
      expect(lspTrigger.payload!.summary).toMatch(
        new RegExp(`^${LSP_ALERT}: A language server answers too many requests with errors\\. \\(127\\.0\\.0\\.1:\\d+\\)$`),
      );
      expect(pagerDutyEvents(pd, key(MEMORY_ALERT), 'trigger')[0]!.body).toMatchObject({
        routing_key: ROUTING_KEY,
        payload: { severity: 'error', class: MEMORY_ALERT },
      });

      await step(chain(), `the action ${ACTION} to run for ${LSP_ALERT}`, () => actionRuns(runsFile).length > 0, 15_000);
      // Give a duplicate run the chance to show up before counting (the outbox delivers at least once).
      await sleep(1000);
      expect(actionRuns(runsFile)).toEqual([`trigger ${LSP_ALERT} ${fingerprints[LSP_ALERT]}`]);

      const latency = {
        lsp: lspMessage.at - started.lsp,
        memory: memoryMessage.at - started.memory,
      };
      console.info(`e2e latency, condition start → Slack message: ${LSP_ALERT} ${latency.lsp} ms, ${MEMORY_ALERT} ${latency.memory} ms`);
      // Bounded by physics, not by chance: 5 s `for`, 1 s scrapes and evaluations, 1 s group_wait.
      expect(latency.lsp).toBeGreaterThan(5000);
      expect(latency.memory).toBeGreaterThan(5000);
    });

    stage('resolves at PagerDuty and in Slack when the conditions end, and rolls the action back once', async () => {
      ended.lsp = traffic!.repairCompletions();
      traffic!.pace(BURST.perTick, BURST.tickMs);
      const released = await grower!.release();
      ended.memory = released.at;
      expect(released.rssAfter, 'memory-grower gave its memory back').toBeLessThan(released.rssBefore);

      const s = slack!;
      const pd = pagerduty!;
      const key = (name: string) => `ide-monitor/${fingerprints[name]}`;
      try {
        await step(
          chain(),
          'the PagerDuty sink to receive a resolve for each alert',
          () => pagerDutyEvents(pd, key(LSP_ALERT), 'resolve').length > 0 && pagerDutyEvents(pd, key(MEMORY_ALERT), 'resolve').length > 0,
          40_000,
        );
      } finally {
        traffic!.pace(TYPING.perTick, TYPING.tickMs);
      }
      await step(
        chain(),
        'the Slack sink to receive both RESOLVED messages',
        () => slackMessage(s, 'RESOLVED', LSP_ALERT) !== undefined && slackMessage(s, 'RESOLVED', MEMORY_ALERT) !== undefined,
        15_000,
      );
      for (const name of [LSP_ALERT, MEMORY_ALERT]) {
        const message = slackMessage(s, 'RESOLVED', name)!;
        expect(message.body.text).toMatch(new RegExp(`^\\[RESOLVED\\] ${name} \\((critical|high)\\): `));
        expect(message.body.attachments[0]!.color).toBe('#2EB67D');
      }
      await step(chain(), `the rollback of ${ACTION}`, () => actionRuns(runsFile).length >= 2, 15_000);
      await sleep(1000);
      expect(actionRuns(runsFile)).toEqual([`trigger ${LSP_ALERT} ${fingerprints[LSP_ALERT]}`, `rollback ${LSP_ALERT} ${fingerprints[LSP_ALERT]}`]);
      // Exactly one trigger and one resolve per incident reached PagerDuty: nothing lost, nothing doubled.
      for (const name of [LSP_ALERT, MEMORY_ALERT]) {
        expect(pagerDutyEvents(pd, key(name), 'trigger')).toHaveLength(1);
        expect(pagerDutyEvents(pd, key(name), 'resolve')).toHaveLength(1);
      }
      expect(pd.accepted().every((r) => (r.body as { routing_key: string }).routing_key === ROUTING_KEY)).toBe(true);

      const latency = {
        lsp: pagerDutyEvents(pd, key(LSP_ALERT), 'resolve')[0]!.at - ended.lsp,
        memory: pagerDutyEvents(pd, key(MEMORY_ALERT), 'resolve')[0]!.at - ended.memory,
      };
      console.info(`e2e latency, condition end → PagerDuty resolve: ${LSP_ALERT} ${latency.lsp} ms, ${MEMORY_ALERT} ${latency.memory} ms`);
      // Where the time goes, per alert: Prometheus (rate/deriv need samples, then `for`), then delivery.
      for (const [name, kind] of [
        [LSP_ALERT, 'lsp'],
        [MEMORY_ALERT, 'memory'],
      ] as const) {
        const since = (at: number, from: number) => `${((at - from) / 1000).toFixed(1)} s`;
        console.info(
          `e2e ${name}: condition start → pending in Prometheus ${since(Date.parse(firing[name]!.activeAt), started[kind])}` +
            `, → Slack ${since(slackMessage(s, 'FIRING', name)!.at, started[kind])}, → PagerDuty trigger ${since(pagerDutyEvents(pd, key(name), 'trigger')[0]!.at, started[kind])}` +
            `; condition end → PagerDuty resolve ${since(pagerDutyEvents(pd, key(name), 'resolve')[0]!.at, ended[kind])}, → Slack resolved ${since(slackMessage(s, 'RESOLVED', name)!.at, ended[kind])}`,
        );
      }
      console.info(
        `e2e LSP client: ${JSON.stringify(traffic!.counts())}; memory-grower peak RSS ${(released.rssBefore / 2 ** 20).toFixed(0)} MiB, after release ${(released.rssAfter / 2 ** 20).toFixed(0)} MiB`,
      );
    });
  },
);
