import { closeSync, constants, existsSync, fchmodSync, fstatSync, lstatSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { StartupError } from '../../commands/startup-error.js';
import { unsafeDataDir } from '../../config/data-dir.js';
import { StoreUnavailableError } from './errors.js';
import { migrateSqlite } from './sqlite-schema.js';
import {
  eventKey,
  type Ack,
  type AlertEvent,
  type AlertSummary,
  type AuditEntry,
  type BridgeStore,
  type DeliveryRow,
  type DeliveryState,
  type IntakeBatch,
  type IntakeOutcome,
  type NewDelivery,
  type OutboxItem,
  type PendingStat,
  type StoredAlert,
} from './types.js';
import {
  alertFromRow,
  type AlertRow,
  type EventRow,
  eventFromRow,
  itemFromRow,
  type OutboxRow,
  iso,
  summaryFromRow,
  type SummaryRow,
  ackFromRow,
  type AckRow,
} from './rows.js';

const DATA_DIR_FIX = 'set bridge.data_dir (flag --data-dir, env IDE_MONITOR_DATA_DIR) to a directory of this user that only it can write';

/**
 * Refuses an unsafe data dir (src/config/data-dir.ts), then narrows an existing one to 0700 through an open
 * descriptor (not the path, which could be swapped between the check and the chmod).
 */
function secureDataDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = lstatSync(dir);
  const unsafe = unsafeDataDir(stat);
  if (unsafe !== undefined) throw new StartupError(`bridge.data_dir: ${dir} ${unsafe}; ${DATA_DIR_FIX}`);
  chmodOpened(dir, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW, 0o700, stat);
}

/** chmod through a descriptor opened without following a symlink; `expected` guards against a swap since lstat. */
function chmodOpened(name: string, flags: number, mode: number, expected?: { readonly dev: number; readonly ino: number }): void {
  const fd = openSync(name, flags);
  try {
    const opened = fstatSync(fd);
    if (expected !== undefined && (opened.dev !== expected.dev || opened.ino !== expected.ino)) {
      throw new StartupError(`bridge.data_dir: ${name} was replaced while it was being checked; ${DATA_DIR_FIX}`);
    }
    fchmodSync(fd, mode);
  } finally {
    closeSync(fd);
  }
}

/** SQLite's page cache for the outbox connection, in KiB (negative cache_size means KiB). */
export const PAGE_CACHE_KIB = 2000;

/**
 * The embedded store: one file, `bridge.sqlite`, in WAL mode, for one process. The connection runs with
 * synchronous=NORMAL (a commit survives a process kill, not necessarily a power cut); the intake switches
 * to FULL around its transaction, so what Alertmanager was told is stored survives a power cut too.
 * Losing a "delivered" mark in a power cut only means a re-delivery, which the receivers dedupe.
 * `busy_timeout` is short because a second process on the same file is a misconfiguration; the caller
 * answers 503 rather than wait. better-sqlite3 is synchronous: each method does its work at once and
 * returns a settled promise, so the async interface costs one microtask.
 */
export class SqliteStore implements BridgeStore {
  readonly kind = 'sqlite' as const;
  readonly db: Database.Database;
  private readonly s;
  private readonly intakeTx;

  constructor(
    dataDir: string,
    private readonly now: () => number = Date.now,
  ) {
    // The outbox holds alerts, the audit log and action output: readable by this user only.
    secureDataDir(dataDir);
    const file = path.join(dataDir, 'bridge.sqlite');
    try {
      this.db = new Database(file);
    } catch (error) {
      throw new StoreUnavailableError(`cannot open the bridge outbox ${file}: ${(error as Error).message}`, { cause: error });
    }
    const db = this.db;
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 1000');
    db.pragma('foreign_keys = ON');
    // better-sqlite3 builds SQLite with a 16 MB page cache per connection; it fills as the outbox grows,
    // which the soak read as 38 MB/h of RSS growth. The hot pages (pending rows and their index) fit in
    // SQLite's own default of 2 MB; colder pages come from the OS file cache.
    db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
    // SQLite creates later -wal and -shm files with the database file's mode; fix any that exist already.
    for (const name of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(name)) chmodOpened(name, constants.O_RDONLY | constants.O_NOFOLLOW, 0o600);
    migrateSqlite(db);
    this.s = statements(db);
    this.intakeTx = db.transaction((batches: readonly IntakeBatch[]) => batches.map((batch) => this.intakeOne(batch)));
  }

