import { Gauge, type Registry } from 'prom-client';
import { CellCounter, CellHistogram } from './cells.js';
import { SEVERITIES, type InstanceStates, type ServerGauges } from './instance-state.js';

/** 1 ms … 10 s: from a cached hover to a cold workspace-wide search (see research/measurements.md). */
export const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The `ide_lsp_*` metrics of the contract (shared/METRICS.md). Counters and the histogram are fed as
 * observations arrive; the three gauges are computed from the per-instance state at scrape time, so an
 * instance that expired between two scrapes is already gone from the next one.
 */
export class LspMetrics {
  readonly requestDuration: CellHistogram<'server' | 'method' | 'outcome'>;
  readonly requestErrors: CellCounter<'server' | 'method' | 'code'>;
  readonly notifications: CellCounter<'server' | 'method' | 'direction'>;
  readonly messageBytes: CellCounter<'server' | 'direction'>;
  readonly serverStarts: CellCounter<'server'>;
  readonly serverExits: CellCounter<'server' | 'code'>;
  readonly observationsDropped: CellCounter<'server'>;
  readonly clientDisconnects: CellCounter<'server'>;
  readonly restarts: CellCounter<'server' | 'reason'>;

  constructor(registry: Registry, states: InstanceStates) {
    this.requestDuration = new CellHistogram({
      name: 'ide_lsp_request_duration_seconds',
      help: 'Time from an LSP request to its response, by server, method (LSP specification names; others fold into "other") and outcome.',
      labelNames: ['server', 'method', 'outcome'],
      buckets: DURATION_BUCKETS,
      registry,
    });
    this.requestErrors = new CellCounter({
      name: 'ide_lsp_request_errors_total',
      help: 'LSP responses carrying a JSON-RPC error, by server, method and error code ("unknown" when none was reported).',
      labelNames: ['server', 'method', 'code'],
      registry,
    });
    this.notifications = new CellCounter({
      name: 'ide_lsp_notifications_total',
      help: 'LSP notifications by server, method and direction.',
      labelNames: ['server', 'method', 'direction'],
      registry,
    });
    this.messageBytes = new CellCounter({
      name: 'ide_lsp_message_bytes_total',
      help: 'Bytes of LSP messages (headers and bodies) by server and direction.',
      labelNames: ['server', 'direction'],
      registry,
    });
    this.serverStarts = new CellCounter({ name: 'ide_lsp_server_starts_total', help: 'Language server process starts.', labelNames: ['server'], registry });
    this.serverExits = new CellCounter({
      name: 'ide_lsp_server_exits_total',
      help: 'Language server process exits by exit code (0 is a clean exit; a signal name when killed; "unknown" when not reported).',
      labelNames: ['server', 'code'],
      registry,
    });
    this.observationsDropped = new CellCounter({
      name: 'ide_lsp_proxy_observations_dropped_total',
      help: 'Observations an LSP proxy dropped instead of reporting (its buffer was full while the exporter was unreachable).',
      labelNames: ['server'],
      registry,
    });

    this.clientDisconnects = new CellCounter({
      name: 'ide_lsp_server_client_disconnects_total',
      help: 'Language server exits after the editor went away (closed stdin or stdout, e.g. killed): not crashes, so not in ide_lsp_server_exits_total.',
      labelNames: ['server'],
      registry,
    });
    this.restarts = new CellCounter({
      name: 'ide_lsp_proxy_restarts_total',
      help: 'Server processes an LSP proxy replaced under a live editor session, by reason: command (control channel: an alert action or the manual API) or crash (--restart-on-crash).',
      labelNames: ['server', 'reason'],
      registry,
    });

    // The gauges: rebuilt from the live instances on every scrape.
    stateGauge(registry, states, {
      name: 'ide_lsp_server_up',
      help: 'Whether a language server runs: 1 if any live reporting instance has it up; 0 while down, kept for the configured retention after its last instance went away abnormally.',
      labelNames: ['server'],
      fill: (gauge, server, g) => gauge.set({ server }, g.up),
    });
    stateGauge(registry, states, {
      name: 'ide_lsp_requests_in_flight',
      help: 'LSP requests awaiting a response, summed over the live reporting instances, by server and direction.',
      labelNames: ['server', 'direction'],
      fill: (gauge, server, g) => {
        if (!g.live) return;
        gauge.set({ server, direction: 'client_to_server' }, g.inFlight.client_to_server);
        gauge.set({ server, direction: 'server_to_client' }, g.inFlight.server_to_client);
      },
    });
    stateGauge(registry, states, {
      name: 'ide_lsp_oldest_inflight_request_age_seconds',
      help: 'Seconds the oldest editor-to-server request still waiting for its answer has waited, the longest over the live reporting instances, by server (0 when none).',
      labelNames: ['server'],
      fill: (gauge, server, g) => {
        if (g.live) gauge.set({ server }, g.oldestInFlightSeconds);
      },
    });
    stateGauge(registry, states, {
      name: 'ide_lsp_diagnostics',
      help: 'Current diagnostics over all open documents, summed over the live reporting instances, by server and severity.',
      labelNames: ['server', 'severity'],
      fill: (gauge, server, g) => {
        if (g.live) for (const severity of SEVERITIES) gauge.set({ server, severity }, g.diagnostics[severity]);
      },
    });
    stateGauge(registry, states, {
      name: 'ide_lsp_proxy_breaker_open',
      help: 'Live LSP proxies whose circuit breaker for this method pattern is open (requests answered at once with RequestFailed), by server and method pattern; absent when none is open.',
      labelNames: ['server', 'method'],
      fill: (gauge, server, g) => {
        for (const [method, n] of g.breakers) gauge.set({ server, method }, n);
      },
    });
  }
}

/**
 * A gauge computed at scrape time from the per-server state: emptied, then `fill` sets each server's
 * current values, so a server no live instance reports any more is gone from the next scrape.
 */
function stateGauge<L extends string>(
  registry: Registry,
  states: InstanceStates,
  gauge: {
    readonly name: string;
    readonly help: string;
    readonly labelNames: readonly L[];
    readonly fill: (gauge: Gauge<L>, server: string, state: ServerGauges) => void;
  },
): void {
  const { fill, ...metric } = gauge;
  new Gauge<L>({
    ...metric,
    registers: [registry],
    collect() {
      this.reset();
      for (const [server, state] of states.snapshot()) fill(this, server, state);
    },
  });
}
