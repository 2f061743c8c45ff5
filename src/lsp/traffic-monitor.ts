import { performance } from 'node:perf_hooks';
import { MAX_SECONDS, NAME_MAX_LENGTH } from '../ingest/limits.js';
import type { ObservationInput } from '../ingest/schema.js';
import { DiagnosticsTracker } from './diagnostics.js';
import { MessageFramer } from './framing.js';
import { describeParsed, scanHead, scanMessage, type ScannedMessage } from './json-scan.js';
import { foldMethod } from './methods.js';
import { DIRECTIONS, opposite, PendingRequests, type Direction } from './pending-requests.js';

/** Distinct notification methods aggregated per flush before the rest folds into `other`. */
const MAX_NOTIFICATION_KEYS = 1_000;
const REQUEST_CANCELLED = -32800;

/** The only notifications whose params the proxy reads; they are rare and small, so they are parsed fully. */
const PARSE_PARAMS_OF: ReadonlySet<string> = new Set(['$/cancelRequest', 'textDocument/publishDiagnostics', 'textDocument/didClose']);

interface MonitorLogger {
  warn(message: string): void;
}

export interface TrafficStats {
  messages: Record<Direction, number>;
  /** Bodies that are not JSON (forwarded untouched all the same). */
  malformed: Record<Direction, number>;
  /** JSON that is neither a request, a response nor a notification. */
  unrecognised: number;
  /** Responses whose id matches no pending request. */
  unmatchedResponses: number;
  framingProblems: number;
  /** Bodies over the inspection limit: classified from their head only, their params not read. */
  uninspected: number;
}

export interface TrafficMonitorOptions {
  readonly server: string;
  /** Receives each finished request (lsp_request) as it completes. */
  readonly record: (observation: ObservationInput) => void;
  readonly logger?: MonitorLogger;
  readonly now?: () => number;
  /**
   * Editor → server messages of these methods are parsed and handed over with their params (the proxy's
   * SessionState, for replay after a restart); `initializeResult` gets the server's answer to initialize.
   */
  readonly session?: {
    readonly methods: ReadonlySet<string>;
    observe(method: string, params: unknown): void;
    initializeResult(result: unknown): void;
  };
}

/**
 * Watches a copy of both byte streams: frames them, classifies each message from a cheap scan, pairs
 * requests with responses, counts notifications and bytes, tracks diagnostics. Nothing here can throw
 * into the relay: the worst a strange message does is land in a counter.
 */
export class TrafficMonitor {
  readonly pending = new PendingRequests();
  readonly diagnostics = new DiagnosticsTracker();
  readonly stats: TrafficStats = {
    messages: { client_to_server: 0, server_to_client: 0 },
    malformed: { client_to_server: 0, server_to_client: 0 },
    unrecognised: 0,
    unmatchedResponses: 0,
    framingProblems: 0,
    uninspected: 0,
  };
  private readonly framers: Record<Direction, MessageFramer>;
  private readonly bytes: Record<Direction, number> = { client_to_server: 0, server_to_client: 0 };
  /** direction + '\n' + method → count since the last drain. */
  private notifications = new Map<string, number>();
  private readonly now: () => number;
  /** Time of the chunk being framed: one clock read per chunk, not per message. */
  private chunkTime = 0;
  /** Ids of editor requests the proxy answered itself (a breaker): their outcome is short_circuited. */
  private readonly shortCircuited = new Set<number | string>();
  /** Id of the editor's initialize request while it is pending (its answer is parsed for the session). */
  private initializeId: number | string | undefined;

  constructor(private readonly options: TrafficMonitorOptions) {
    this.now = options.now ?? (() => performance.now());
    const framer = (direction: Direction) =>
      new MessageFramer({
        onMessage: (body, _length, truncated) => (truncated ? this.onHead(direction, body) : this.onMessage(direction, body)),
        onProblem: (reason, skipped) => {
          this.stats.framingProblems++;
          this.warnSometimes(
            this.stats.framingProblems,
            `lsp-proxy: lost framing ${direction}: ${reason}; skipped ${skipped} bytes (they were forwarded untouched)`,
          );
        },
      });
    this.framers = { client_to_server: framer('client_to_server'), server_to_client: framer('server_to_client') };
  }

