import { createHash, timingSafeEqual } from 'node:crypto';
import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';
import express from 'express';

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

export function checkWriteAuth(req: Request, auth: WriteAuth): AuthOutcome {
  if (auth.token === undefined || auth.token === '') return isLoopback(req.socket.remoteAddress) ? 'ok' : 'forbidden';
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
    if (outcome === 'unauthorized') {
      res.setHeader('WWW-Authenticate', 'Bearer realm="ide-monitor"');
      res.status(401).json({ error: `missing or wrong bearer token; send "Authorization: Bearer <token>" as configured by ${auth.tokenSetting}` });
    } else {
      res.status(403).json({ error: `no token is configured (${auth.tokenSetting}), so only loopback callers are accepted` });
    }
  };
}

/** Hashing first makes the comparison constant-time whatever the lengths. */
export function sameSecret(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  return address === '::1' || /^(::ffff:)?127\./.test(address);
}

export type BodyRejection = 'too_large' | 'invalid';

/**
 * A JSON body parser that answers bad bodies itself: 413 over `limit`, 415 for a non-JSON content type,
 * 400 for malformed JSON; each with a reason in `{"error": …}`, and reported through `onReject`.
 */
export function jsonBody(limit: string | number, onReject?: (rejection: BodyRejection) => void): Array<RequestHandler | ErrorRequestHandler> {
  const parse = express.json({ limit, strict: false, type: () => true });
  return [
    (req: Request, res: Response, next: NextFunction) => {
      const type = req.get('content-type');
      if (type !== undefined && !/^application\/([a-z.+-]*\+)?json\b/i.test(type)) {
        onReject?.('invalid');
        res.status(415).json({ error: `expected Content-Type: application/json, got ${JSON.stringify(type)}` });
        return;
      }
      next();
    },
    parse,
    (error: unknown, _req: Request, res: Response, next: NextFunction) => {
      const status = (error as { status?: number; type?: string }).status;
      const type = (error as { type?: string }).type;
      if (type === 'entity.too.large' || status === 413) {
        onReject?.('too_large');
        res.status(413).json({ error: `body is larger than the limit of ${String(limit)}` });
      } else if (status !== undefined && status >= 400 && status < 500) {
        onReject?.('invalid');
        res.status(400).json({ error: `body is not valid JSON: ${(error as Error).message}` });
      } else {
        next(error);
      }
    },
  ];
}
