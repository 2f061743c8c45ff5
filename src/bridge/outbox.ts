import type { BridgeChannel } from '../config/sections/bridge.js';
import type { Db } from './db.js';

/** Notification channels plus `action`: automated responses travel through the same durable queue. */
export type OutboxChannel = BridgeChannel | 'action';
export const OUTBOX_CHANNELS: readonly OutboxChannel[] = ['slack', 'pagerduty', 'webhook', 'action'];

export interface NewDelivery {
  readonly channel: OutboxChannel;
  /** Unique per channel for ever (until pruned): the same key is never delivered twice. */
  readonly dedupKey: string;
  /** Deliveries with the same order key go out one at a time, oldest first. */
  readonly orderKey: string;
  readonly body: string;
  readonly fingerprints: readonly string[];
}

export interface OutboxItem {
  readonly id: number;
  readonly channel: OutboxChannel;
  readonly dedupKey: string;
  readonly orderKey: string;
  readonly body: string;
  /** Attempts made before this one. */
  readonly attempts: number;
  readonly createdAt: number;
}

export interface PendingStat {
  readonly channel: OutboxChannel;
  readonly pending: number;
  readonly oldestCreatedAt: number;
}

interface Row {
  id: number;
  channel: OutboxChannel;
  dedup_key: string;
  order_key: string;
  body: string;
  attempts: number;
  created_at: number;
}

/**
 * The durable queue. All state changes are single statements or transactions, so a crash leaves every
 * row either pending, claimed (reclaimed at the next start), or finished.
 */
export class Outbox {
  private readonly insert;
  private readonly link;
  private readonly selectReady;
  private readonly claimOne;
  private readonly delivered;
  private readonly retry;
  private readonly finish;
  private readonly nextDueStmt;
  private readonly statsStmt;

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {
    this.insert = db.prepare(
      `INSERT INTO outbox (channel, dedup_key, order_key, body, created_at, next_attempt_at, updated_at)
       VALUES (@channel, @dedupKey, @orderKey, @body, @now, @now, @now)
       ON CONFLICT (channel, dedup_key) DO NOTHING`,
    );
    this.link = db.prepare('INSERT OR IGNORE INTO outbox_alerts (fingerprint, outbox_id) VALUES (?, ?)');
    // Ready: due, and no older unfinished delivery with the same order key (that one goes first, even
    // while it waits for its retry). Walking the claim index in id order stops at the limit; the
    // planner's own choice sorts the whole backlog on every claim.
    this.selectReady = db.prepare(
      `SELECT id, channel, dedup_key, order_key, body, attempts, created_at FROM outbox AS o INDEXED BY outbox_claim
       WHERE o.channel = ? AND o.state = 'pending' AND o.next_attempt_at <= ?
         AND NOT EXISTS (SELECT 1 FROM outbox AS p WHERE p.channel = o.channel AND p.order_key = o.order_key
                         AND p.id < o.id AND p.state IN ('pending', 'claimed'))
       ORDER BY o.id LIMIT ?`,
    );
    this.claimOne = db.prepare(`UPDATE outbox SET state = 'claimed', updated_at = ? WHERE id = ? AND state = 'pending'`);
    this.delivered = db.prepare(`UPDATE outbox SET state = 'delivered', attempts = attempts + 1, updated_at = ?, last_error = NULL WHERE id = ?`);
    this.retry = db.prepare(
      `UPDATE outbox SET state = 'pending', attempts = attempts + 1, next_attempt_at = ?, updated_at = ?, last_error = ? WHERE id = ?`,
    );
    this.finish = db.prepare(`UPDATE outbox SET state = ?, attempts = attempts + 1, updated_at = ?, last_error = ? WHERE id = ?`);
    // Only heads of their order key count: a due delivery queued behind one in backoff becomes ready
    // when that one does.
    this.nextDueStmt = db.prepare(
      `SELECT MIN(next_attempt_at) AS due FROM outbox AS o WHERE o.channel = ? AND o.state = 'pending'
         AND NOT EXISTS (SELECT 1 FROM outbox AS p WHERE p.channel = o.channel AND p.order_key = o.order_key
                         AND p.id < o.id AND p.state IN ('pending', 'claimed'))`,
    );
    this.statsStmt = db.prepare(
      `SELECT channel, COUNT(*) AS pending, MIN(created_at) AS oldest FROM outbox WHERE state IN ('pending', 'claimed') GROUP BY channel`,
    );
  }