  /** A chunk that has just been forwarded in `direction`. */
  feed(direction: Direction, chunk: Buffer): void {
    this.bytes[direction] += chunk.length;
    this.chunkTime = this.now();
    try {
      this.framers[direction].push(chunk);
    } catch (error) {
      // A bug here must never reach the relay; it costs the measurement, not the session.
      this.options.logger?.warn(`lsp-proxy: monitor error ${direction}: ${(error as Error).message}`);
    }
  }

  /** Counter deltas since the last call (bytes and notifications), for the reporter's next batch. */
  drainAggregates(): ObservationInput[] {
    const out: ObservationInput[] = [];
    const server = this.options.server;
    for (const direction of DIRECTIONS) {
      if (this.bytes[direction] > 0) out.push({ kind: 'lsp_bytes', server, direction, bytes: this.bytes[direction] });
      this.bytes[direction] = 0;
    }
    for (const [key, count] of this.notifications) {
      const cut = key.indexOf('\n');
      out.push({ kind: 'lsp_notification', server, direction: key.slice(0, cut) as Direction, method: key.slice(cut + 1), count });
    }
    this.notifications = new Map();
    return out;
  }

  /** The absolute gauges (lsp_state) as they are now. */
  state(up: boolean): ObservationInput {
    return {
      kind: 'lsp_state',
      server: this.options.server,
      up,
      in_flight: { client_to_server: this.pending.inFlight('client_to_server'), server_to_client: this.pending.inFlight('server_to_client') },
      // How long the editor has waited on the oldest unanswered request: many short requests in flight are
      // not stuck; one that waits for minutes is (IdeLspRequestsStuck).
      oldest_in_flight_seconds: Math.round(this.pending.oldestAgeSeconds('client_to_server', this.now()) * 1000) / 1000,
      diagnostics: this.diagnostics.totals(),
    };
  }

  /** The server is gone: nothing pending will be answered and its diagnostics no longer hold. */
  serverGone(): void {
    this.pending.clear();
    this.diagnostics.clear();
  }

  /**
   * A body too large to keep: classified from its head, so a 38 MB documentSymbol response still answers
   * its request. Its params are never read (a 20 MB didOpen is counted, not tracked).
   */
  private onHead(direction: Direction, head: Buffer): void {
    this.stats.messages[direction]++;
    this.stats.uninspected++;
    const message = scanHead(head);
    if (message !== undefined) this.classify(direction, message, undefined);
  }

