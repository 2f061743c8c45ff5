import axios from 'axios';
import type express from 'express';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { duration } from '../config/schema-types.js';
import { jsonBody, requireWriteAuth, type WriteAuth } from '../http/request-guards.js';
import type { Logger } from '../log.js';
import type { AlertStore } from './alert-store.js';
import { describeIssues } from './payload.js';

export interface AlertsApiDeps {
  readonly auth: WriteAuth;
  readonly alerts: AlertStore;
  /** Alertmanager's base URL; without it acknowledgements answer 501 with the setting to set. */
  readonly alertmanagerUrl: string | undefined;
  readonly logger: Logger;
}

const ackSchema = z.strictObject({
  /** How long the silence lasts, a Prometheus duration: `30m`, `2h`. */
  duration: duration.default(3_600_000),
  comment: z.string().min(1).max(1000).default('Acknowledged through ide-monitor'),
  createdBy: z.string().min(1).max(200).default('ide-monitor'),
});

const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  before: z.coerce.number().int().positive().optional(),
  kind: z.string().min(1).optional(),
});

const silenceAnswer = z.object({ silenceID: z.string().min(1) });

/**
 * The alert management API, behind the same bearer-or-loopback auth as the webhook: active alerts with
 * their delivery and action state, history, the audit log, and acknowledgement as an Alertmanager silence.
 */
export function mountAlertsApi(app: express.Express, deps: AlertsApiDeps): void {
  const auth = requireWriteAuth(deps.auth);
  const { alerts } = deps;

  app.get('/api/v1/alerts', auth, (_req: Request, res: Response) => {
    const active = alerts.firing().map((alert) => ({ ...alert, deliveries: alerts.deliveries(alert.fingerprint) }));
    res.json({ alerts: active });
  });

  app.get('/api/v1/alerts/history', auth, (req: Request, res: Response) => {
    const query = pageQuery.safeParse(req.query);
    if (!query.success) return void res.status(400).json({ error: describeIssues(query.error) });
    res.json({ events: alerts.history(query.data.limit, query.data.before) });
  });

  app.get('/api/v1/audit', auth, (req: Request, res: Response) => {
    const query = pageQuery.safeParse(req.query);
    if (!query.success) return void res.status(400).json({ error: describeIssues(query.error) });
    res.json({ entries: alerts.auditLog(query.data.limit, query.data.before, query.data.kind) });
  });

  app.post('/api/v1/alerts/:fingerprint/ack', auth, ...jsonBody('64kb'), async (req: Request, res: Response) => {
    const fingerprint = String(req.params['fingerprint']);
    const body = ackSchema.safeParse(req.body ?? {});
    if (!body.success) return void res.status(400).json({ error: describeIssues(body.error) });
    if (deps.alertmanagerUrl === undefined) {
      return void res.status(501).json({ error: 'acknowledging needs Alertmanager\'s URL: set bridge.alertmanager.url or IDE_MONITOR_ALERTMANAGER_URL' });
    }
    const alert = alerts.get(fingerprint);
    if (alert === undefined) return void res.status(404).json({ error: `no alert with fingerprint ${fingerprint} has reached the bridge` });
    const startsAt = new Date();
    const endsAt = new Date(startsAt.getTime() + body.data.duration);
    const silence = {
      matchers: Object.entries(alert.labels).map(([name, value]) => ({ name, value, isRegex: false, isEqual: true })),
      startsAt: startsAt.toISOString(),
      endsAt: endsAt.toISOString(),
      createdBy: body.data.createdBy,
      comment: body.data.comment,
    };
    let silenceID: string;
    try {
      const response = await axios.post(`${deps.alertmanagerUrl.replace(/\/$/, '')}/api/v2/silences`, silence, { timeout: 10_000, validateStatus: () => true });
      const answer = silenceAnswer.safeParse(response.data);
      if (response.status !== 200 || !answer.success) {
        deps.logger.warn({ fingerprint, status: response.status }, 'Alertmanager refused the silence');
        return void res.status(502).json({ error: `Alertmanager answered ${response.status}: ${JSON.stringify(response.data).slice(0, 300)}` });
      }
      silenceID = answer.data.silenceID;
    } catch (error) {
      return void res.status(502).json({ error: `cannot reach Alertmanager: ${(error as { code?: string }).code ?? (error as Error).message}` });
    }
    alerts.audit('ack', fingerprint, { silenceID, createdBy: silence.createdBy, comment: silence.comment, startsAt: silence.startsAt, endsAt: silence.endsAt, alertname: alert.alertname });
    deps.logger.info({ fingerprint, silence_id: silenceID, created_by: silence.createdBy }, 'alert acknowledged with an Alertmanager silence');
    res.status(201).json({ silenceID, fingerprint, startsAt: silence.startsAt, endsAt: silence.endsAt });
  });
}
