import type { Logger } from '../log.js';
import type { IntakeChannel } from './intake.js';
import type { BridgeMetrics } from './metrics.js';
import { route, type Route } from './routing.js';
import { firingDeliveries } from './stored-deliveries.js';
import type { BridgeStore } from './store/types.js';

const BATCH = 100;

/**
 * Escalation: a firing alert whose route says `escalate_after` and that nobody acknowledged in that time
 * also goes to the route's `escalate_to` channels. The clock lives in the store (set at intake, stopped by
 * an ack or the resolve), so it survives restarts, and `takeDueEscalations` hands each one to exactly one
 * replica.
 */
export class Escalator {
  constructor(
    private readonly deps: {
      readonly store: BridgeStore;
      readonly routes: readonly Route[];
      readonly channels: ReadonlyMap<string, IntakeChannel>;
      readonly metrics: BridgeMetrics;
      readonly logger: Logger;
      readonly wake: (channels: Iterable<string>) => void;
      readonly now?: () => number;
    },
  ) {}

  /** Escalates what is due; returns how many alerts escalated. */
  async run(): Promise<number> {
    const { store, routes, channels, metrics, logger } = this.deps;
    const due = await store.takeDueEscalations((this.deps.now ?? Date.now)(), BATCH);
    for (const alert of due) {
      const escalation = route(routes, alert.labels).escalation;
      const targets = escalation?.channels ?? [];
      const after = escalation === undefined ? 'its escalate_after' : `${Math.round(escalation.afterMs / 60_000)} min`;
      const note = `Escalated: not acknowledged within ${after}.`;
      const added = await store.enqueue(firingDeliveries(alert, targets, channels, 'escalation', note));
      await store.audit('escalated', alert.fingerprint, {
        alertname: alert.alertname,
        startsAt: alert.startsAt,
        channels: targets.filter((c) => channels.has(c)),
        deliveries: added,
      });
      metrics.escalations.inc();
      logger.warn({ fingerprint: alert.fingerprint, alertname: alert.alertname, channels: targets.join(',') }, 'alert escalated: not acknowledged in time');
      this.deps.wake(targets);
    }
    return due.length;
  }
}
