import type { Registry } from 'prom-client';
import type { IngestConfig } from '../config/sections/ingest.js';
import { AppMetrics } from './app-metrics.js';
import { InstanceStates } from './instance-state.js';
import { LabelBounds } from './label-bounds.js';
import { LspMetrics } from './lsp-metrics.js';
import { INGEST_VERSION_CONTROL, type IngestBatch, type Observation } from './schema.js';
import { IngestSelfMetrics, OBSERVATION_KINDS } from './self-metrics.js';

export interface IngestSinkOptions {
  readonly registry: Registry;
  readonly config: Pick<IngestConfig, 'max_label_values' | 'allowlists' | 'instance_stale_after' | 'server_retention'>;
  /** Injected by tests to drive expiry. */
  readonly now?: () => number;
}

const REQUEST_DURATION = 'ide_lsp_request_duration_seconds';
const REQUEST_ERRORS = 'ide_lsp_request_errors_total';
const NOTIFICATIONS = 'ide_lsp_notifications_total';
const MESSAGE_BYTES = 'ide_lsp_message_bytes_total';
const SERVER_UP = 'ide_lsp_server_up';
const SERVER_EXITS = 'ide_lsp_server_exits_total';
const SERVER_STARTS = 'ide_lsp_server_starts_total';
const DROPPED = 'ide_lsp_proxy_observations_dropped_total';
const RESTARTS = 'ide_lsp_proxy_restarts_total';
const DISCONNECTS = 'ide_lsp_server_client_disconnects_total';
const BREAKER_OPEN = 'ide_lsp_proxy_breaker_open';
const OPERATION_DURATION = 'ide_app_operation_duration_seconds';
const CACHE_REQUESTS = 'ide_app_cache_requests_total';

/**
 * Turns validated batches into metrics: every outside label bounded on the way in, counters and
 * histograms fed at once, absolute state handed to the per-instance store that the gauges read at scrape
 * time. Holds no I/O, so it is the unit under test for the whole mapping.
 */
export class IngestSink {
  readonly self: IngestSelfMetrics;
  readonly states: InstanceStates;
  private readonly labels: LabelBounds;
  private readonly lsp: LspMetrics;
  private readonly app: AppMetrics;
  private readonly kindCounts = new Map<string, number>(OBSERVATION_KINDS.map((k) => [k, 0]));

  constructor(options: IngestSinkOptions) {
    const { registry, config } = options;
    this.self = new IngestSelfMetrics(registry);
    this.labels = new LabelBounds(config, (metric) => this.self.overflowed(metric));
    this.states = new InstanceStates({
      staleAfterMs: config.instance_stale_after,
      retentionMs: config.server_retention,
      ...(options.now !== undefined && { now: options.now }),
    });
    this.lsp = new LspMetrics(registry, this.states);
    this.app = new AppMetrics(registry);
  }

  /**
   * Applies one accepted batch. `fallbackInstance` keys the state of a batch that names no instance
   * (e.g. `remote:127.0.0.1`), so such state is still replaced and expired rather than summed forever.
   */
  apply(batch: IngestBatch, fallbackInstance: string): void {
    // A version 2 reporter executes control commands (control.ts routes them by instance).
    if (batch.instance !== undefined) this.states.heartbeat(batch.instance, batch.version === INGEST_VERSION_CONTROL);
    const instance = batch.instance ?? fallbackInstance;
    const counts = this.kindCounts;
    for (const kind of OBSERVATION_KINDS) counts.set(kind, 0);
    for (const o of batch.observations) {
      this.applyOne(o, instance);
      counts.set(o.kind, (counts.get(o.kind) ?? 0) + 1);
    }
    for (const [kind, n] of counts) this.self.observed(kind, n);
    this.self.batch('accepted');
  }

  private applyOne(o: Observation, instance: string): void {
    const l = this.labels;
    switch (o.kind) {
      case 'lsp_request': {
        const server = l.server(o.server, REQUEST_DURATION);
        const method = l.method(o.method, REQUEST_DURATION);
        this.lsp.requestDuration.cell(server, method, o.outcome).observe(o.duration_seconds);
        // Any response that carried an error counts, by code: a cancelled request answered with
        // -32800 shows up as such, and an error without a reported code as "unknown".
        if (o.outcome === 'error' || o.error_code !== undefined) {
          this.lsp.requestErrors.cell(server, method, l.errorCode(o.error_code, REQUEST_ERRORS)).inc();
        }
        return;
      }
      case 'lsp_notification': {
        const server = l.server(o.server, NOTIFICATIONS);
        this.lsp.notifications.cell(server, l.method(o.method, NOTIFICATIONS), o.direction).inc(o.count);
        return;
      }
      case 'lsp_bytes':
        this.lsp.messageBytes.cell(l.server(o.server, MESSAGE_BYTES), o.direction).inc(o.bytes);
        return;
      case 'lsp_server': {
        if (o.event === 'start') {
          const server = l.server(o.server, SERVER_STARTS);
          this.lsp.serverStarts.cell(server).inc();
          this.states.started(instance, o.server, server);
        } else if (o.cause === 'client_disconnect') {
          // The editor went away first: whatever the code, nothing is broken and nobody should be paged.
          const server = l.server(o.server, DISCONNECTS);
          this.lsp.clientDisconnects.cell(server).inc();
          this.states.exited(instance, o.server, server, true);
        } else {
          const server = l.server(o.server, SERVER_EXITS);
          const code = l.exitCode(o.code, SERVER_EXITS);
          this.lsp.serverExits.cell(server, code).inc();
          this.states.exited(instance, o.server, server, code === '0');
        }
        return;
      }
      case 'lsp_state': {
        const server = l.server(o.server, SERVER_UP);
        const breakers = o.breakers?.map((b) => l.breaker(b, BREAKER_OPEN));
        const kept = this.states.report(instance, o.server, server, {
          up: o.up,
          inFlight: o.in_flight,
          diagnostics: o.diagnostics,
          breakers,
          oldestInFlightSeconds: o.oldest_in_flight_seconds ?? 0,
        });
        if (!kept) this.self.overflowed(SERVER_UP);
        return;
      }
      case 'lsp_dropped':
        this.lsp.observationsDropped.cell(l.server(o.server, DROPPED)).inc(o.count);
        return;
      case 'lsp_restart':
        this.lsp.restarts.cell(l.server(o.server, RESTARTS), o.reason).inc();
        return;
      case 'operation':
        this.app.operationDuration.cell(l.operation(o.operation, OPERATION_DURATION), o.outcome).observe(o.duration_seconds);
        return;
      case 'cache':
        this.app.cacheRequests.cell(l.cache(o.cache, CACHE_REQUESTS), o.result).inc(o.count);
        return;
    }
  }
}