  async intake(batches: readonly IntakeBatch[]): Promise<IntakeOutcome[]> {
    this.db.pragma('synchronous = FULL');
    try {
      return this.intakeTx.immediate(batches);
    } finally {
      this.db.pragma('synchronous = NORMAL');
    }
  }

  private intakeOne(batch: IntakeBatch): IntakeOutcome {
    const now = this.now();
    const newEvents = new Set<string>();
    for (const e of batch.events) {
      const row = {
        fingerprint: e.fingerprint,
        status: e.status,
        startsAt: e.startsAt,
        endsAt: e.endsAt,
        now,
        alertname: e.alertname,
        severity: e.severity,
        labels: JSON.stringify(e.labels),
        annotations: JSON.stringify(e.annotations),
        generatorURL: e.generatorURL,
        groupKey: e.groupKey,
      };
      if (this.s.insertEvent.run(row).changes === 0) continue;
      newEvents.add(eventKey(e));
      this.s.upsertAlert.run({ ...row, externalURL: e.externalURL, escalateAt: e.status === 'firing' ? (e.escalateAt ?? null) : null });
    }
    const enqueued = new Map<string, number>();
    for (const delivery of batch.deliveries) {
      if (delivery.ifNew.length > 0 && !delivery.ifNew.some((key) => newEvents.has(key))) continue;
      if (this.enqueueOne(delivery, now)) enqueued.set(delivery.channel, (enqueued.get(delivery.channel) ?? 0) + 1);
    }
    return { newEvents, enqueued };
  }

  private enqueueOne(delivery: NewDelivery, now: number): boolean {
    const result = this.s.insertDelivery.run({ channel: delivery.channel, dedupKey: delivery.dedupKey, orderKey: delivery.orderKey, body: delivery.body, now });
    if (result.changes === 0) return false;
    for (const fingerprint of new Set(delivery.fingerprints)) this.s.link.run(fingerprint, result.lastInsertRowid);
    return true;
  }

  async enqueue(deliveries: readonly NewDelivery[]): Promise<number> {
    return this.db.transaction(() => deliveries.filter((d) => this.enqueueOne(d, this.now())).length).immediate();
  }

  async claim(channel: string, limit: number, leaseMs: number): Promise<OutboxItem[]> {
    if (limit <= 0) return [];
    return this.db.transaction(() => {
      const now = this.now();
      const rows = this.s.selectReady.all(channel, now, limit) as OutboxRow[];
      for (const row of rows) this.s.claimOne.run(now, now + leaseMs, row.id);
      return rows.map(itemFromRow);
    })();
  }

  async markDelivered(id: number): Promise<void> {
    this.s.delivered.run(this.now(), id);
  }

  async scheduleRetry(id: number, delayMs: number, error: string): Promise<void> {
    const now = this.now();
    this.s.retry.run(now + delayMs, now, error, id);
  }

  async markFinished(id: number, state: 'dead' | 'done', error: string | undefined): Promise<void> {
    this.s.finish.run(state, this.now(), error ?? null, id);
  }

  async nextDue(channel: string): Promise<number | undefined> {
    const row = this.s.nextDue.get(channel) as { due: number | null };
    return row.due ?? undefined;
  }

  async pendingStats(): Promise<PendingStat[]> {
    return (this.s.stats.all() as Array<{ channel: string; pending: number; oldest: number }>).map((r) => ({
      channel: r.channel,
      pending: r.pending,
      oldestCreatedAt: r.oldest,
    }));
  }

  async reclaim(all: boolean): Promise<{ requeued: number; interruptedActions: OutboxItem[] }> {
    return this.db.transaction(() => {
      const now = this.now();
      const expired = all ? Number.MAX_SAFE_INTEGER : now;
      const actions = (this.s.expiredActions.all(expired) as OutboxRow[]).map(itemFromRow);
      for (const item of actions) this.s.finish.run('dead', now, 'interrupted by a restart; not run again', item.id);
      const requeued = this.s.requeue.run(now, expired).changes;
      return { requeued, interruptedActions: actions };
    })();
  }

