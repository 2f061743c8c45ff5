import { createHash, timingSafeEqual } from 'node:crypto';
import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';
import express from 'express';
import { parseByteSize } from '../config/schema-types.js';

/**
 * Who may call a write endpoint: with a token configured, callers must send `Authorization: Bearer
 * <token>` (compared in constant time); without one, only loopback callers are served, so nothing
 * listens beyond the machine without auth.
 */
export interface WriteAuth {
  readonly token?: string | undefined;
  /** Names the setting that configures the token, for the 401/403 reason. */
  readonly tokenSetting: string;
}

export type AuthOutcome = 'ok' | 'unauthorized' | 'forbidden';

function checkWriteAuth(req: Request, auth: WriteAuth): AuthOutcome {
  if (auth.token === undefined || auth.token === '') return isLoopback(req.socket.remoteAddress) && !fromWebPage(req) ? 'ok' : 'forbidden';
  const header = req.get('authorization') ?? '';
  const match = /^Bearer\s+(.+)$/i.exec(header);
  if (match === null) return 'unauthorized';
  return sameSecret(match[1]!.trim(), auth.token) ? 'ok' : 'unauthorized';
}

/**
 * Express middleware answering 401 (with `WWW-Authenticate: Bearer`) or 403 with a reason; `onReject`
 * lets the caller count the outcome in its own metric.
 */
export function requireWriteAuth(auth: WriteAuth, onReject?: (outcome: Exclude<AuthOutcome, 'ok'>) => void): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const outcome = checkWriteAuth(req, auth);
    if (outcome === 'ok') return next();
    onReject?.(outcome);
    cutUnreadBodyAfterAnswer(req, res);
    if (outcome === 'unauthorized') {
      res.setHeader('WWW-Authenticate', 'Bearer realm="ide-monitor"');
      res.status(401).json({ error: `missing or wrong bearer token; send "Authorization: Bearer <token>" as configured by ${auth.tokenSetting}` });
    } else {
      res.status(403).json({
        error: `no token is configured (${auth.tokenSetting}), so only loopback callers addressing localhost, 127.0.0.1 or [::1], without an Origin header, are accepted`,
      });
    }
  };
}

/** Hashing first makes the comparison constant-time whatever the lengths. */
export function sameSecret(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * A loopback peer may still be a web page in a local browser: a cross-site POST (which carries an
 * Origin) or, through DNS rebinding, a request for the attacker's host name. Alertmanager, the proxy's
 * reporter and curl send no Origin and name a loopback host.
 */
export function fromWebPage(req: Request): boolean {
  return req.get('origin') !== undefined || !namesLoopbackHost(req);
}

/** The request's `Host` is `localhost`, `127.x.x.x` or `[::1]` (any port): what a local tool sends, never a rebound page. */
export function namesLoopbackHost(req: Request): boolean {
  const host = (req.get('host') ?? '').toLowerCase().replace(/:\d+$/, '');
  return host === 'localhost' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  return address === '::1' || /^(::ffff:)?127\./.test(address);
}

/** How long a client refused mid-body may go on sending (Go's net/http waits 500 ms, Apache 2 s). */
const UNREAD_BODY_LINGER_MS = 1000;

/**
 * For an answer sent before the body was read: Node reads and discards the rest of the body, to reach
 * the next request on the connection, for as long as the client sends. Give the client a moment to
 * finish (a body just over the limit keeps its connection), then cut it. Closing at once instead would
 * make the client's TCP stack reset while it still sends, which can discard the answer unread.
 */
export function cutUnreadBodyAfterAnswer(req: Request, res: Response): void {
  res.once('finish', () => {
    if (req.complete) return;
    setTimeout(() => {
      if (!req.complete) req.socket.destroy();
    }, UNREAD_BODY_LINGER_MS).unref();
  });
}

export type BodyRejection = 'too_large' | 'invalid';

const JSON_TYPE = /^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i;
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)/i;

/**
 * A JSON body parser that answers bad bodies itself: 413 over `limit` (at once for a declared
 * Content-Length, else as soon as the bytes pass it), 415 for a non-JSON content type or a charset other
 * than UTF-8 (RFC 8259 §8.1), 400 for malformed JSON; each with a reason in `{"error": …}`, and reported
 * through `onReject`. A missing Content-Type is read as JSON.
 */
export function jsonBody(limit: string | number, onReject?: (rejection: BodyRejection) => void): Array<RequestHandler | ErrorRequestHandler> {
  const limitBytes = typeof limit === 'number' ? limit : parseByteSize(limit);
  if (limitBytes === undefined) throw new Error(`invalid body limit ${JSON.stringify(limit)}`);
  const parse = express.json({ limit: limitBytes, strict: false, type: () => true });
  const refuse = (req: Request, res: Response, status: 413 | 415, rejection: BodyRejection, error: string) => {
    onReject?.(rejection);
    cutUnreadBodyAfterAnswer(req, res);
    res.status(status).json({ error });
  };
  const tooLarge = (req: Request, res: Response) => refuse(req, res, 413, 'too_large', `body is larger than the limit of ${String(limit)}`);
  return [
    (req: Request, res: Response, next: NextFunction) => {
      const type = req.get('content-type');
      if (type !== undefined && !JSON_TYPE.test(type)) {
        refuse(req, res, 415, 'invalid', `expected Content-Type: application/json, got ${JSON.stringify(type)}`);
        return;
      }
      const charset = type === undefined ? undefined : CHARSET.exec(type)?.[1];
      if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
        refuse(req, res, 415, 'invalid', `JSON must be UTF-8; got charset ${JSON.stringify(charset)}`);
        return;
      }
      if (Number(req.get('content-length')) > limitBytes) {
        tooLarge(req, res);
        return;
      }
      // The parser reads all of an oversized body before it answers (the client would be stuck sending
      // it); a counter added after the parser's own listener answers once the bytes pass the limit.
      parse(req, res, (error?: unknown) => {
        if (!res.headersSent) next(error);
      });
      let received = 0;
      req.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > limitBytes && !res.headersSent) tooLarge(req, res);
      });
    },
    (error: unknown, _req: Request, res: Response, next: NextFunction) => {
      const status = (error as { status?: number; type?: string }).status;
      const type = (error as { type?: string }).type;
      if (type === 'entity.too.large' || status === 413) {
        onReject?.('too_large');
        res.status(413).json({ error: `body is larger than the limit of ${String(limit)}` });
      } else if (status === 415) {
        // An unsupported Content-Encoding.
        onReject?.('invalid');
        res.status(415).json({ error: (error as Error).message });
      } else if (status !== undefined && status >= 400 && status < 500) {
        onReject?.('invalid');
        res.status(400).json({ error: `body is not valid JSON: ${(error as Error).message}` });
      } else {
        next(error);
      }
    },
  ];
}
