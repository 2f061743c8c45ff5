import type { OutboundClient } from '../http/outbound.js';
import { performance } from 'node:perf_hooks';
import type { WireCommand } from '../ingest/control.js';
import { checkObservation } from '../ingest/fast-validate.js';
import { INGEST_PATH, INGEST_VERSION, INGEST_VERSION_CONTROL } from '../ingest/limits.js';
import type { CommandAck, ObservationInput } from '../ingest/schema.js';
import { BoundedQueue } from './bounded-queue.js';

/** console and pino loggers both fit. */
export interface ReporterLogger {
  warn(message: string): void;
  info?(message: string): void;
}

export interface IngestReporterOptions {
  /** The exporter's base URL, e.g. http://127.0.0.1:10451; batches go to `<url>/api/v1/ingest`. */
  readonly url: string;
  /** Sent as `Authorization: Bearer <token>` (the exporter's `--ingest.token`). */
  readonly token?: string | undefined;
  /** Names this reporting process (e.g. `lsp-proxy:host:pid`); the exporter keys `lsp_state` by it. */
  readonly instance?: string | undefined;
  /** A batch leaves at least this often while there is something to send. Default 1000. */
  readonly flushIntervalMs?: number;
  /** …or as soon as this many observations are waiting. Default 500. */
  readonly maxBatch?: number;
  /** Observations kept while the exporter is unreachable; beyond it the oldest are dropped. Default 10,000. */
  readonly maxBuffered?: number;
  /** Per request; one request is in flight at a time. Default 2000. */
  readonly timeoutMs?: number;
  /** With `state`, a batch (possibly only the state) leaves at least this often. Default 10,000. */
  readonly heartbeatMs?: number;
  /** When set, drops are reported to the exporter as `lsp_dropped{server}` once it is reachable again. */
  readonly server?: string | undefined;
  /** Called before each batch: counter deltas to add to the buffer (kept and retried like any other). */
  readonly collect?: () => ObservationInput[];
  /** Called for each batch: absolute gauges (`lsp_state`) attached to it, never buffered. */
  readonly state?: () => ObservationInput;
  readonly logger?: ReporterLogger;
  /**
   * Makes this a version 2 reporter that executes control commands: the exporter's answers carry them
   * (called once per answer that has any), and `ack()` sends the outcome in the next batch. An exporter
   * older than version 2 refuses such batches; the reporter then falls back to version 1 for good (no
   * control, v2 fields left out) and says so once.
   */
  readonly onCommands?: (commands: readonly WireCommand[]) => void;
}

export interface ReporterStats {
  /** Waiting to be sent. */
  readonly buffered: number;
  /** Dropped because the buffer was full (the exporter unreachable for too long). */
  readonly dropped: number;
  /** Accepted by the exporter. */
  readonly sent: number;
  /** Refused by the exporter with a 4xx other than 408/429 (retrying cannot help); logged. */
  readonly rejected: number;
  /** Refused by record() for not matching the ingest schema; logged. */
  readonly invalid: number;
  readonly batchesSent: number;
  readonly batchesFailed: number;
}

type Delivery = 'ok' | 'retry' | 'reject' | 'downgrade';

/** A version 1 batch: no lsp_restart, no breakers, no exit cause (an old exporter refuses them). */
function versionOne(observations: ObservationInput[]): ObservationInput[] {
  const out: ObservationInput[] = [];
  for (const o of observations) {
    if (o.kind === 'lsp_restart') continue;
    if (o.kind === 'lsp_state' && o.breakers !== undefined) {
      const { breakers: _, ...rest } = o;
      out.push(rest);
    } else if (o.kind === 'lsp_server' && o.cause !== undefined) {
      const { cause: _, ...rest } = o;
      out.push(rest);
    } else out.push(o);
  }
  return out;
}

/**
 * A small client for `POST /api/v1/ingest`, used by `ide-monitor lsp-proxy` and by Node-based IDE
 * backends. record() only queues: it never waits for the network, so it can sit on a hot path. Batches
 * leave every `flushIntervalMs` or every `maxBatch` observations, one request at a time; while the
 * exporter is unreachable the buffer keeps the newest `maxBuffered` and counts what it drops.
 */
