import type { Express, Request, Response } from 'express';
import type { AccessGuard } from '../access/guard.js';
import type { ZodError } from 'zod';
import { jsonBody, requireWriteAuth, type WriteAuth } from '../http/request-guards.js';
import type { Logger } from '../log.js';
import { fastValidate } from './fast-validate.js';
import { INGEST_PATH, INGEST_VERSION_CONTROL, ingestBatchSchema, type IngestBatch } from './schema.js';
import type { IngestSink } from './sink.js';
import { LspControlError, type LspControl } from './control.js';

/** How long a manual restart waits for the proxy to collect it (it reports at least every 10 s). */
const MANUAL_TTL_MS = 60_000;

const ISSUES_SHOWN = 5;

export interface IngestRoutesOptions {
  readonly sink: IngestSink;
  readonly control: LspControl;
  /** Read per request: a configuration reload replaces the token in place. */
  readonly auth: WriteAuth;
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
    requireWriteAuth(options.auth, () => sink.self.batch('unauthorized')),
    ...jsonBody(options.maxBodySize, (rejection) => sink.self.batch(rejection === 'too_large' ? 'too_large' : 'invalid')),
    (req: Request, res: Response) => {
      const result = parseBatch(req.body);
      if (!result.ok) {
        sink.self.batch('invalid');
        logger.debug({ remote: req.socket.remoteAddress, reason: result.reason }, 'ingest batch rejected');
        res.status(400).json({ error: `invalid batch: ${result.reason}`, issues: result.issues });
        return;
      }
      const batch = result.batch;
      sink.apply(batch, `remote:${req.socket.remoteAddress ?? 'unknown'}`);
      // Only a version 2 reporter executes commands; it gets its pending ones in the answer.
      const answer =
        batch.version === INGEST_VERSION_CONTROL && batch.instance !== undefined ? options.control.exchange(batch.instance, batch.acks) : undefined;
      if (answer === undefined) res.status(204).end();
      else res.status(200).json(answer);
    },
  );
  app.all(INGEST_PATH, (_req: Request, res: Response) => {
    res.setHeader('Allow', 'POST');
    res.status(405).json({ error: `${INGEST_PATH} accepts only POST` });
  });
}

/**
 * `POST /api/v1/lsp/{instance}/restart` (body optional: `{"server"?, "reason"?}`): queues a restart for
 * that proxy; 202 `{"id","targets"}`, 404 when no live proxy by that name executes commands.
 * `GET /api/v1/lsp/commands/{id}`: the command's state per target. A restart is an operator's act
 * (access.principals); the ingest token only ingests.
 */
export function mountLspControlRoutes(app: Express, options: Pick<IngestRoutesOptions, 'control' | 'logger'> & { readonly access: AccessGuard }): void {
  const { control, logger, access } = options;
  app.post(
    '/api/v1/lsp/:instance/restart',
    access.require('operator', 'POST /api/v1/lsp/{instance}/restart'),
    ...jsonBody('16kb'),
    (req: Request, res: Response) => {
      const instance = String(req.params['instance']);
      const body = (req.body ?? {}) as Record<string, unknown>;
      if (typeof body !== 'object' || Array.isArray(body))
        return void res.status(400).json({ error: 'body must be a JSON object: {"server"?: string, "reason"?: string}' });
      for (const key of Object.keys(body)) {
        if (key !== 'server' && key !== 'reason') return void res.status(400).json({ error: `unknown field ${JSON.stringify(key)}; accepted: server, reason` });
        if (typeof body[key] !== 'string') return void res.status(400).json({ error: `${key} must be a string` });
      }
      if (!control.knows(instance)) {
        return void res
          .status(404)
          .json({ error: `no live lsp-proxy named ${JSON.stringify(instance)} that accepts commands (it must report to this exporter with ingest version 2)` });
      }
      try {
        const reason = (body['reason'] as string | undefined) ?? 'manual restart (API)';
        const queued = control.enqueue(instance, body['server'] as string | undefined, { command: 'restart', reason }, MANUAL_TTL_MS);
        if (queued.targets.length === 0)
          return void res.status(404).json({ error: `lsp-proxy ${JSON.stringify(instance)} runs no server ${JSON.stringify(body['server'])}` });
        logger.info({ id: queued.id, instance, reason }, 'lsp restart queued');
        res.status(202).json(queued);
      } catch (error) {
        if (!(error instanceof LspControlError)) throw error;
        res.status(400).json({ error: error.message });
      }
    },
  );
  app.get('/api/v1/lsp/commands/:id', access.require('viewer', 'GET /api/v1/lsp/commands/{id}'), (req: Request, res: Response) => {
    const status = control.status(String(req.params['id']));
    if (status === undefined) return void res.status(404).json({ error: 'no such command (unknown, or settled more than an hour ago)' });
    res.json(status);
  });
}

interface BatchIssue {
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