  async delivery(id: number): Promise<DeliveryRow | undefined> {
    const row = this.db.prepare('SELECT state, attempts, last_error, next_attempt_at FROM outbox WHERE id = ?').get(id) as
      { state: string; attempts: number; last_error: string | null; next_attempt_at: number } | undefined;
    return row === undefined ? undefined : { state: row.state, attempts: row.attempts, lastError: row.last_error, nextAttemptAt: row.next_attempt_at };
  }

  async getAlert(fingerprint: string): Promise<StoredAlert | undefined> {
    const row = this.s.getAlert.get(fingerprint) as AlertRow | undefined;
    return row === undefined ? undefined : alertFromRow(row);
  }

  async getAlerts(fingerprints: readonly string[]): Promise<Map<string, StoredAlert>> {
    // Synchronous point reads on the primary key: one statement per alert costs less than building an IN list.
    const found = new Map<string, StoredAlert>();
    for (const fingerprint of new Set(fingerprints)) {
      const row = this.s.getAlert.get(fingerprint) as AlertRow | undefined;
      if (row !== undefined) found.set(fingerprint, alertFromRow(row));
    }
    return found;
  }

  async firing(limit: number): Promise<StoredAlert[]> {
    return (this.s.firing.all(limit) as AlertRow[]).map(alertFromRow);
  }

  async firingSummary(limit: number): Promise<{ counts: Record<string, number>; items: AlertSummary[] }> {
    const counts: Record<string, number> = {};
    for (const row of this.s.severityCounts.all() as Array<{ severity: string; n: number }>) counts[row.severity] = row.n;
    const items = (this.s.summaries.all(limit) as SummaryRow[]).map(summaryFromRow);
    return { counts, items };
  }

  async deliveries(fingerprint: string): Promise<DeliveryState[]> {
    const rows = this.s.deliveries.all(fingerprint) as Array<{
      channel: string;
      dedup_key: string;
      state: string;
      attempts: number;
      last_error: string | null;
      updated_at: number;
    }>;
    return rows.map((r) => ({
      channel: r.channel,
      key: r.dedup_key,
      state: r.state,
      attempts: r.attempts,
      lastError: r.last_error,
      updatedAt: iso(r.updated_at),
    }));
  }

  async history(limit: number, beforeId?: number): Promise<AlertEvent[]> {
    return (this.s.history.all(beforeId ?? Number.MAX_SAFE_INTEGER, limit) as EventRow[]).map(eventFromRow);
  }

  async putAck(ack: Omit<Ack, 'withdrawnAt' | 'silenceId'>): Promise<{ ack: Ack; created: boolean }> {
    return this.db
      .transaction(() => {
        const existing = this.s.getAck.get(ack.fingerprint, ack.startsAt) as AckRow | undefined;
        if (existing !== undefined && existing.withdrawn_at === null) return { ack: ackFromRow(existing), created: false };
        this.s.upsertAck.run({ fingerprint: ack.fingerprint, startsAt: ack.startsAt, by: ack.by, at: Date.parse(ack.at), comment: ack.comment });
        return { ack: ackFromRow(this.s.getAck.get(ack.fingerprint, ack.startsAt) as AckRow), created: true };
      })
      .immediate();
  }

  async setAckSilence(fingerprint: string, startsAt: string, silenceId: string): Promise<void> {
    this.db.prepare('UPDATE acks SET silence_id = ? WHERE fingerprint = ? AND starts_at = ?').run(silenceId, fingerprint, startsAt);
  }

  async withdrawAck(fingerprint: string, startsAt: string): Promise<Ack | undefined> {
    return this.db
      .transaction(() => {
        const existing = this.s.getAck.get(fingerprint, startsAt) as AckRow | undefined;
        if (existing === undefined || existing.withdrawn_at !== null) return undefined;
        const at = this.now();
        this.db.prepare('UPDATE acks SET withdrawn_at = ? WHERE fingerprint = ? AND starts_at = ?').run(at, fingerprint, startsAt);
        return ackFromRow({ ...existing, withdrawn_at: at });
      })
      .immediate();
  }