export class IngestReporter {
  private readonly queue: BoundedQueue<ObservationInput>;
  private readonly endpoint: URL;
  /** The endpoint as logged: without userinfo or query, which may carry credentials. */
  private readonly shownEndpoint: string;
  /** The shared outbound client (axios), loaded on the first post: see the constructor. */
  private http: OutboundClient | undefined;
  private readonly timer: NodeJS.Timeout;
  private readonly opts: Required<Pick<IngestReporterOptions, 'flushIntervalMs' | 'maxBatch' | 'maxBuffered' | 'timeoutMs' | 'heartbeatMs'>>;
  private inFlight: Promise<void> | undefined;
  private flushSoon = false;
  private closed = false;
  private reachable = true;
  private lastSentAt = 0;
  /** Drops not yet reported to the exporter. */
  private unreportedDrops = 0;
  private counters = { dropped: 0, sent: 0, rejected: 0, invalid: 0, batchesSent: 0, batchesFailed: 0 };
  /** 2 while the exporter takes control batches; 1 without onCommands or after an old exporter refused 2. */
  private version: number;
  private acks: CommandAck[] = [];
  /** HTTP statuses of refused batches already logged: a wrong token is said once, not every second. */
  private readonly refusalsLogged = new Set<number>();

  constructor(private readonly options: IngestReporterOptions) {
    this.endpoint = new URL(INGEST_PATH, options.url.endsWith('/') ? options.url : `${options.url}/`);
    this.shownEndpoint = `${this.endpoint.origin}${this.endpoint.pathname}`;
    if (this.endpoint.protocol !== 'http:' && this.endpoint.protocol !== 'https:') {
      throw new TypeError(`exporter URL must be http:// or https://, got ${JSON.stringify(options.url)}`);
    }
    this.opts = {
      flushIntervalMs: positive(options.flushIntervalMs, 1000, 'flushIntervalMs'),
      maxBatch: positive(options.maxBatch, 500, 'maxBatch'),
      maxBuffered: positive(options.maxBuffered, 10_000, 'maxBuffered'),
      timeoutMs: positive(options.timeoutMs, 2000, 'timeoutMs'),
      heartbeatMs: positive(options.heartbeatMs, 10_000, 'heartbeatMs'),
    };
    this.queue = new BoundedQueue(this.opts.maxBuffered);
    this.version = options.onCommands !== undefined ? INGEST_VERSION_CONTROL : INGEST_VERSION;
    // The HTTP client (axios, TLS) is loaded on the first post, a flush interval after start: loading it
    // here would add its tens of milliseconds to the proxy's startup, which the editor waits for.
    this.timer = setInterval(() => void this.flush(), this.opts.flushIntervalMs);
    this.timer.unref();
  }

  /** Queues one observation; invalid ones are refused here so they cannot spoil a whole batch. */
  record(observation: ObservationInput): void {
    if (this.closed) return;
    // The hand-written check zod is held to (fast-validate.ts): zod itself costs 150 ms to load, too much
    // for the proxy's startup; it is loaded only to explain a refusal.
    const checked = checkObservation(observation);
    if (checked === undefined) {
      this.counters.invalid++;
      if (this.counters.invalid <= 5) void this.explainRefusal(observation);
      return;
    }
    this.push(checked);
    if (this.queue.size >= this.opts.maxBatch && !this.flushSoon && this.inFlight === undefined) {
      this.flushSoon = true;
      setImmediate(() => {
        this.flushSoon = false;
        void this.flush();
      }).unref();
    }
  }

  private async explainRefusal(observation: ObservationInput): Promise<void> {
    const { observationSchema } = await import('../ingest/schema.js');
    const parsed = observationSchema.safeParse(observation);
    const reason = parsed.success ? 'invalid' : (parsed.error.issues[0]?.message ?? 'invalid');
    this.options.logger?.warn(`ingest reporter: observation refused: ${reason} (${JSON.stringify(observation).slice(0, 200)})`);
  }

