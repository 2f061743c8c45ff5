import type express from 'express';
import type { Request, Response } from 'express';
import { jsonBody, requireWriteAuth, type WriteAuth } from '../http/request-guards.js';
import type { Logger } from '../log.js';
import { isUnavailable } from './db.js';
import type { Intake } from './intake.js';
import type { BridgeMetrics } from './metrics.js';
import type { OutboxChannel } from './outbox.js';
import { describeIssues, webhookPayloadSchema } from './payload.js';

export const WEBHOOK_PATH = '/api/v1/alertmanager/webhook';

export interface WebhookDeps {
  readonly auth: WriteAuth;
  /** Bytes. */
  readonly maxBody: number;
  readonly intake: Intake;
  readonly metrics: BridgeMetrics;
  readonly logger: Logger;
  /** False once shutdown began: answer 503 so Alertmanager keeps the notification and retries. */
  readonly accepting: () => boolean;
  readonly enqueued: (channels: Iterable<OutboxChannel>) => void;
}

/**
 * Alertmanager's webhook receiver. The answer is 200 only once the notification is committed to the
 * outbox; a store that cannot write answers 503, the one status Alertmanager retries (it drops the
 * notification on any 4xx, 429 included).
 */
export function mountWebhook(app: express.Express, deps: WebhookDeps): void {
  const { metrics, logger } = deps;
  app.post(
    WEBHOOK_PATH,
    requireWriteAuth(deps.auth, (outcome) => metrics.webhookRequests.inc({ outcome })),
    ...jsonBody(deps.maxBody, (rejection) => metrics.webhookRequests.inc({ outcome: rejection })),
    async (req: Request, res: Response) => {
      if (!deps.accepting()) {
        metrics.webhookRequests.inc({ outcome: 'unavailable' });
        res.status(503).json({ error: 'shutting down; retry' });
        return;
      }
      const parsed = webhookPayloadSchema.safeParse(req.body);
      if (!parsed.success) {
        metrics.webhookRequests.inc({ outcome: 'invalid' });
        res.status(400).json({ error: `not an Alertmanager webhook payload: ${describeIssues(parsed.error)}` });
        return;
      }
      const payload = parsed.data;
      let result;
      try {
        result = await deps.intake.submit(payload);
      } catch (error) {
        if (!isUnavailable(error)) throw error;
        metrics.webhookRequests.inc({ outcome: 'unavailable' });
        logger.error({ err: error, group_key: payload.groupKey }, 'cannot store a notification; answering 503 so Alertmanager retries');
        res.status(503).json({ error: `the outbox cannot be written (${(error as { code?: string }).code ?? (error as Error).message}); retry later` });
        return;
      }
      for (const alert of result.newEvents) {
        metrics.alertsReceived.inc({ status: alert.status });
        logger.info(
          { alertname: alert.labels['alertname'], severity: alert.labels['severity'], status: alert.status, fingerprint: alert.fingerprint },
          'alert received',
        );
      }
      metrics.webhookRequests.inc({ outcome: result.newEvents.length === 0 ? 'duplicate' : 'accepted' });
      deps.enqueued(result.enqueued.keys());
      res.status(200).json({
        status: 'accepted',
        alerts: result.alerts,
        new: result.newEvents.length,
        enqueued: Object.fromEntries(result.enqueued),
      });
    },
  );
}