  /** Adds a delivery unless its key was seen before; call inside the intake transaction. */
  enqueue(delivery: NewDelivery): boolean {
    const result = this.insert.run({ ...delivery, now: this.now() });
    if (result.changes === 0) return false;
    for (const fingerprint of new Set(delivery.fingerprints)) this.link.run(fingerprint, result.lastInsertRowid);
    return true;
  }

  /** Marks up to `limit` ready deliveries as claimed and returns them, oldest first. */
  claim(channel: OutboxChannel, limit: number): OutboxItem[] {
    if (limit <= 0) return [];
    return this.db.transaction(() => {
      const now = this.now();
      const rows = this.selectReady.all(channel, now, limit) as Row[];
      for (const row of rows) this.claimOne.run(now, row.id);
      return rows.map(toItem);
    })();
  }

  markDelivered(id: number): void {
    this.delivered.run(this.now(), id);
  }

  scheduleRetry(id: number, delayMs: number, error: string): void {
    const now = this.now();
    this.retry.run(now + delayMs, now, error, id);
  }

  /** Terminal states: `dead` (dead-lettered, with its reason) or `done` (an action that ran, whatever its outcome). */
  markFinished(id: number, state: 'dead' | 'done', error: string | undefined): void {
    this.finish.run(state, this.now(), error ?? null, id);
  }

  /** The earliest time a delivery of the channel becomes ready (due and first of its order key), if any. */
  nextDue(channel: OutboxChannel): number | undefined {
    const row = this.nextDueStmt.get(channel) as { due: number | null };
    return row.due ?? undefined;
  }

  pendingStats(): PendingStat[] {
    return (this.statsStmt.all() as Array<{ channel: OutboxChannel; pending: number; oldest: number }>).map((r) => ({
      channel: r.channel,
      pending: r.pending,
      oldestCreatedAt: r.oldest,
    }));
  }

  /**
   * After a crash, deliveries that were claimed but never finished. Notifications go back to pending
   * (at-least-once; the receivers dedupe). Actions do not: one that was under way may have run, and
   * running it again blindly could do harm, so it is finished as interrupted and returned for the audit log.
   */
  reclaim(): { requeued: number; interruptedActions: OutboxItem[] } {
    return this.db.transaction(() => {
      const now = this.now();
      const actions = (this.db
        .prepare(`SELECT id, channel, dedup_key, order_key, body, attempts, created_at FROM outbox WHERE state = 'claimed' AND channel = 'action'`)
        .all() as Row[]).map(toItem);
      for (const item of actions) this.finish.run('dead', now, 'interrupted by a restart; not run again', item.id);
      const requeued = this.db.prepare(`UPDATE outbox SET state = 'pending', updated_at = ? WHERE state = 'claimed'`).run(now).changes;
      return { requeued, interruptedActions: actions };
    })();
  }

  /** Forgets finished deliveries older than `before` (their dedup keys with them). */
  prune(before: number): number {
    return this.db.prepare(`DELETE FROM outbox WHERE state NOT IN ('pending', 'claimed') AND updated_at < ?`).run(before).changes;
  }

  /** A delivery's current row, for tests and the alert API. */
  state(id: number): { state: string; attempts: number; lastError: string | null; nextAttemptAt: number } | undefined {
    const row = this.db.prepare('SELECT state, attempts, last_error, next_attempt_at FROM outbox WHERE id = ?').get(id) as
      | { state: string; attempts: number; last_error: string | null; next_attempt_at: number }
      | undefined;
    return row === undefined ? undefined : { state: row.state, attempts: row.attempts, lastError: row.last_error, nextAttemptAt: row.next_attempt_at };
  }
}

function toItem(row: Row): OutboxItem {
  return { id: row.id, channel: row.channel, dedupKey: row.dedup_key, orderKey: row.order_key, body: row.body, attempts: row.attempts, createdAt: row.created_at };
}