  /** Times `fn` (sync or async) and records an `operation` observation with outcome ok or error; rethrows. */
  timeOperation<T>(name: string, fn: () => T): T {
    const start = performance.now();
    const done = (outcome: 'ok' | 'error') =>
      this.record({ kind: 'operation', operation: name, outcome, duration_seconds: (performance.now() - start) / 1000 });
    let result: T;
    try {
      result = fn();
    } catch (error) {
      done('error');
      throw error;
    }
    if (isThenable(result)) {
      return result.then(
        (value) => {
          done('ok');
          return value;
        },
        (error: unknown) => {
          done('error');
          throw error;
        },
      ) as T;
    }
    done('ok');
    return result;
  }

  /** Counts one lookup of cache `name`: a hit or a miss. */
  recordCache(name: string, hit: boolean): void {
    this.record({ kind: 'cache', cache: name, result: hit ? 'hit' : 'miss', count: 1 });
  }

  /** A command's outcome, sent with the next batch (and again if that batch is not delivered). */
  ack(ack: CommandAck): void {
    if (this.acks.length < 100) this.acks.push(ack);
    if (!this.flushSoon && this.inFlight === undefined) {
      this.flushSoon = true;
      setImmediate(() => {
        this.flushSoon = false;
        void this.flush(true);
      }).unref();
    }
  }

  /** The wire version batches go out with: 2 (control) or 1. */
  get wireVersion(): number {
    return this.version;
  }

  stats(): ReporterStats {
    return { buffered: this.queue.size, ...this.counters };
  }

  /**
   * Sends what is due now (one request at a time: a call while one is in flight waits for it). Resolves
   * once the attempt ends, delivered or not; never rejects.
   */
  flush(force = false): Promise<void> {
    if (this.inFlight !== undefined) return this.inFlight;
    const attempt = this.sendBatch(force).finally(() => {
      this.inFlight = undefined;
    });
    this.inFlight = attempt;
    return attempt;
  }

  /** Stops the timer and sends what is left (state included), for at most `timeoutMs`. */
  async close(timeoutMs = 2000): Promise<ReporterStats> {
    clearInterval(this.timer);
    const deadline = performance.now() + timeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    const drain = async () => {
      if (this.inFlight !== undefined) await this.inFlight;
      this.closed = true;
      // At least one final batch (the state of a proxy whose server just exited), then whatever is left.
      let first = true;
      while ((first || this.queue.size > 0) && performance.now() < deadline) {
        first = false;
        const before = this.counters.batchesFailed;
        await this.flush(true);
        if (this.counters.batchesFailed > before) break;
      }
    };
    await Promise.race([drain(), expired]);
    clearTimeout(timer);
    this.closed = true;
    this.http?.close();
    return this.stats();
  }

  private push(observation: ObservationInput): void {
    const dropped = this.queue.push(observation);
    if (dropped > 0) this.noteDrops(dropped);
  }

  private noteDrops(n: number): void {
    this.counters.dropped += n;
    this.unreportedDrops += n;
  }

  private async sendBatch(force: boolean): Promise<void> {
    if (this.options.collect !== undefined) for (const o of this.options.collect()) this.push(o);
    const heartbeatDue = this.options.state !== undefined && performance.now() - this.lastSentAt >= this.opts.heartbeatMs;
    const dropsToReport = this.options.server !== undefined ? this.unreportedDrops : 0;
    const acksDue = this.version === INGEST_VERSION_CONTROL && this.acks.length > 0;
    if (!force && this.queue.size === 0 && dropsToReport === 0 && !heartbeatDue && !acksDue) return;
    const batch = this.queue.take(this.opts.maxBatch);
    const observations: ObservationInput[] = batch.slice();
    if (dropsToReport > 0) observations.push({ kind: 'lsp_dropped', server: this.options.server!, count: dropsToReport });
    if (this.options.state !== undefined) observations.push(this.options.state());
    if (observations.length === 0 && !acksDue) return;
    const version = this.version;
    const acks = acksDue ? this.acks.splice(0) : [];
    const body = JSON.stringify({
      version,
      ...(this.options.instance !== undefined ? { instance: this.options.instance } : {}),
      observations: version === INGEST_VERSION_CONTROL ? observations : versionOne(observations),
      ...(acks.length > 0 && { acks }),
    });
    const delivery = await this.post(body);
    if (delivery === 'downgrade') {
      this.acks.unshift(...acks);
      this.queue.unshiftAll(batch);
      return this.sendBatch(force);
    }
    if (delivery !== 'ok') this.acks.unshift(...acks);
    if (delivery === 'ok' || delivery === 'reject') {
      this.lastSentAt = performance.now();
      this.unreportedDrops -= dropsToReport;
      if (delivery === 'ok') {
        this.counters.sent += batch.length;
        this.counters.batchesSent++;
        if (!this.reachable) {
          this.reachable = true;
          this.options.logger?.info?.(`ingest reporter: ${this.endpoint.origin} reachable again (${this.counters.dropped} observations dropped so far)`);
        }
      } else {
        this.counters.rejected += batch.length;
      }
      // Size-triggered: more than a batch was waiting, send the next one right away.
      if (this.queue.size >= this.opts.maxBatch && !this.closed) setImmediate(() => void this.flush()).unref();
      return;
    }
    this.counters.batchesFailed++;
    const lost = this.queue.unshiftAll(batch);
    if (lost > 0) this.noteDrops(lost);
  }

