import type express from 'express';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { duration } from '../config/schema-types.js';
import type { AccessGuard } from '../access/guard.js';
import { principalOf } from '../access/guard.js';
import { jsonBody } from '../http/request-guards.js';
import type { Logger } from '../log.js';
import type { AlertmanagerClient } from './alertmanager-client.js';
import type { IntakeChannel } from './intake.js';
import { silenceMatchers } from './limits.js';
import type { BridgeMetrics } from './metrics.js';
import { describeIssues } from './payload.js';
import { route, type Route } from './routing.js';
import { ackDeliveries, channelsOf } from './stored-deliveries.js';
import type { Ack, BridgeStore, StoredAlert } from './store/types.js';

export interface AlertsApiDeps {
  readonly access: AccessGuard;
  readonly store: BridgeStore;
  /** Where acks make silences; undefined: acks are recorded and announced, without a silence. */
  readonly alertmanager: AlertmanagerClient | undefined;
  /** Make a silence with each ack (bridge.alertmanager.ack_silence). */
  readonly ackSilence: boolean;
  readonly routes: readonly Route[];
  readonly channels: ReadonlyMap<string, IntakeChannel>;
  readonly metrics: BridgeMetrics;
  readonly logger: Logger;
  readonly wake: (channels: Iterable<string>) => void;
}

/** Ten years, Prometheus' and Alertmanager's own upper end for a silence people mean as "for ever". */
const MAX_ACK_DURATION_MS = 10 * 31_536_000_000;

const ackSchema = z.strictObject({
  /** How long the silence lasts, a Prometheus duration: `30m`, `2h`, `10y`. */
  duration: duration.refine((ms) => ms <= MAX_ACK_DURATION_MS, 'at most 10y').default(3_600_000),
  comment: z.string().min(1).max(1000).default('Acknowledged through ide-monitor'),
  createdBy: z.string().min(1).max(200).default('ide-monitor'),
  /** Overrides bridge.alertmanager.ack_silence for this ack. */
  silence: z.boolean().optional(),
});

const resolveSchema = z.strictObject({
  resolution: z.string().min(1).max(4000),
  createdBy: z.string().min(1).max(200).default('ide-monitor'),
});

const unackSchema = z.strictObject({ createdBy: z.string().min(1).max(200).default('ide-monitor') });

const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  before: z.coerce.number().int().positive().optional(),
  kind: z.string().min(1).optional(),
});

const ACTIVE_LIMIT = 1000;

/**
 * Who did it, for the audit log and the silence: the authenticated principal, never a name from the body.
 * Only where no principal can be told apart (the old shared token, a loopback call without auth) is the
 * body's `createdBy` kept, marked as claimed.
 */
function actor(req: Request, res: Response, claimed: string): { by: string; audit: Record<string, unknown> } {
  const principal = principalOf(res);
  const shared = principal.via === 'shared-token' || principal.via === 'loopback';
  return {
    by: shared ? `${claimed} (unverified: ${principal.name})` : principal.name,
    audit: { principal: principal.name, via: principal.via, role: principal.role, remote: req.socket.remoteAddress, ...(shared && { claimedBy: claimed }) },
  };
}

/**
 * The alert management API. Viewers list alerts and history; operators ack, unack and resolve with a
 * note; admins read the audit log (access.principals; with only the old webhook token, that token may do
 * everything, as before). Ack: an acknowledgement on every channel, and a silence. Everything reads and
 * writes the store, so any replica answers the same.
 */