  private onMessage(direction: Direction, body: Buffer): void {
    this.stats.messages[direction]++;
    let message = scanMessage(body);
    let parsed: unknown;
    const session = this.options.session;
    if (
      message === undefined ||
      (message.method !== undefined &&
        (PARSE_PARAMS_OF.has(message.method) || (direction === 'client_to_server' && session?.methods.has(message.method) === true))) ||
      (session !== undefined && direction === 'server_to_client' && message.hasId && message.id === this.initializeId && message.method === undefined)
    ) {
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        this.stats.malformed[direction]++;
        this.warnSometimes(
          this.stats.malformed[direction],
          `lsp-proxy: a ${body.length}-byte message ${direction} is not JSON; forwarded untouched (${this.stats.malformed[direction]} so far)`,
        );
        return;
      }
      if (Array.isArray(parsed)) {
        // JSON-RPC batches are not LSP, but cost nothing to understand.
        for (const element of parsed) this.classify(direction, describeParsed(element), element);
        return;
      }
      message = describeParsed(parsed);
    }
    this.classify(direction, message, parsed);
    if (session === undefined || message === undefined || parsed === undefined) return;
    if (message.method !== undefined && direction === 'client_to_server' && session.methods.has(message.method)) {
      session.observe(message.method, (parsed as { params?: unknown }).params);
      if (message.method === 'initialize' && message.hasId && message.id !== null) this.initializeId = message.id;
    } else if (direction === 'server_to_client' && message.method === undefined && message.hasId && message.id === this.initializeId) {
      this.initializeId = undefined;
      session.initializeResult((parsed as { result?: unknown }).result);
    }
  }

  /** The proxy answered this editor request itself (a breaker): it counts as short_circuited. */
  shortCircuit(id: number | string): void {
    if (this.shortCircuited.size < 10_000) this.shortCircuited.add(id);
  }

  /** Editor requests still waiting for an answer, as [id, method]. */
  pendingClientRequests(): [number | string, string][] {
    return this.pending.entries('client_to_server');
  }

  /** Server requests the editor has not answered yet: their ids. */
  pendingServerRequests(): (number | string)[] {
    return this.pending.entries('server_to_client').map(([id]) => id);
  }

  private classify(direction: Direction, m: ScannedMessage | undefined, parsed: unknown): void {
    if (m === undefined) {
      this.stats.unrecognised++;
      return;
    }
    const id = m.id;
    if (m.method !== undefined) {
      // Folded here as the exporter folds it: a server's private methods (or a fuzzer's) cannot grow the
      // proxy's per-flush notification table or the batches; the exporter would fold them anyway.
      const method = foldMethod(m.method);
      if (!m.hasId) {
        this.countNotification(direction, method);
        if (parsed !== undefined) this.readParams(direction, m.method, (parsed as { params?: unknown }).params);
      } else if (typeof id === 'number' || typeof id === 'string') {
        this.pending.start(direction, id, method, this.chunkTime);
      } else {
        this.stats.unrecognised++;
      }
      return;
    }
    if (m.hasId && (m.hasResult || m.hasError) && (typeof id === 'number' || typeof id === 'string')) {
      const done = this.pending.complete(direction, id, this.chunkTime);
      if (done === undefined) {
        this.stats.unmatchedResponses++;
        return;
      }
      const code = m.hasError && m.errorCode !== undefined && Number.isInteger(m.errorCode) ? m.errorCode : undefined;
      const short = direction === 'server_to_client' && this.shortCircuited.delete(id);
      const outcome = short ? 'short_circuited' : done.cancelled || code === REQUEST_CANCELLED ? 'cancelled' : m.hasError ? 'error' : 'ok';
      const seconds = Math.min(Math.max(done.durationMs, 0) / 1000, MAX_SECONDS);
      const observation: ObservationInput = {
        kind: 'lsp_request',
        server: this.options.server,
        method: done.method,
        direction: opposite(direction),
        outcome,
        duration_seconds: seconds,
      };
      if (code !== undefined) observation.error_code = code;
      this.options.record(observation);
      return;
    }
    // An error response with a null id (parse error) answers nothing we can pair.
    if (m.hasId && m.hasError) this.stats.unmatchedResponses++;
    else this.stats.unrecognised++;
  }

  private readParams(direction: Direction, method: string, params: unknown): void {
    // Checked by hand (no schema library on the proxy's startup path); anything unexpected is ignored.
    const p = (params ?? {}) as Record<string, unknown>;
    if (method === '$/cancelRequest') {
      const id = p['id'];
      if (typeof id === 'number' || typeof id === 'string') this.pending.cancel(direction, id);
    } else if (method === 'textDocument/publishDiagnostics' && direction === 'server_to_client') {
      const diagnostics = p['diagnostics'];
      if (typeof p['uri'] !== 'string' || !Array.isArray(diagnostics) || !diagnostics.every((d) => d !== null && typeof d === 'object')) return;
      this.diagnostics.publish(
        p['uri'],
        diagnostics.map((d: { severity?: unknown }) => d.severity),
      );
    } else if (method === 'textDocument/didClose' && direction === 'client_to_server') {
      const uri = (p['textDocument'] as { uri?: unknown } | undefined)?.uri;
      if (typeof uri === 'string') this.diagnostics.close(uri);
    }
  }

  private countNotification(direction: Direction, method: string): void {
    let key = `${direction}\n${method}`;
    const seen = this.notifications.get(key);
    if (seen !== undefined) {
      this.notifications.set(key, seen + 1);
      return;
    }
    if (this.notifications.size >= MAX_NOTIFICATION_KEYS) key = `${direction}\nother`;
    this.notifications.set(key, (this.notifications.get(key) ?? 0) + 1);
  }

  /** The first few problems, then every thousandth: editors keep stderr, it must not flood. */
  private warnSometimes(count: number, message: string): void {
    if (count <= 5 || count % 1000 === 0) this.options.logger?.warn(message);
  }
}

/**
 * Names as seen, cut to the schema's bound rather than rejected with the whole batch; an empty name would
 * make the whole batch invalid.
 */
export function boundedName(name: string): string {
  if (name.length === 0) return '(empty)';
  return name.length > NAME_MAX_LENGTH ? name.slice(0, NAME_MAX_LENGTH) : name;
}
