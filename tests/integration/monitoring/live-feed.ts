import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dump } from 'js-yaml';
import type { ObservationInput } from '../../../src/ingest/schema.js';
import { IngestReporter, type ReporterStats } from '../../../src/lsp/reporter.js';

/**
 * What the live monitoring test feeds a real `ide-monitor serve` so every panel of the generated dashboards
 * has something to show: LSP and application observations through the ingestion API (sent by the real
 * client, IngestReporter), a process group that matches the exporter itself, and Alertmanager webhook
 * payloads that the bridge delivers to a local webhook sink and answers with an exec action.
 */

/** The process group that matches the exporter under test, and only it. */
export const SELF_GROUP = 'live-exporter';
/** The bridge action that runs `true` for every alert routed to actions. */
export const NOOP_ACTION = 'live-noop';
/** A healthy language server, reported on every batch. */
export const SERVER = 'tsserver';
/** A language server that started and crashed (exit 1): `ide_lsp_server_up` 0, IdeLspServerDown fires. */
export const CRASHED_SERVER = 'pyright';
/** A method outside the LSP specification: folds into "other" and counts in ide_ingest_label_overflow_total. */
const NON_SPEC_METHOD = 'custom/experimentalHint';

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Writes the exporter's `--config.file` into `dir` and returns the argument. The process group matches
 * `dist/cli.js serve` followed by this file's path: the directory comes from mkdtemp, so no other process on
 * a shared machine (another test's exporter included) has it on its command line.
 */
export function writeExporterConfig(dir: string, webhookSinkUrl: string): string {
  const file = join(dir, 'exporter.yml');
  const config = {
    collectors: { process: { groups: [{ name: SELF_GROUP, cmdline: `dist/cli\\.js serve .*--config\\.file=${escapeRegex(file)}` }] } },
    bridge: {
      enabled: true,
      channels: { webhook: { url: webhookSinkUrl, timeout: '5s' } },
      // The fixtures' alerts are critical: to the webhook channel and to actions, nothing else.
      routes: [{ match: { severity: 'critical' }, channels: ['webhook'], actions: true }],
      actions: {
        dry_run: false,
        definitions: [{ name: NOOP_ACTION, trigger: { exec: { argv: ['true'] } }, timeout: '5s', cooldown: '1m' }],
      },
    },
  };
  writeFileSync(file, dump(config));
  return `--config.file=${file}`;
}

/** Observations sent once, at the start: the servers' lifecycle and an initial (zero) drop count. */
function lifecycle(): ObservationInput[] {
  return [
    { kind: 'lsp_server', server: SERVER, event: 'start' },
    { kind: 'lsp_server', server: CRASHED_SERVER, event: 'start' },
    { kind: 'lsp_server', server: CRASHED_SERVER, event: 'exit', code: 1 },
    { kind: 'lsp_dropped', server: SERVER, count: 0 },
  ];
}

/**
 * One flush interval's worth of traffic: counter deltas and histogram events, sent on every batch so that
 * rates (and the recording rules' histogram quantiles) see increases, not only series.
 */
function traffic(tick: number): ObservationInput[] {
  const request = (
    method: string,
    outcome: 'ok' | 'error' | 'cancelled',
    seconds: number,
    extra: Partial<{ error_code: number; direction: 'client_to_server' | 'server_to_client' }> = {},
  ): ObservationInput => ({
    kind: 'lsp_request',
    server: SERVER,
    method,
    outcome,
    duration_seconds: seconds,
    ...extra,
  });
  return [
    request('textDocument/completion', 'ok', 0.012),
    request('textDocument/completion', 'ok', 0.035),
    request('textDocument/completion', 'ok', 0.08),
    request('textDocument/completion', 'error', 0.2, { error_code: -32603 }),
    request('textDocument/completion', 'cancelled', 0.05, { error_code: -32800 }),
    request('textDocument/hover', 'ok', 0.004),
    request('textDocument/hover', 'ok', 0.006),
    request('textDocument/definition', 'ok', 0.02),
    request('textDocument/definition', 'error', 0.03),
    request('workspace/configuration', 'ok', 0.002, { direction: 'server_to_client' }),
    request(NON_SPEC_METHOD, 'ok', 0.01),
    { kind: 'lsp_notification', server: SERVER, method: 'textDocument/didChange', direction: 'client_to_server', count: 5 },
    { kind: 'lsp_notification', server: SERVER, method: 'textDocument/publishDiagnostics', direction: 'server_to_client', count: 2 },
    { kind: 'lsp_bytes', server: SERVER, direction: 'client_to_server', bytes: 4096 },
    { kind: 'lsp_bytes', server: SERVER, direction: 'server_to_client', bytes: 16_384 },
    // A proxy reports drops only when it had to drop; now and then here.
    ...(tick % 4 === 3 ? [{ kind: 'lsp_dropped', server: SERVER, count: 2 } as const] : []),
    { kind: 'operation', operation: 'ui_refresh', outcome: 'ok', duration_seconds: 0.03 },
    { kind: 'operation', operation: 'ui_refresh', outcome: 'ok', duration_seconds: 0.045 },
    { kind: 'operation', operation: 'ui_refresh', outcome: 'error', duration_seconds: 0.12 },
    { kind: 'operation', operation: 'index_update', outcome: 'ok', duration_seconds: 0.4 },
    { kind: 'cache', cache: 'symbols', result: 'hit', count: 8 },
    { kind: 'cache', cache: 'symbols', result: 'miss', count: 2 },
    { kind: 'cache', cache: 'completions', result: 'hit', count: 3 },
    { kind: 'cache', cache: 'completions', result: 'miss', count: 3 },
  ];
}

export interface IngestFeed {
  stats(): ReporterStats;
  /** Warnings the reporter logged (refused batches, unreachable exporter). */
  readonly warnings: string[];
  close(): Promise<ReporterStats>;
}

/** Starts an IngestReporter that sends `traffic()` plus the healthy server's state every `everyMs`. */
export function startIngestFeed(exporterUrl: string, everyMs = 500): IngestFeed {
  const warnings: string[] = [];
  let tick = 0;
  const reporter = new IngestReporter({
    url: exporterUrl,
    instance: `live-test:${process.pid}`,
    flushIntervalMs: everyMs,
    collect: () => traffic(tick++),
    state: () => ({
      kind: 'lsp_state',
      server: SERVER,
      up: true,
      in_flight: { client_to_server: 2, server_to_client: 1 },
      diagnostics: { error: 1, warning: 3, information: 0, hint: 2 },
    }),
    logger: { warn: (message) => warnings.push(message) },
  });
  for (const observation of lifecycle()) reporter.record(observation);
  return { stats: () => reporter.stats(), warnings, close: () => reporter.close() };
}

const FIXTURES = fileURLToPath(new URL('../../fixtures/alertmanager/', import.meta.url));

/** Posts a captured Alertmanager v4 payload to the bridge's webhook; resolves to the HTTP status. */
export async function postAlertmanagerFixture(exporterUrl: string, fixture: string): Promise<number> {
  const body = readFileSync(join(FIXTURES, `${fixture}.json`), 'utf8');
  const response = await fetch(`${exporterUrl}/api/v1/alertmanager/webhook`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body,
  });
  await response.arrayBuffer();
  return response.status;
}
