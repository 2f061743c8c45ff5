// The faults a soak injects, one after another, each judged by what the user would see: alerts that never
// reach Slack, an editor that stalls, a proxy that exits wrong, an exporter that stops answering.
// `ctx` is the soak's running state (see run.mjs): the current serve and editor, the sink, the disk, the
// alert stream, the monitor, the phase setter and the per-phase editor round trips.
import { setTimeout as sleep } from 'node:timers/promises';
import { percentile } from '../bench/support.mjs';
import { waitFor } from '../tests/support/ports.mjs';
import { SERVER_NAME } from './editor.mjs';
import { sumOf } from './monitor.mjs';

const DRAIN_TIMEOUT_MS = 90_000;
/**
 * The editor stalls when the outage's p99 round trip exceeds this or twice the steady phase's p99,
 * whichever is larger: a loaded CI machine has slow round trips with or without an outage.
 */
const STALL_P99_MS = 50;

/**
 * Polls `condition` every 200 ms (a throw counts as not yet); resolves with the milliseconds it took, or
 * undefined after `timeoutMs`: a fault's outcome is reported, not thrown.
 */
export async function waitUntil(condition, timeoutMs) {
  const started = Date.now();
  try {
    await waitFor('a soak condition', condition, timeoutMs, 200);
  } catch {
    return undefined;
  }
  return Date.now() - started;
}

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

/** Waits until every alert posted so far has reached Slack firing (and resolved, for those already resolved). */
export async function drainAlerts(ctx, timeoutMs = DRAIN_TIMEOUT_MS) {
  const expected = [];
  for (const [seq, entry] of ctx.stream.posted) {
    expected.push(`${seq}|firing`);
    if (entry.resolvedAt !== undefined) expected.push(`${seq}|resolved`);
  }
  const missing = () => expected.filter((key) => !ctx.sink.received.has(key));
  const backlog = missing().length;
  const ms = await waitUntil(() => missing().length === 0, timeoutMs);
  return { expected: expected.length, backlog, ms, missing: ms === undefined ? missing() : [] };
}

const drainedText = (drain) =>
  drain.ms === undefined
    ? `${drain.missing.length} of ${drain.expected} Slack messages still missing after ${seconds(DRAIN_TIMEOUT_MS)}: ${drain.missing.slice(0, 5).join(', ')}`
    : `all ${drain.expected} Slack messages due so far delivered (backlog ${drain.backlog}, drained in ${seconds(drain.ms)})`;

async function counter(ctx, name, labels) {
  const values = await ctx.monitor.fresh();
  return values === undefined ? undefined : sumOf(values, name, labels);
}

export async function killBridge(ctx) {
  ctx.serve.child.kill('SIGKILL');
  await ctx.serve.exited;
  const down = Date.now();
  await ctx.startServe();
  const restartMs = Date.now() - down;
  const drain = await drainAlerts(ctx);
  return {
    fault: 'bridge SIGKILLed, then restarted on the same outbox',
    expected: 'no notification lost: every alert Alertmanager holds reaches Slack (duplicates allowed, counted)',
    observed: `back up in ${seconds(restartMs)}; ${drainedText(drain)}; duplicates at Slack so far: ${ctx.sink.duplicates()}`,
    ok: drain.ms !== undefined,
  };
}

export async function slackDown(ctx, holdMs) {
  const retriedBefore = await counter(ctx, 'ide_bridge_notifications_total', { channel: 'slack', outcome: 'retried' });
  await ctx.sink.down();
  await sleep(holdMs);
  const retried = (await counter(ctx, 'ide_bridge_notifications_total', { channel: 'slack', outcome: 'retried' })) - retriedBefore;
  await ctx.sink.up();
  const drain = await drainAlerts(ctx);
  return {
    fault: `Slack sink down (connection refused) for ${seconds(holdMs)}`,
    expected: 'deliveries retried while down, everything delivered after',
    observed: `${retried} Slack attempts failed and were scheduled again while down; ${drainedText(drain)}`,
    ok: retried > 0 && drain.ms !== undefined,
  };
}

