import type { Express, Request, Response } from 'express';
import type { ZodError } from 'zod';
import { jsonBody, requireWriteAuth } from '../http/request-guards.js';
import type { Logger } from '../log.js';
import { fastValidate } from './fast-validate.js';
import { INGEST_PATH, ingestBatchSchema, type IngestBatch } from './schema.js';
import type { IngestSink } from './sink.js';

const ISSUES_SHOWN = 5;

export interface IngestRoutesOptions {
  readonly sink: IngestSink;
  readonly token?: string | undefined;
  readonly maxBodySize: number;
  readonly logger: Logger;
}

/**
 * `POST /api/v1/ingest`: auth first (a caller without the token never gets its body read), then the
 * body guards (415, 413, 400 for malformed JSON), then the schema (400 with the first few problems),
 * then 204. Every answer counts in `ide_ingest_batches_total{outcome}`.
 */
export function mountIngestRoutes(app: Express, options: IngestRoutesOptions): void {
  const { sink, logger } = options;
  app.post(
    INGEST_PATH,
    requireWriteAuth({ token: options.token, tokenSetting: 'ingest.token (IDE_MONITOR_INGEST_TOKEN)' }, () => sink.self.batch('unauthorized')),
    ...jsonBody(options.maxBodySize, (rejection) => sink.self.batch(rejection === 'too_large' ? 'too_large' : 'invalid')),
    (req: Request, res: Response) => {
      const result = parseBatch(req.body);
      if (!result.ok) {
        sink.self.batch('invalid');
        logger.debug({ remote: req.socket.remoteAddress, reason: result.reason }, 'ingest batch rejected');
        res.status(400).json({ error: `invalid batch: ${result.reason}`, issues: result.issues });
        return;
      }
      sink.apply(result.batch, `remote:${req.socket.remoteAddress ?? 'unknown'}`);
      res.status(204).end();
    },
  );
  app.all(INGEST_PATH, (_req: Request, res: Response) => {
    res.setHeader('Allow', 'POST');
    res.status(405).json({ error: `${INGEST_PATH} accepts only POST` });
  });
}

export interface BatchIssue {
  readonly path: string;
  readonly message: string;
}

export type ParsedBatch = { ok: true; batch: IngestBatch } | { ok: false; reason: string; issues: BatchIssue[] };

/** The hand-written fast path for the common case; zod for the rest and for the error messages. */
export function parseBatch(body: unknown): ParsedBatch {
  const fast = fastValidate(body);
  if (fast !== undefined) return { ok: true, batch: fast };
  const parsed = ingestBatchSchema.safeParse(body);
  if (parsed.success) return { ok: true, batch: parsed.data };
  const issues = summarise(parsed.error);
  const shown = issues.slice(0, ISSUES_SHOWN).map((i) => `${i.path}: ${i.message}`);
  const more = issues.length > ISSUES_SHOWN ? `; and ${issues.length - ISSUES_SHOWN} more` : '';
  return { ok: false, reason: `${shown.join('; ')}${more}`, issues: issues.slice(0, ISSUES_SHOWN) };
}

function summarise(error: ZodError): BatchIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.length === 0 ? '(body)' : issue.path.map(String).join('.'),
    message: issue.message,
  }));
}
