import type express from 'express';
import type { Request, Response } from 'express';
import { jsonBody, requireWriteAuth, type WriteAuth } from '../http/request-guards.js';
import type { Logger } from '../log.js';
import { alertmanagerFingerprint } from './fingerprint.js';
import type { Intake } from './intake.js';
import { capAlert, type SizeLimits } from './limits.js';
import type { BridgeMetrics } from './metrics.js';
import { describeIssues, webhookPayloadSchema } from './payload.js';
import { isUnavailable } from './store/errors.js';

export const WEBHOOK_PATH = '/api/v1/alertmanager/webhook';

export interface WebhookDeps {
  readonly auth: WriteAuth;
  /** Bytes. */
  readonly maxBody: number;
  readonly limits: SizeLimits;
  readonly intake: Intake;
  readonly metrics: BridgeMetrics;
  readonly logger: Logger;
  /** False once shutdown began: answer 503 so Alertmanager keeps the notification and retries. */
  readonly accepting: () => boolean;
  readonly enqueued: (channels: Iterable<string>) => void;
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
      // The fingerprint names the alert everywhere (dedupe, acks, silences): it must be the one Alertmanager
      // computes from these labels, or a payload could pass itself off as another alert.
      const forged = parsed.data.alerts.findIndex((a) => alertmanagerFingerprint(a.labels) !== a.fingerprint);
      if (forged >= 0) {
        metrics.webhookRequests.inc({ outcome: 'invalid_fingerprint' });
        const alert = parsed.data.alerts[forged]!;
        res.status(400).json({
          error: `not an Alertmanager webhook payload: alerts.${forged}.fingerprint: ${alert.fingerprint} is not the fingerprint of its labels (Alertmanager computes ${alertmanagerFingerprint(alert.labels)}); a payload must carry the alerts as Alertmanager sent them`,
        });
        return;
      }
      let truncated = 0;
      const alerts = parsed.data.alerts.map((raw) => {
        const capped = capAlert(raw, deps.limits);
        truncated += capped.truncated;
        return capped.alert;
      });
      if (truncated > 0) {
        metrics.truncated.inc(truncated);
        logger.warn({ group_key: parsed.data.groupKey, values: truncated }, 'cut oversized label values or annotations at intake');
      }
      const payload = { ...parsed.data, alerts };
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
