import type { IncomingMessage } from 'node:http';

/**
 * Local stand-ins for Slack incoming webhooks, PagerDuty's Events API v2, Teams Workflows webhooks, Discord
 * webhooks, OpsGenie's Alert API v2, Twilio's Messages API and a generic webhook on 127.0.0.1. They speak the
 * services' wire contract (status codes, bodies, Retry-After), record every request in arrival order, and
 * count re-sends of the same key, so callers can tell "arrived once" from "arrived, and again".
 */
export interface SinkRequest {
  /** When the request's body had arrived, in (fractional) milliseconds on the Date.now() scale. */
  readonly at: number;
  /** What makes two requests "the same notification" for this service. */
  readonly key: string;
  readonly body: unknown;
  readonly headers: IncomingMessage['headers'];
  /** The status the sink answered. */
  readonly status: number;
  /** The path and query asked for. */
  readonly url: string;
}
export interface Sink {
  readonly url: string;
  /** Every request, in arrival order, including the ones answered with an error. */
  readonly requests: SinkRequest[];
  /** Requests answered with success, in order. */
  readonly accepted: () => SinkRequest[];
  /** Distinct keys accepted. */
  readonly uniqueKeys: () => Set<string>;
  /** Accepted requests whose key had been accepted before. */
  readonly duplicates: () => number;
  /** Answers `status` (with Retry-After when given, as the service words it) to every request for the next `ms` milliseconds. */
  readonly failFor: (ms: number, status: number, retryAfterSeconds?: number) => void;
  /**
   * Answers `status` to the next `count` requests, after letting `skip` through (Discord: a fractional
   * retry_after is kept in its JSON body).
   */
  readonly failNext: (count: number, status: number, retryAfterSeconds?: number, skip?: number) => void;
  /** For the next `ms` milliseconds, takes requests at once but answers each `delayMs` later (a slow service: the message is posted, the sender still waits). */
  readonly slowFor: (ms: number, delayMs: number) => void;
  /** Closes the listener and every open connection: senders see connection refused, as in an outage. */
  readonly down: () => Promise<void>;
  /** Listens again on the same port after `down()`. */
  readonly up: () => Promise<void>;
  readonly stop: () => Promise<void>;
}

export interface SinkOptions {
  /** A fixed port (a sink taken down and brought back where its senders expect it); else a free one. */
  readonly port?: number;
  /** Called with each request as it is recorded (a benchmark noting arrivals without scanning `requests`). */
  readonly onRequest?: (request: SinkRequest) => void;
}

/**
 * Slack incoming webhook: 200 "ok" (text/plain) for a message with `text`, `blocks` or `attachments`; 400
 * "invalid_payload" for a body that is not a JSON object, "no_text" without any of the three,
 * "invalid_blocks" past 50 blocks, "msg_too_long"; 404 "no_service" for another path; an injected 429
 * carries Retry-After. Slack has no idempotency key: a message is identified by its body, and a
 * byte-identical re-send counts as a duplicate.
 */
export function startSlackSink(options?: SinkOptions): Promise<Sink>;
/** Checks an Events API v2 event the way PagerDuty does; returns the problems. */
export function pagerDutyProblems(body: unknown): string[];
/**
 * PagerDuty Events API v2 (`/v2/enqueue`): 202 {status, message, dedup_key} for a valid event, 400 with
 * the errors for an invalid one. The key is dedup_key + action: PagerDuty folds a re-sent trigger into the
 * open incident, and the sink counts it.
 */
export function startPagerDutySink(options?: SinkOptions): Promise<Sink>;
/** A generic JSON receiver keyed by the Idempotency-Key header (the bridge's outgoing webhook sends one). */
export function startWebhookSink(): Promise<Sink>;
/**
 * Microsoft Teams Workflows (Power Automate) webhook: 202 for a message carrying an Adaptive Card; 400 for
 * anything else; 413 past the 28 KB message limit. Keyed by body, like Slack (no idempotency key).
 */
export function startTeamsSink(): Promise<Sink>;
/** Checks a Discord webhook message against Discord's documented limits; returns the problems. */
export function discordProblems(body: unknown): string[];
/**
 * Discord webhook (`/api/webhooks/{id}/{token}`): 204 without a body for a valid message, 400 code 50035
 * "Invalid Form Body" otherwise; a 429 carries `retry_after` (seconds, fractional) in its JSON body and a
 * whole-second Retry-After header, as Discord sends them.
 */
export function startDiscordSink(): Promise<Sink>;
export const OPSGENIE_KEY = 'eb243592-faa2-4ba2-a551q-1afdf565c889';
/** Checks an OpsGenie create-alert body; returns the problems as OpsGenie words them. */
export function opsGenieProblems(body: unknown): string[];
/**
 * OpsGenie Alert API v2: `POST /v2/alerts` (create) and `POST /v2/alerts/{alias}/{close|acknowledge|
 * unacknowledge}?identifierType=alias`, behind `Authorization: GenieKey KEY` (401 otherwise). 202 with
 * `{result, took, requestId}`: OpsGenie processes asynchronously. 422 for an invalid body. Keyed by
 * action and alias (a create for an open alias is folded into that alert, and counted as a duplicate).
 */
export function startOpsGenieSink(): Promise<Sink>;
export const TWILIO_SID = 'AC00000000000000000000000000000001';
export const TWILIO_TOKEN = 'twilio-auth-token-for-tests-0001';
/**
 * Twilio's Messages API (`POST /2010-04-01/Accounts/{Sid}/Messages.json`): form-encoded To, From (or
 * MessagingServiceSid) and Body behind basic auth Sid:Token. 201 with the message resource; 401 code 20003,
 * 400 code 21602 (no body), 21617 (body over 1600 characters), 21211 (invalid To), and 429 code 20429, as
 * Twilio answers. Keyed by recipient and body.
 */
export function startTwilioSink(): Promise<Sink>;
