import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Local stand-ins for Slack incoming webhooks and PagerDuty's Events API v2 on 127.0.0.1. They speak the
 * services' wire contract (status codes, bodies, Retry-After), record every request in arrival order, and
 * count re-sends of the same key, so tests can tell "arrived once" from "arrived, and again".
 */
export interface SinkRequest {
  readonly at: number;
  /** What makes two requests "the same notification" for this service. */
  readonly key: string;
  readonly body: unknown;
  readonly headers: IncomingMessage['headers'];
  /** The status the sink answered. */
  readonly status: number;
}

export interface Sink {
  readonly url: string;
  /** Every request, in arrival order, including the ones answered with an error. */
  readonly requests: SinkRequest[];
  /** Requests answered with success, in order. */
  accepted(): SinkRequest[];
  /** Distinct keys accepted. */
  uniqueKeys(): Set<string>;
  /** Accepted requests whose key had been accepted before. */
  duplicates(): number;
  /** Answers `status` (with Retry-After when given) to every request for the next `ms` milliseconds. */
  failFor(ms: number, status: number, retryAfterSeconds?: number): void;
  /** Answers `status` to the next `count` requests. */
  failNext(count: number, status: number, retryAfterSeconds?: number): void;
  /** For the next `ms` milliseconds, takes requests at once but answers each `delayMs` later (a slow service: the message is posted, the sender still waits). */
  slowFor(ms: number, delayMs: number): void;
  stop(): Promise<void>;
}

interface Failure {
  status: number;
  retryAfter?: number;
  until?: number;
  remaining?: number;
}

type Handler = (body: unknown, raw: string, req: IncomingMessage) => { status: number; key: string; answer: unknown };