  async setResolution(fingerprint: string, startsAt: string, note: string): Promise<void> {
    this.db.prepare('UPDATE alerts SET resolution = ? WHERE fingerprint = ? AND starts_at = ?').run(note, fingerprint, startsAt);
  }

  async takeDueEscalations(now: number, limit: number): Promise<StoredAlert[]> {
    return this.db
      .transaction(() => {
        const rows = this.s.dueEscalations.all(now, limit) as AlertRow[];
        for (const row of rows) this.s.markEscalated.run(now, row.fingerprint);
        return rows.map((row) => alertFromRow({ ...row, escalated_at: now }));
      })
      .immediate();
  }

  async setEscalation(fingerprint: string, startsAt: string, at: number | undefined): Promise<void> {
    this.db.prepare('UPDATE alerts SET escalate_at = ?, escalated_at = NULL WHERE fingerprint = ? AND starts_at = ?').run(at ?? null, fingerprint, startsAt);
  }

  async lastTrigger(action: string, fingerprint: string): Promise<number | undefined> {
    const row = this.s.lastTrigger.get(action, fingerprint) as { at: number | null };
    return row.at ?? undefined;
  }

  async recordTrigger(action: string, fingerprint: string, startsAt: string, at: number): Promise<void> {
    this.s.recordTrigger.run(action, fingerprint, startsAt, at);
  }

  async forgetTrigger(action: string, fingerprint: string, startsAt: string): Promise<void> {
    this.db.prepare('DELETE FROM action_triggers WHERE action = ? AND fingerprint = ? AND starts_at = ?').run(action, fingerprint, startsAt);
  }

  async triggered(action: string, fingerprint: string, startsAt: string): Promise<boolean> {
    return (
      this.db.prepare('SELECT 1 FROM action_triggers WHERE action = ? AND fingerprint = ? AND starts_at = ?').get(action, fingerprint, startsAt) !== undefined
    );
  }

  async audit(kind: string, fingerprint: string | undefined, detail: unknown): Promise<void> {
    this.s.insertAudit.run(this.now(), kind, fingerprint ?? null, JSON.stringify(detail));
  }

  async auditLog(limit: number, beforeId?: number, kind?: string): Promise<AuditEntry[]> {
    const rows = this.s.auditLog.all(beforeId ?? Number.MAX_SAFE_INTEGER, kind ?? null, kind ?? null, limit) as Array<{
      id: number;
      at: number;
      kind: string;
      fingerprint: string | null;
      detail: string;
    }>;
    return rows.map((r) => ({ id: r.id, at: iso(r.at), kind: r.kind, fingerprint: r.fingerprint, detail: JSON.parse(r.detail) as unknown }));
  }

