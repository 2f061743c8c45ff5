// `npm run soak -- --minutes N`: the exporter, proxy and bridge under steady load for N minutes, then a
// sequence of faults, then a drain that checks no alert was lost. Writes soak/results/latest.md and
// latest.json; exits 1 when a fault's outcome or the final delivery check fails. See soak/README.md.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../tests/support/ports.mjs';
import { ALERTMANAGER_BINARY, dataDisk, startAlertmanager, startServe, startSlackSink } from './components.mjs';
import { startEditor } from './editor.mjs';
import { startAlertStream } from './alert-stream.mjs';
import { startMonitor } from './monitor.mjs';
import { diskFull, drainAlerts, killBridge, killLanguageServer, restartExporterUnderProxy, slackDown } from './faults.mjs';
import { markdown, steadyFigures } from './report.mjs';

const OPTIONS = {
  editorRate: 50,
  alertRate: 2,
  alertLifetimeMs: 30_000,
  /** Small on purpose, so a few seconds of exporter outage overflow it and the drop path is exercised. */
  maxBuffered: 200,
  diskMb: 256,
};

function parse() {
  const { values } = parseArgs({
    options: { minutes: { type: 'string', default: '5' }, 'fault-seconds': { type: 'string', default: '10' }, out: { type: 'string' } },
  });
  const minutes = Number(values.minutes);
  const faultSeconds = Number(values['fault-seconds']);
  if (!(minutes > 0)) throw new Error(`--minutes must be a positive number, got "${values.minutes}"`);
  if (!(faultSeconds > 0)) throw new Error(`--fault-seconds must be a positive number, got "${values['fault-seconds']}"`);
  const out = values.out === undefined ? fileURLToPath(new URL('results/', import.meta.url)) : path.resolve(values.out);
  return { minutes, holdMs: faultSeconds * 1000, out };
}

/** On a failed check: the outbox database and the last words of serve and Alertmanager, for a post-mortem. */
function keepEvidence(resultsDir, ctx, am) {
  const dir = path.join(resultsDir, 'failed');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const name of readdirSync(ctx.disk.dir)) if (name.startsWith('bridge.sqlite')) copyFileSync(path.join(ctx.disk.dir, name), path.join(dir, name));
  writeFileSync(path.join(dir, 'serve.stderr'), ctx.serve?.output() ?? '');
  writeFileSync(path.join(dir, 'alertmanager.stderr'), am.output());
  log(`kept the outbox and logs in ${dir}`);
}

const log = (message) => console.error(`soak ${new Date().toISOString().slice(11, 19)} ${message}`);
const loadavg = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