  private async post(body: string): Promise<Delivery> {
    this.http ??= (await import('../http/outbound.js')).createOutboundClient({
      timeoutMs: this.opts.timeoutMs,
      maxSockets: 1,
      // Control answers are small (≤ 20 commands); anything longer is not one.
      maxBodyBytes: 64 * 1024,
      userAgent: 'ide-monitor-lsp-proxy',
    });
    let status: number;
    let text: string;
    try {
      ({ status, body: text } = await this.http.request({
        url: this.endpoint.href,
        body,
        headers: this.options.token ? { Authorization: `Bearer ${this.options.token}` } : {},
      }));
    } catch (error) {
      this.unreachable((error as Error).message);
      return 'retry';
    }
    if (status >= 200 && status < 300) {
      if (status === 200) this.readControl(text);
      return 'ok';
    }
    if (status === 400 && this.version === INGEST_VERSION_CONTROL && text.includes('version')) {
      this.version = INGEST_VERSION;
      this.options.logger?.warn(
        `ingest reporter: ${this.shownEndpoint} predates ingest version 2; reporting with version 1, without the control channel (restarts and breakers)`,
      );
      return 'downgrade';
    }
    if (status >= 500 || status === 429 || status === 408) {
      this.unreachable(`HTTP ${status}`);
      return 'retry';
    }
    // Retrying a batch the exporter refuses (bad token, invalid) cannot help; say why once per status
    // (a wrong token is refused every second; the editor's log must not fill with it).
    if (!this.refusalsLogged.has(status)) {
      this.refusalsLogged.add(status);
      const more =
        status === 401 || status === 403
          ? '; check IDE_MONITOR_INGEST_TOKEN. Batches are dropped until it is fixed; not logged again'
          : '; not logged again for this status';
      this.options.logger?.warn(`ingest reporter: ${this.shownEndpoint} refused a batch with HTTP ${status}: ${text.slice(0, 200)}${more}`);
    }
    return 'reject';
  }

  /** A 200 answer: commands for this instance (a 204 has none). A malformed answer is logged, not fatal. */
  private readControl(text: string): void {
    if (this.options.onCommands === undefined) return;
    let commands: unknown;
    try {
      commands = (JSON.parse(text) as { control?: { commands?: unknown } }).control?.commands;
    } catch {
      commands = undefined;
    }
    if (!Array.isArray(commands)) {
      this.options.logger?.warn(`ingest reporter: ${this.shownEndpoint} answered 200 without a control.commands list: ${text.slice(0, 200)}`);
      return;
    }
    if (commands.length > 0) this.options.onCommands(commands as WireCommand[]);
  }

  private unreachable(reason: string): void {
    if (!this.reachable) return;
    this.reachable = false;
    this.options.logger?.warn(
      `ingest reporter: cannot deliver to ${this.shownEndpoint} (${reason}); keeping up to ${this.opts.maxBuffered} observations, dropping the oldest beyond`,
    );
  }
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number, got ${value}`);
  return value;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function';
}