  async prune(before: number): Promise<void> {
    this.db.transaction(() => {
      this.db.prepare(`DELETE FROM outbox WHERE state NOT IN ('pending', 'claimed') AND updated_at < ?`).run(before);
      this.db.prepare('DELETE FROM alert_events WHERE received_at < ?').run(before);
      this.db.prepare('DELETE FROM audit WHERE at < ?').run(before);
      this.db.prepare(`DELETE FROM acks WHERE fingerprint IN (SELECT fingerprint FROM alerts WHERE status = 'resolved' AND updated_at < ?)`).run(before);
      this.db.prepare(`DELETE FROM alerts WHERE status = 'resolved' AND updated_at < ?`).run(before);
      this.db.prepare('DELETE FROM action_triggers WHERE at < ?').run(before);
    })();
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

/** The alert row with its current episode's ack (if not withdrawn) joined in. */
const ALERT_SELECT = `SELECT a.*, k.by AS ack_by, k.at AS ack_at, k.comment AS ack_comment, k.silence_id AS ack_silence_id
  FROM alerts AS a LEFT JOIN acks AS k ON k.fingerprint = a.fingerprint AND k.starts_at = a.starts_at AND k.withdrawn_at IS NULL`;

function statements(db: Database.Database) {
  return {
    insertEvent: db.prepare(
      `INSERT INTO alert_events (fingerprint, status, starts_at, ends_at, received_at, alertname, severity, labels, annotations, generator_url, group_key)
       VALUES (@fingerprint, @status, @startsAt, @endsAt, @now, @alertname, @severity, @labels, @annotations, @generatorURL, @groupKey)
       ON CONFLICT (fingerprint, status, starts_at) DO NOTHING`,
    ),
    // A late event for an older episode must not overwrite a newer one; for the same episode, resolved is
    // the later state. A new episode starts with its own escalation clock and no resolution note.
    upsertAlert: db.prepare(
      `INSERT INTO alerts (fingerprint, status, starts_at, ends_at, updated_at, alertname, severity, labels, annotations, generator_url, group_key, external_url, escalate_at)
       VALUES (@fingerprint, @status, @startsAt, @endsAt, @now, @alertname, @severity, @labels, @annotations, @generatorURL, @groupKey, @externalURL, @escalateAt)
       ON CONFLICT (fingerprint) DO UPDATE SET
         status = excluded.status, ends_at = excluded.ends_at, updated_at = excluded.updated_at,
         alertname = excluded.alertname, severity = excluded.severity, annotations = excluded.annotations,
         generator_url = excluded.generator_url, group_key = excluded.group_key, external_url = excluded.external_url,
         escalate_at = CASE WHEN excluded.starts_at = alerts.starts_at THEN alerts.escalate_at ELSE excluded.escalate_at END,
         escalated_at = CASE WHEN excluded.starts_at = alerts.starts_at THEN alerts.escalated_at ELSE NULL END,
         resolution = CASE WHEN excluded.starts_at = alerts.starts_at THEN alerts.resolution ELSE NULL END,
         starts_at = excluded.starts_at
       WHERE julianday(excluded.starts_at) > julianday(alerts.starts_at)
          OR (julianday(excluded.starts_at) = julianday(alerts.starts_at) AND (excluded.status = 'resolved' OR alerts.status = 'firing'))`,
    ),
    insertDelivery: db.prepare(
      `INSERT INTO outbox (channel, dedup_key, order_key, body, created_at, next_attempt_at, updated_at)
       VALUES (@channel, @dedupKey, @orderKey, @body, @now, @now, @now)
       ON CONFLICT (channel, dedup_key) DO NOTHING`,
    ),
    link: db.prepare('INSERT OR IGNORE INTO outbox_alerts (fingerprint, outbox_id) VALUES (?, ?)'),
    // Ready: due, and no older unfinished delivery with the same order key (that one goes first, even
    // while it waits for its retry). Walking the claim index in id order stops at the limit; the
    // planner's own choice sorts the whole backlog on every claim.
    selectReady: db.prepare(
      `SELECT id, channel, dedup_key, order_key, body, attempts, created_at FROM outbox AS o INDEXED BY outbox_claim
       WHERE o.channel = ? AND o.state = 'pending' AND o.next_attempt_at <= ?
         AND NOT EXISTS (SELECT 1 FROM outbox AS p WHERE p.channel = o.channel AND p.order_key = o.order_key
                         AND p.id < o.id AND p.state IN ('pending', 'claimed'))
       ORDER BY o.id LIMIT ?`,
    ),
    claimOne: db.prepare(`UPDATE outbox SET state = 'claimed', updated_at = ?, lease_until = ? WHERE id = ? AND state = 'pending'`),
    delivered: db.prepare(`UPDATE outbox SET state = 'delivered', attempts = attempts + 1, updated_at = ?, last_error = NULL WHERE id = ?`),
    retry: db.prepare(`UPDATE outbox SET state = 'pending', attempts = attempts + 1, next_attempt_at = ?, updated_at = ?, last_error = ? WHERE id = ?`),
    finish: db.prepare(`UPDATE outbox SET state = ?, attempts = attempts + 1, updated_at = ?, last_error = ? WHERE id = ?`),
    // Only heads of their order key count: a due delivery queued behind one in backoff becomes ready
    // when that one does.
    nextDue: db.prepare(
      `SELECT MIN(next_attempt_at) AS due FROM outbox AS o WHERE o.channel = ? AND o.state = 'pending'
         AND NOT EXISTS (SELECT 1 FROM outbox AS p WHERE p.channel = o.channel AND p.order_key = o.order_key
                         AND p.id < o.id AND p.state IN ('pending', 'claimed'))`,
    ),
    stats: db.prepare(`SELECT channel, COUNT(*) AS pending, MIN(created_at) AS oldest FROM outbox WHERE state IN ('pending', 'claimed') GROUP BY channel`),
    expiredActions: db.prepare(
      `SELECT id, channel, dedup_key, order_key, body, attempts, created_at FROM outbox
       WHERE state = 'claimed' AND channel = 'action' AND COALESCE(lease_until, 0) < ?`,
    ),
    requeue: db.prepare(`UPDATE outbox SET state = 'pending', updated_at = ?, lease_until = NULL WHERE state = 'claimed' AND COALESCE(lease_until, 0) < ?`),
    getAlert: db.prepare(`${ALERT_SELECT} WHERE a.fingerprint = ?`),
    firing: db.prepare(`${ALERT_SELECT} WHERE a.status = 'firing' ORDER BY a.starts_at DESC, a.fingerprint LIMIT ?`),
    severityCounts: db.prepare(`SELECT severity, COUNT(*) AS n FROM alerts WHERE status = 'firing' GROUP BY severity`),
    // Only the shown fields: an alert's labels and annotations can be megabytes.
    summaries: db.prepare(
      `SELECT a.fingerprint, a.alertname, a.severity, substr(json_extract(a.annotations, '$.summary'), 1, 300) AS summary, a.starts_at, k.by AS ack_by, k.at AS ack_at
       FROM alerts AS a LEFT JOIN acks AS k ON k.fingerprint = a.fingerprint AND k.starts_at = a.starts_at AND k.withdrawn_at IS NULL
       WHERE a.status = 'firing' ORDER BY a.starts_at DESC, a.fingerprint LIMIT ?`,
    ),
    deliveries: db.prepare(
      `SELECT o.channel, o.dedup_key, o.state, o.attempts, o.last_error, o.updated_at FROM outbox_alerts AS l
       JOIN outbox AS o ON o.id = l.outbox_id WHERE l.fingerprint = ? ORDER BY o.id`,
    ),
    history: db.prepare(`SELECT * FROM alert_events WHERE id < ? ORDER BY id DESC LIMIT ?`),
    getAck: db.prepare('SELECT * FROM acks WHERE fingerprint = ? AND starts_at = ?'),
    upsertAck: db.prepare(
      `INSERT INTO acks (fingerprint, starts_at, by, at, comment) VALUES (@fingerprint, @startsAt, @by, @at, @comment)
       ON CONFLICT (fingerprint, starts_at) DO UPDATE SET by = excluded.by, at = excluded.at, comment = excluded.comment, silence_id = NULL, withdrawn_at = NULL`,
    ),
    dueEscalations: db.prepare(
      `SELECT a.*, NULL AS ack_by, NULL AS ack_at, NULL AS ack_comment, NULL AS ack_silence_id FROM alerts AS a
       WHERE a.escalate_at IS NOT NULL AND a.escalate_at <= ? AND a.escalated_at IS NULL AND a.status = 'firing'
         AND NOT EXISTS (SELECT 1 FROM acks AS k WHERE k.fingerprint = a.fingerprint AND k.starts_at = a.starts_at AND k.withdrawn_at IS NULL)
       ORDER BY a.escalate_at LIMIT ?`,
    ),
    markEscalated: db.prepare('UPDATE alerts SET escalated_at = ? WHERE fingerprint = ?'),
    lastTrigger: db.prepare('SELECT MAX(at) AS at FROM action_triggers WHERE action = ? AND fingerprint = ?'),
    recordTrigger: db.prepare(
      'INSERT INTO action_triggers (action, fingerprint, starts_at, at) VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET at = excluded.at',
    ),
    insertAudit: db.prepare('INSERT INTO audit (at, kind, fingerprint, detail) VALUES (?, ?, ?, ?)'),
    auditLog: db.prepare(`SELECT * FROM audit WHERE id < ? AND (? IS NULL OR kind = ?) ORDER BY id DESC LIMIT ?`),
  };
}