async function startSink(path: string, handle: Handler): Promise<Sink> {
  const requests: SinkRequest[] = [];
  let failure: Failure | undefined;
  let slow: { until: number; delayMs: number } | undefined;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const delay = slow !== undefined && Date.now() < slow.until ? slow.delayMs : 0;
      const send = (status: number, answer: unknown, headers: Record<string, string> = {}) => {
        const text = typeof answer === 'string' ? answer : JSON.stringify(answer);
        const answerNow = () => {
          if (res.destroyed) return;
          res.writeHead(status, { 'Content-Type': typeof answer === 'string' ? 'text/plain' : 'application/json', ...headers });
          res.end(text);
        };
        if (delay > 0) setTimeout(answerNow, delay);
        else answerNow();
      };
      if (req.method !== 'POST' || req.url !== path) return send(404, 'not found');
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        body = undefined;
      }
      const now = Date.now();
      if (failure !== undefined && ((failure.until !== undefined && now < failure.until) || (failure.remaining ?? 0) > 0)) {
        if (failure.remaining !== undefined) failure.remaining -= 1;
        requests.push({ at: now, key: '', body, headers: req.headers, status: failure.status });
        return send(failure.status, failure.status === 429 ? 'rate_limited' : 'internal_error', failure.retryAfter === undefined ? {} : { 'Retry-After': String(failure.retryAfter) });
      }
      const { status, key, answer } = handle(body, raw, req);
      requests.push({ at: now, key, body, headers: req.headers, status });
      send(status, answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const accepted = () => requests.filter((r) => r.status >= 200 && r.status < 300);
  return {
    url: `http://127.0.0.1:${port}${path}`,
    requests,
    accepted,
    uniqueKeys: () => new Set(accepted().map((r) => r.key)),
    duplicates: () => accepted().length - new Set(accepted().map((r) => r.key)).size,
    failFor(ms, status, retryAfterSeconds) {
      failure = { status, until: Date.now() + ms, ...(retryAfterSeconds !== undefined && { retryAfter: retryAfterSeconds }) };
    },
    failNext(count, status, retryAfterSeconds) {
      failure = { status, remaining: count, ...(retryAfterSeconds !== undefined && { retryAfter: retryAfterSeconds }) };
    },
    slowFor(ms, delayMs) {
      slow = { until: Date.now() + ms, delayMs };
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Slack incoming webhook: 200 "ok" for a message with `text`, `blocks` or `attachments`; 400
 * "invalid_payload" / "no_text" otherwise. Slack has no idempotency key: a message is identified by its
 * body, and a byte-identical re-send counts as a duplicate.
 */
export function startSlackSink(): Promise<Sink> {
  return startSink('/services/T000/B000/XXXX', (body, raw) => {
    const key = createHash('sha256').update(raw).digest('hex');
    if (body === undefined || typeof body !== 'object' || body === null) return { status: 400, key, answer: 'invalid_payload' };
    const message = body as { text?: unknown; blocks?: unknown; attachments?: unknown };
    if (typeof message.text !== 'string' && !Array.isArray(message.blocks) && !Array.isArray(message.attachments)) return { status: 400, key, answer: 'no_text' };
    if (raw.length > 40_000 * 4) return { status: 400, key, answer: 'msg_too_long' };
    return { status: 200, key, answer: 'ok' };
  });
}

const PD_SEVERITIES = new Set(['critical', 'error', 'warning', 'info']);

/** Checks an Events API v2 event the way PagerDuty does; returns the problems. */
export function pagerDutyProblems(body: unknown): string[] {
  const problems: string[] = [];
  if (typeof body !== 'object' || body === null) return ['the body is not a JSON object'];
  const event = body as Record<string, unknown>;
  if (typeof event['routing_key'] !== 'string' || event['routing_key'] === '') problems.push("'routing_key' is missing or blank");
  const action = event['event_action'];
  if (action !== 'trigger' && action !== 'acknowledge' && action !== 'resolve') problems.push("'event_action' is invalid");
  const dedupKey = event['dedup_key'];
  if (dedupKey !== undefined && (typeof dedupKey !== 'string' || dedupKey.length > 255)) problems.push("'dedup_key' must be a string of at most 255 characters");
  if (action !== 'trigger' && typeof dedupKey !== 'string') problems.push("'dedup_key' is required for acknowledge and resolve");
  if (action === 'trigger') {
    const payload = event['payload'] as Record<string, unknown> | undefined;
    if (typeof payload !== 'object' || payload === null) problems.push("'payload' is missing");
    else {
      if (typeof payload['summary'] !== 'string' || payload['summary'] === '') problems.push("'payload.summary' is missing or blank");
      else if (payload['summary'].length > 1024) problems.push("'payload.summary' is longer than 1024 characters");
      if (typeof payload['source'] !== 'string' || payload['source'] === '') problems.push("'payload.source' is missing or blank");
      if (!PD_SEVERITIES.has(String(payload['severity']))) problems.push("'payload.severity' is invalid (expected one of critical, error, warning, info)");
    }
  }
  if (Buffer.byteLength(JSON.stringify(body)) > 512 * 1024) problems.push('the event is larger than 512 KB');
  return problems;
}

/**
 * PagerDuty Events API v2 (`/v2/enqueue`): 202 {status, message, dedup_key} for a valid event, 400 with
 * the errors for an invalid one. The key is dedup_key + action: PagerDuty folds a re-sent trigger into the
 * open incident, and the sink counts it.
 */
export function startPagerDutySink(): Promise<Sink> {
  return startSink('/v2/enqueue', (body) => {
    const problems = pagerDutyProblems(body);
    if (problems.length > 0) return { status: 400, key: '', answer: { status: 'invalid event', message: 'Event object is invalid', errors: problems } };
    const event = body as { dedup_key?: string; event_action: string };
    const dedupKey = event.dedup_key ?? createHash('md5').update(JSON.stringify(body)).digest('hex');
    return { status: 202, key: `${dedupKey}|${event.event_action}`, answer: { status: 'success', message: 'Event processed', dedup_key: dedupKey } };
  });
}

/** A generic JSON receiver keyed by the Idempotency-Key header (the bridge's outgoing webhook sends one). */
export function startWebhookSink(): Promise<Sink> {
  return startSink('/hook', (_body, _raw, req) => ({ status: 200, key: String(req.headers['idempotency-key'] ?? ''), answer: { ok: true } }));
}