async function main() {
  const { minutes, holdMs, out: dir } = parse();
  const startedAt = new Date().toISOString();
  const load = { start: loadavg() };
  const workDir = mkdtempSync(path.join(tmpdir(), 'ide-monitor-soak-'));
  const disk = dataDisk(OPTIONS.diskMb);
  if (!disk.mounted) log(`cannot mount a tmpfs for the data directory (${disk.reason}); the disk-full fault will not run`);
  const [servePort, sinkPort] = [await freePort(), await freePort()];
  const exporterUrl = `http://127.0.0.1:${servePort}`;
  let phase = 'steady';
  const roundTrips = new Map();
  const cleanups = [];

  const ctx = {
    options: OPTIONS,
    disk,
    roundTrips,
    setPhase: (name) => (phase = name),
    serve: undefined,
    editor: undefined,
    async startServe() {
      ctx.serve = await startServe({ port: servePort, dataDir: disk.dir, slackUrl: ctx.sink.url, configDir: workDir });
    },
    async startEditor() {
      const record = (outcome) => {
        if (!roundTrips.has(phase)) roundTrips.set(phase, []);
        roundTrips.get(phase).push(outcome);
      };
      ctx.editor = await startEditor({ exporterUrl, maxBuffered: OPTIONS.maxBuffered, ratePerSec: OPTIONS.editorRate, record });
    },
  };

  try {
    if (!existsSync(ALERTMANAGER_BINARY)) throw new Error(`${ALERTMANAGER_BINARY} is missing: apt-get install -y prometheus-alertmanager`);
    ctx.sink = await startSlackSink(sinkPort);
    cleanups.push(() => ctx.sink.stop());
    await ctx.startServe();
    cleanups.push(() => ctx.serve?.stop());
    const am = await startAlertmanager({ webhookUrl: `${exporterUrl}/api/v1/alertmanager/webhook` });
    cleanups.push(() => am.stop());
    await ctx.startEditor();
    cleanups.push(() => ctx.editor?.stop());
    ctx.monitor = startMonitor({
      metricsUrl: `${exporterUrl}/metrics`,
      exporterPid: () => (ctx.serve?.exitReason() === undefined ? ctx.serve?.pid : undefined),
      proxyPid: () => (ctx.editor?.proxy.exitCode === null ? ctx.editor.proxy.pid : undefined),
      phase: () => phase,
    });
    cleanups.push(() => ctx.monitor.stop());
    ctx.stream = startAlertStream({ alertmanagerUrl: am.url, ratePerSec: OPTIONS.alertRate, lifetimeMs: OPTIONS.alertLifetimeMs });

    const steadyMs = minutes * 60_000;
    log(`steady load for ${minutes} min (exporter ${exporterUrl}, Alertmanager ${am.url})`);
    for (let elapsed = 0; elapsed < steadyMs; elapsed += 10_000) {
      await sleep(Math.min(10_000, steadyMs - elapsed));
      const last = ctx.monitor.samples.at(-1);
      if (last)
        log(
          `${Math.round((elapsed + 10_000) / 1000)} s: exporter RSS ${last.exporterRssMb.toFixed(1)} MB, heap ${last.heapMb.toFixed(1)} MB, loop lag p99 ${last.lagP99Ms.toFixed(1)} ms, proxy RSS ${last.proxyRssMb.toFixed(1)} MB`,
        );
    }
    const figures = steadyFigures({ samples: ctx.monitor.samples, scrapes: ctx.monitor.scrapes, roundTrips, steadyMs });
    ctx.steadyRoundTripP99 = figures.roundTripP99;

    phase = 'faults';
    const faults = [];
    for (const [name, inject] of [
      ['bridge SIGKILL', () => killBridge(ctx)],
      ['Slack down', () => slackDown(ctx, holdMs)],
      ['language server killed', () => killLanguageServer(ctx)],
      ['exporter restart under the proxy', () => restartExporterUnderProxy(ctx, holdMs)],
      ['disk full', () => diskFull(ctx, holdMs)],
    ]) {
      log(`fault: ${name}`);
      const outcome = await inject();
      log(`  ${outcome.ok === undefined ? 'not run' : outcome.ok ? 'ok' : 'FAILED'}: ${outcome.observed}`);
      faults.push(outcome);
    }

    phase = 'drain';
    log('resolving every alert and waiting for Slack to have them all');
    await ctx.stream.finish(5000);
    const drain = await drainAlerts(ctx);
    const final = {
      alerts: ctx.stream.posted.size,
      expected: drain.expected,
      delivered: drain.expected - drain.missing.length,
      missing: drain.missing,
      duplicates: ctx.sink.duplicates(),
      unparsed: ctx.sink.unparsed,
      rejected: ctx.sink.rejected,
      postFailures: ctx.stream.postFailures,
    };
    load.end = loadavg();
    const report = markdown({ startedAt, minutes, options: OPTIONS, figures, faults, final, loadavg: load });
    const ok = faults.every((x) => x.ok !== false) && final.missing.length === 0;
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'latest.md'), report);
    // The steady phase's samples too: the growth figures are fits to this curve, and a sawing GC or a
    // buffer still filling shows in the curve where a single slope hides it.
    const columns = ['exporterRssMb', 'exporterAnonMb', 'heapMb', 'heapTotalMb', 'proxyRssMb'];
    const samples = ctx.monitor.samples.filter((s) => s.phase === 'steady').map((s) => [s.t, ...columns.map((k) => Math.round(s[k] * 10) / 10)]);
    writeFileSync(
      path.join(dir, 'latest.json'),
      `${JSON.stringify({ ok, minutes, figures, faults, final, samples_columns: ['t', ...columns], samples }, null, 2)}\n`,
    );
    console.log(report);
    log(`written to ${path.join(dir, 'latest.md')} and latest.json; ${ok ? 'every check passed' : 'SOME CHECKS FAILED'}`);
    process.exitCode = ok ? 0 : 1;
    if (!ok) keepEvidence(dir, ctx, am);
  } finally {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        log(`cleanup: ${error.message}`);
      }
    }
    disk.cleanup();
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
