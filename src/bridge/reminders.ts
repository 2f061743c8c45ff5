import type { Logger } from '../log.js';
import type { IntakeChannel } from './intake.js';
import type { Route } from './routing.js';
import { channelsOf, firingDeliveries } from './stored-deliveries.js';
import type { BridgeStore } from './store/types.js';

/** The most firing alerts one pass looks at, newest first. */
const MAX_PER_PASS = 1000;

export interface ReminderOptions {
  readonly store: BridgeStore;
  readonly routes: readonly Route[];
  readonly channels: ReadonlyMap<string, IntakeChannel>;
  readonly intervalMs: number;
  readonly severities: readonly string[];
  /** Channels that repeat (of those the alert reached). */
  readonly remindOn: readonly string[];
  readonly logger: Logger;
  readonly wake: (channels: Iterable<string>) => void;
  readonly now?: () => number;
}

/**
 * Reminders: an unacknowledged alert of the listed severities that is still firing is posted again to
 * the listed channels every `repeat_interval`. The bridge drops Alertmanager's own repeats (they are
 * duplicates of an event it has), so this is where repeating lives. Reminder N of an episode has its own
 * dedup key, so it is sent once however many replicas or passes see it due.
 */
export class Reminders {
  constructor(private readonly options: ReminderOptions) {}

  async run(): Promise<number> {
    const { store, routes, channels, intervalMs, severities, remindOn, logger } = this.options;
    const now = (this.options.now ?? Date.now)();
    let added = 0;
    for (const alert of await store.firing(MAX_PER_PASS)) {
      if (alert.ack !== null || !severities.includes(alert.severity)) continue;
      const due = Math.floor((now - Date.parse(alert.startsAt)) / intervalMs);
      if (!(due >= 1)) continue;
      const targets = [...channelsOf(routes, alert)].filter((c) => remindOn.includes(c));
      const hours = Math.round(((now - Date.parse(alert.startsAt)) / 3_600_000) * 10) / 10;
      const note = `Reminder: still firing after ${hours} h and not acknowledged.`;
      const count = await store.enqueue(firingDeliveries(alert, targets, channels, `reminder-${due}`, note));
      if (count > 0) {
        added += count;
        logger.info({ fingerprint: alert.fingerprint, alertname: alert.alertname, reminder: due }, 'reminder posted for an unacknowledged alert');
        this.options.wake(targets);
      }
    }
    return added;
  }
}
