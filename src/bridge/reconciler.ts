import type { Logger } from '../log.js';
import type { AlertmanagerAlert, AlertmanagerClient } from './alertmanager-client.js';
import type { Intake } from './intake.js';
import type { BridgeMetrics } from './metrics.js';
import type { WebhookPayload } from './payload.js';
import { asNotifiedAlert } from './stored-deliveries.js';
import type { BridgeStore, StoredAlert } from './store/types.js';

/** The most firing alerts one pass compares; more wait for the next pass (newest first). */
const MAX_PER_PASS = 10_000;

export interface ReconcilerOptions {
  readonly store: BridgeStore;
  /** Every Alertmanager of the cluster: an alert is gone only when none of them has it. */
  readonly alertmanagers: readonly AlertmanagerClient[];
  readonly intake: Intake;
  /** How long an alert must be missing before it is resolved (Alertmanager restarts lose alerts for a while). */
  readonly graceMs: number;
  readonly metrics: BridgeMetrics;
  readonly logger: Logger;
  readonly wake: (channels: Iterable<string>) => void;
  readonly now?: () => number;
}

/**
 * Alertmanager sends no resolve for a silenced alert (an ack is a silence), gives up retrying after a
 * while, and cannot reach a bridge that is down. The reconciler closes those gaps: it compares the alerts
 * the bridge holds as firing with Alertmanager's own list (`GET /api/v2/alerts`, silenced and inhibited
 * included) and resolves, through the intake and so the outbox, every one that Alertmanager has not had
 * for the grace period: every channel that got the firing gets the resolve, and rollbacks run. When any
 * Alertmanager cannot be read, nothing is resolved.
 */
export class Reconciler {
  /** fingerprint + startsAt → when this replica first saw it missing. */
  private readonly missingSince = new Map<string, number>();

  constructor(private readonly options: ReconcilerOptions) {}

  async run(): Promise<{ resolved: number; missing: number }> {
    const { store, alertmanagers, intake, metrics, logger } = this.options;
    const now = (this.options.now ?? Date.now)();
    let held: Map<string, AlertmanagerAlert>;
    try {
      held = new Map();
      for (const list of await Promise.all(alertmanagers.map((am) => am.alerts()))) for (const alert of list) held.set(alert.fingerprint, alert);
    } catch (error) {
      metrics.reconciler.inc({ outcome: 'unreachable' });
      logger.warn({ err: (error as Error).message }, 'reconciler cannot read Alertmanager; nothing resolved this time');
      return { resolved: 0, missing: this.missingSince.size };
    }
    metrics.reconciler.inc({ outcome: 'ok' });
    const firing = await store.firing(MAX_PER_PASS);
    const seen = new Set<string>();
    const due: StoredAlert[] = [];
    for (const alert of firing) {
      const key = `${alert.fingerprint}|${alert.startsAt}`;
      seen.add(key);
      const current = held.get(alert.fingerprint);
      // Still held, for this episode: nothing to do. (A later episode held means this one ended.)
      if (current !== undefined && !(Date.parse(current.startsAt) > Date.parse(alert.startsAt))) {
        this.missingSince.delete(key);
        continue;
      }
      const since = this.missingSince.get(key) ?? now;
      this.missingSince.set(key, since);
      if (now - since >= this.options.graceMs) due.push(alert);
    }
    for (const key of this.missingSince.keys()) if (!seen.has(key)) this.missingSince.delete(key);

    let resolved = 0;
    for (const payload of resolvePayloads(due, new Date(now).toISOString())) {
      const result = await intake.submit(payload);
      resolved += result.newEvents.length;
      this.options.wake(result.enqueued.keys());
      for (const alert of result.newEvents) {
        this.missingSince.delete(`${alert.fingerprint}|${alert.startsAt}`);
        logger.info(
          { fingerprint: alert.fingerprint, alertname: alert.labels['alertname'] },
          'resolved by the reconciler: Alertmanager no longer has this alert',
        );
      }
    }
    if (resolved > 0) {
      metrics.reconcilerResolved.inc(resolved);
      await store.audit('reconciled', undefined, { resolved: due.map((a) => ({ fingerprint: a.fingerprint, alertname: a.alertname, startsAt: a.startsAt })) });
    }
    return { resolved, missing: this.missingSince.size };
  }
}

/** One synthetic Alertmanager payload per group, as Alertmanager would have sent the resolve. */
function resolvePayloads(alerts: readonly StoredAlert[], endsAt: string): WebhookPayload[] {
  const groups = new Map<string, StoredAlert[]>();
  for (const alert of alerts) groups.set(alert.groupKey, [...(groups.get(alert.groupKey) ?? []), alert]);
  return [...groups].map(([groupKey, members]) => ({
    version: '4',
    groupKey,
    truncatedAlerts: 0,
    status: 'resolved',
    receiver: 'ide-monitor reconciler',
    groupLabels: {},
    commonLabels: common(members.map((a) => a.labels)),
    commonAnnotations: {},
    externalURL: members[0]!.externalURL,
    alerts: members.map((a) => asNotifiedAlert(a, 'resolved', endsAt)),
  }));
}

function common(labelSets: ReadonlyArray<Record<string, string>>): Record<string, string> {
  const [first, ...rest] = labelSets;
  return Object.fromEntries(Object.entries(first ?? {}).filter(([name, value]) => rest.every((labels) => labels[name] === value)));
}