export async function killLanguageServer(ctx) {
  const pid = ctx.editor.serverPid();
  process.kill(pid, 'SIGKILL');
  const exit = await Promise.race([ctx.editor.exited, sleep(15_000, 'timeout')]);
  await ctx.editor.stop();
  const exitedAs = exit === 'timeout' ? 'did not exit within 15 s' : `exited with ${exit.signal ?? `code ${exit.code}`}`;
  // The proxy reports the exit before it exits; the exporter keeps the server down (abnormal exit).
  const reported = await waitUntil(async () => {
    const values = await ctx.monitor.fresh();
    return (
      values !== undefined &&
      sumOf(values, 'ide_lsp_server_exits_total', { server: SERVER_NAME, code: 'SIGKILL' }) >= 1 &&
      sumOf(values, 'ide_lsp_server_up', { server: SERVER_NAME }) === 0
    );
  }, 10_000);
  await ctx.startEditor();
  const backUp = await waitUntil(async () => (await counter(ctx, 'ide_lsp_server_up', { server: SERVER_NAME })) === 1, 15_000);
  return {
    fault: 'language server SIGKILLed under the proxy',
    expected: 'the proxy exits as the server did (137 = 128 + SIGKILL) and the exporter shows the exit; a new proxy reports the server up again',
    observed: `proxy ${exitedAs}; exporter ${reported === undefined ? 'did NOT show' : 'shows'} ide_lsp_server_exits_total{code="SIGKILL"} and ide_lsp_server_up 0; restarted editor ${backUp === undefined ? 'NOT seen up' : `seen up after ${seconds(backUp)}`}`,
    ok: exit !== 'timeout' && exit.code === 137 && reported !== undefined && backUp !== undefined,
  };
}

export async function restartExporterUnderProxy(ctx, holdMs) {
  ctx.setPhase('exporter-down');
  await ctx.serve.stop();
  await sleep(holdMs);
  ctx.setPhase('faults');
  await ctx.startServe();
  // Its counters start from zero: any drop the proxy reports now happened during the outage.
  const reported = await waitUntil(async () => (await counter(ctx, 'ide_lsp_proxy_observations_dropped_total', { server: SERVER_NAME })) > 0, 20_000);
  const dropped = await counter(ctx, 'ide_lsp_proxy_observations_dropped_total', { server: SERVER_NAME });
  const trips = ctx.roundTrips.get('exporter-down') ?? [];
  const times = trips.filter((x) => typeof x === 'number');
  const stalls = trips.length - times.length;
  const p99 = percentile(times, 99);
  const alive = ctx.editor.proxy.exitCode === null && ctx.editor.proxy.signalCode === null;
  const stallMs = Math.max(STALL_P99_MS, 2 * ctx.steadyRoundTripP99);
  return {
    fault: `exporter stopped for ${seconds(holdMs)} under a running proxy (buffer bound ${ctx.options.maxBuffered})`,
    expected: `the editor never stalls (no timeout, p99 < ${stallMs.toFixed(0)} ms: 50 ms or twice the steady p99), the proxy keeps running, drops beyond its bound and reports the count when the exporter is back`,
    observed: `${times.length} editor round trips during the outage, ${stalls} timed out or failed, p99 ${p99.toFixed(2)} ms, max ${Math.max(...times).toFixed(2)} ms; proxy ${alive ? 'still running' : 'EXITED'}; ide_lsp_proxy_observations_dropped_total ${reported === undefined ? 'not reported within 20 s' : `= ${dropped} after the restart`}`,
    ok: times.length > 0 && stalls === 0 && p99 < stallMs && alive && reported !== undefined,
  };
}

export async function diskFull(ctx, holdMs) {
  const fault = 'data directory full (ENOSPC on a size-limited tmpfs)';
  const expected = 'the webhook answers 503 so Alertmanager retries; /metrics keeps answering; everything is delivered once space returns';
  if (!ctx.disk.mounted) return { fault, expected, observed: `not run: cannot mount a tmpfs (${ctx.disk.reason})`, ok: undefined };
  const before = await counter(ctx, 'ide_bridge_webhook_requests_total', { outcome: 'unavailable' });
  const firstScrape = ctx.monitor.scrapes.length;
  const filled = ctx.disk.fill();
  // SQLite keeps writing into WAL space it already owns, so the first refusal comes when that runs out.
  const refusedAfter = await waitUntil(async () => (await counter(ctx, 'ide_bridge_webhook_requests_total', { outcome: 'unavailable' })) > before, 60_000);
  if (refusedAfter !== undefined) await sleep(holdMs);
  const refused = (await counter(ctx, 'ide_bridge_webhook_requests_total', { outcome: 'unavailable' })) - before;
  const whileFull = ctx.monitor.scrapes.slice(firstScrape);
  const scrapesOk = whileFull.filter((s) => s.ok).length;
  const alive = ctx.serve.exitReason() === undefined;
  ctx.disk.free();
  if (!alive) await ctx.startServe();
  const drain = await drainAlerts(ctx);
  return {
    fault,
    expected,
    observed:
      `${(filled / 2 ** 20).toFixed(1)} MiB filler; ${refusedAfter === undefined ? 'NO 503 within 60 s' : `first 503 after ${seconds(refusedAfter)}`}, ${Number.isNaN(refused) ? '?' : refused} webhook calls answered 503; ` +
      `${scrapesOk}/${whileFull.length} scrapes answered while full; serve ${alive ? 'stayed up' : 'CRASHED (restarted)'}; after freeing: ${drainedText(drain)}`,
    ok: refusedAfter !== undefined && alive && scrapesOk === whileFull.length && drain.ms !== undefined,
  };
}