export function mountAlertsApi(app: express.Express, deps: AlertsApiDeps): void {
  const { store, logger, metrics, access } = deps;
  const viewer = (route: string) => access.require('viewer', route);
  const operator = (route: string) => access.require('operator', route);

  app.get('/api/v1/alerts', viewer('GET /api/v1/alerts'), async (_req: Request, res: Response) => {
    const firing = await store.firing(ACTIVE_LIMIT);
    const active = [];
    for (const alert of firing) active.push({ ...alert, deliveries: await store.deliveries(alert.fingerprint) });
    res.json({ alerts: active });
  });

  app.get('/api/v1/alerts/history', viewer('GET /api/v1/alerts/history'), async (req: Request, res: Response) => {
    const query = pageQuery.safeParse(req.query);
    if (!query.success) return void res.status(400).json({ error: describeIssues(query.error) });
    res.json({ events: await store.history(query.data.limit, query.data.before) });
  });

  app.get('/api/v1/audit', access.require('admin', 'GET /api/v1/audit'), async (req: Request, res: Response) => {
    const query = pageQuery.safeParse(req.query);
    if (!query.success) return void res.status(400).json({ error: describeIssues(query.error) });
    res.json({ entries: await store.auditLog(query.data.limit, query.data.before, query.data.kind) });
  });

  /** The alert, or an answer already sent (404 unknown, 409 not firing). */
  const firingAlert = async (req: Request, res: Response, verb: string): Promise<StoredAlert | undefined> => {
    const fingerprint = String(req.params['fingerprint']);
    const alert = await store.getAlert(fingerprint);
    if (alert === undefined) return void res.status(404).json({ error: `no alert with fingerprint ${fingerprint} has reached the bridge` });
    if (alert.status !== 'firing')
      return void res.status(409).json({ error: `alert ${fingerprint} (${alert.alertname}) is resolved since ${alert.endsAt}; there is nothing to ${verb}` });
    return alert;
  };

  const announce = async (alert: StoredAlert, ack: Ack, action: 'acknowledged' | 'unacknowledged', by: string, at: string) => {
    const deliveries = ackDeliveries(alert, channelsOf(deps.routes, alert), deps.channels, {
      action,
      by,
      at,
      comment: action === 'acknowledged' ? ack.comment : '',
    });
    await store.enqueue(deliveries);
    deps.wake(deliveries.map((d) => d.channel));
  };

  app.post('/api/v1/alerts/:fingerprint/ack', operator('POST /api/v1/alerts/{fp}/ack'), ...jsonBody('64kb'), async (req: Request, res: Response) => {
    const body = ackSchema.safeParse(req.body ?? {});
    if (!body.success) return void res.status(400).json({ error: describeIssues(body.error) });
    const alert = await firingAlert(req, res, 'acknowledge');
    if (alert === undefined) return;
    const at = new Date().toISOString();
    const who = actor(req, res, body.data.createdBy);
    // The store decides who acked first (on any replica); a second ack gets the first one back.
    const { ack, created } = await store.putAck({ fingerprint: alert.fingerprint, startsAt: alert.startsAt, by: who.by, at, comment: body.data.comment });
    if (!created) return void res.status(200).json(ackAnswer(ack, false));
    let silenceId: string | null = null;
    const wantSilence = body.data.silence ?? deps.ackSilence;
    if (wantSilence && deps.alertmanager !== undefined) {
      const silence = {
        matchers: silenceMatchers(alert.labels),
        startsAt: at,
        endsAt: new Date(Date.parse(at) + body.data.duration).toISOString(),
        createdBy: who.by,
        comment: body.data.comment,
      };
      try {
        silenceId = await deps.alertmanager.createSilence(silence);
      } catch (error) {
        // No half-done ack: withdraw it so that a retry can make it whole.
        await store.withdrawAck(alert.fingerprint, alert.startsAt);
        logger.warn({ fingerprint: alert.fingerprint, err: (error as Error).message }, 'Alertmanager refused the silence; ack not recorded');
        return void res.status(502).json({ error: `cannot create the silence: ${(error as Error).message}` });
      }
      await store.setAckSilence(alert.fingerprint, alert.startsAt, silenceId);
    }
    await store.audit('ack', alert.fingerprint, {
      by: ack.by,
      ...who.audit,
      comment: ack.comment,
      startsAt: alert.startsAt,
      alertname: alert.alertname,
      silenceID: silenceId,
      matchers: silenceId === null ? undefined : silenceMatchers(alert.labels),
    });
    await announce(alert, ack, 'acknowledged', ack.by, at);
    metrics.acks.inc({ action: 'ack' });
    logger.info({ fingerprint: alert.fingerprint, silence_id: silenceId, by: ack.by }, 'alert acknowledged');
    res.status(201).json(ackAnswer({ ...ack, silenceId }, true));
  });

  app.delete('/api/v1/alerts/:fingerprint/ack', operator('DELETE /api/v1/alerts/{fp}/ack'), ...jsonBody('64kb'), async (req: Request, res: Response) => {
    const body = unackSchema.safeParse(req.body ?? {});
    if (!body.success) return void res.status(400).json({ error: describeIssues(body.error) });
    const alert = await firingAlert(req, res, 'unacknowledge');
    if (alert === undefined) return;
    const ack = await store.withdrawAck(alert.fingerprint, alert.startsAt);
    if (ack === undefined) return void res.status(404).json({ error: `alert ${alert.fingerprint} is not acknowledged` });
    const expired = await expireSilence(ack);
    // Unacknowledged again: its route's escalation clock restarts (if the route has one).
    const after = route(deps.routes, alert.labels).escalation?.afterMs;
    if (after !== undefined && alert.escalatedAt === null) await store.setEscalation(alert.fingerprint, alert.startsAt, Date.now() + after);
    const at = new Date().toISOString();
    const who = actor(req, res, body.data.createdBy);
    await store.audit('unack', alert.fingerprint, {
      by: who.by,
      ...who.audit,
      startsAt: alert.startsAt,
      alertname: alert.alertname,
      silenceID: ack.silenceId,
      silenceExpired: expired,
    });
    await announce(alert, ack, 'unacknowledged', who.by, at);
    metrics.acks.inc({ action: 'unack' });
    res.status(200).json({ fingerprint: alert.fingerprint, unacknowledged: true, silenceID: ack.silenceId, silenceExpired: expired });
  });

  app.post('/api/v1/alerts/:fingerprint/resolve', operator('POST /api/v1/alerts/{fp}/resolve'), ...jsonBody('64kb'), async (req: Request, res: Response) => {
    const body = resolveSchema.safeParse(req.body ?? {});
    if (!body.success) return void res.status(400).json({ error: describeIssues(body.error) });
    const alert = await firingAlert(req, res, 'resolve');
    if (alert === undefined) return;
    await store.setResolution(alert.fingerprint, alert.startsAt, body.data.resolution);
    // The silence would hide the resolve from Alertmanager's side; with it expired, Alertmanager sends the
    // resolve when the condition clears (and the reconciler would, were it silenced).
    const ack = alert.ack === null ? undefined : await store.withdrawAck(alert.fingerprint, alert.startsAt);
    const expired = ack === undefined ? false : await expireSilence(ack);
    const who = actor(req, res, body.data.createdBy);
    await store.audit('resolve_note', alert.fingerprint, {
      by: who.by,
      ...who.audit,
      resolution: body.data.resolution,
      startsAt: alert.startsAt,
      alertname: alert.alertname,
      silenceExpired: expired,
    });
    metrics.acks.inc({ action: 'resolve_note' });
    res.status(202).json({
      fingerprint: alert.fingerprint,
      resolution: body.data.resolution,
      silenceExpired: expired,
      status: 'firing',
      message: 'noted; the alert stays firing until Alertmanager resolves it (the bridge does not fake a resolve): the note is shown in its resolve messages',
    });
  });

  async function expireSilence(ack: Ack): Promise<boolean> {
    if (ack.silenceId === null || deps.alertmanager === undefined) return false;
    try {
      await deps.alertmanager.expireSilence(ack.silenceId);
      return true;
    } catch (error) {
      logger.warn({ silence_id: ack.silenceId, err: (error as Error).message }, "cannot expire the ack's silence; it ends at its own time");
      return false;
    }
  }
}

function ackAnswer(ack: Ack, created: boolean) {
  return { fingerprint: ack.fingerprint, startsAt: ack.startsAt, by: ack.by, at: ack.at, comment: ack.comment, silenceID: ack.silenceId, created };
}
