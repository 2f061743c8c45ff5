import pg from 'pg';
import { StoreUnavailableError } from './errors.js';
import { migratePostgres } from './postgres-schema.js';
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
import {
  eventKey,
  type Ack,
  type AlertEventInput,
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

export interface PostgresOptions {
  /** `postgres://user@host:5432/db` (a password in it, or given apart). */
  readonly url: string;
  readonly password?: string | undefined;
  readonly poolSize: number;
  /** Idle connections that break (PostgreSQL restarted) are reported here instead of crashing the process. */
  readonly onIdleError?: (error: Error) => void;
}

/** How many times a transaction that lost a deadlock or serialisation race is run again before 503. */
const RACE_RETRIES = 3;
/** Wait this long for a connection, then fail (the webhook answers 503 and Alertmanager retries). */
const CONNECT_TIMEOUT_MS = 5000;
const MAX_ID = Number.MAX_SAFE_INTEGER;

type Queryable = Pick<pg.ClientBase, 'query'>;

/**
 * The shared store: one PostgreSQL database for every bridge replica. Every timestamp comes from the
 * bridge's clock (`now`), never the database's, so leases, backoffs and escalations mean the same as in
 * SQLite. Replicas coordinate through the database only: intake dedupes on unique keys (two replicas
 * inserting the same event record it once), deliveries are claimed with `FOR UPDATE SKIP LOCKED` and a
 * lease that any replica may take back once it runs out (`reclaim(false)`). Commits are durable
 * (synchronous_commit is left at its default, on): what the webhook acknowledged survives a crash.
 */
export class PostgresStore implements BridgeStore {
  readonly kind = 'postgres' as const;
  private closed = false;

  private constructor(
    readonly pool: pg.Pool,
    private readonly now: () => number,
  ) {}

  /** Connects, checks the database answers and migrates its schema; fails with a one-line reason. */
  static async open(options: PostgresOptions, now: () => number = Date.now): Promise<PostgresStore> {
    const pool = new pg.Pool({
      connectionString: withPassword(options.url, options.password),
      max: options.poolSize,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      application_name: 'ide-monitor-bridge',
    });
    pool.on('error', (error) => options.onIdleError?.(error));
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw new StoreUnavailableError(`cannot connect to the bridge database ${describeUrl(options.url)} (bridge.database.url): ${(error as Error).message}`, {
        cause: error,
      });
    }
    try {
      await migratePostgres(client, now());
    } catch (error) {
      client.release(true);
      await pool.end().catch(() => undefined);
      throw new StoreUnavailableError(`cannot migrate the bridge database ${describeUrl(options.url)}: ${(error as Error).message}`, { cause: error });
    }
    client.release();
    return new PostgresStore(pool, now);
  }

  /** Runs `work` in one transaction on one connection; a lost deadlock or serialisation race is run again. */
  private async tx<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      let broken = false;
      // A connection that breaks between two statements emits 'error' on the checked-out client; unheard,
      // that would crash the process. The statement in progress rejects anyway, which is what we act on.
      const onError = () => (broken = true);
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => (broken = true));
        const code = (error as { code?: string }).code;
        if ((code === '40P01' || code === '40001') && attempt < RACE_RETRIES) continue;
        throw error;
      } finally {
        client.off('error', onError);
        client.release(broken);
      }
    }
  }

  private async rows<R extends object>(sql: string, params: unknown[] = [], on: Queryable = this.pool): Promise<R[]> {
    return (await on.query<R>(sql, params)).rows;
  }

  async intake(batches: readonly IntakeBatch[]): Promise<IntakeOutcome[]> {
    return this.tx((client) => this.intakeAll(client, batches));
  }

  /**
   * All batches in a few statements whatever their number (the intake's group commit hands several): the
   * round trips, not the rows, are what a request waits for. An event new in this call counts as new for
   * the first batch that carries it only, and a dedup key goes to the first delivery that uses it, which is
   * what taking the batches one after the other would do.
   */
  private async intakeAll(client: pg.PoolClient, batches: readonly IntakeBatch[]): Promise<IntakeOutcome[]> {
    const now = this.now();
    // One event per key, in key order, so two replicas taking the same payloads lock their rows in the same
    // order (no deadlock); a replica inserting the same event at the same time waits on the unique key,
    // then finds it taken.
    const firstBatchOf = new Map<string, number>();
    const byKey = new Map<string, AlertEventInput>();
    batches.forEach((batch, i) => {
      for (const e of batch.events) {
        const key = eventKey(e);
        if (!byKey.has(key)) {
          byKey.set(key, e);
          firstBatchOf.set(key, i);
        }
      }
    });
    const events = [...byKey.keys()].sort().map((key) => byKey.get(key)!);
    const newKeys = new Set<string>();
    if (events.length > 0) {
      const inserted = await this.rows<{ fingerprint: string; status: string; starts_at: string }>(SQL.insertEvents, [...eventColumns(events), now], client);
      for (const r of inserted) newKeys.add(eventKey({ fingerprint: r.fingerprint, status: r.status, startsAt: r.starts_at }));
      const fresh = events.filter((e) => newKeys.has(eventKey(e)));
      // One statement for the alerts' latest state unless an alert has two new events here (an upsert
      // cannot touch a row twice): then one by one, in key order (firing before resolved of an episode).
      const groups = new Set(fresh.map((e) => e.fingerprint)).size === fresh.length ? [fresh] : fresh.map((e) => [e]);
      for (const group of groups) {
        if (group.length === 0) continue;
        const escalateAt = group.map((e) => (e.status === 'firing' ? (e.escalateAt ?? null) : null));
        await client.query(SQL.upsertAlerts, [...eventColumns(group), now, group.map((e) => e.externalURL), escalateAt]);
      }
    }
    const newEvents = batches.map((_, i) => new Set([...newKeys].filter((key) => firstBatchOf.get(key) === i)));
    const planned = batches.flatMap((batch, i) =>
      batch.deliveries.filter((d) => d.ifNew.length === 0 || d.ifNew.some((key) => newEvents[i]!.has(key))).map((delivery) => ({ delivery, batch: i })),
    );
    const created = await this.insertDeliveries(
      client,
      planned.map((p) => p.delivery),
      now,
    );
    const enqueued = batches.map(() => new Map<string, number>());
    planned.forEach(({ delivery, batch }, i) => {
      if (created[i]) enqueued[batch]!.set(delivery.channel, (enqueued[batch]!.get(delivery.channel) ?? 0) + 1);
    });
    return batches.map((_, i) => ({ newEvents: newEvents[i]!, enqueued: enqueued[i]! }));
  }

  /** Inserts the deliveries whose (channel, dedup key) is new, in order, with their alert links; which were. */
  private async insertDeliveries(client: Queryable, deliveries: readonly NewDelivery[], now: number): Promise<boolean[]> {
    if (deliveries.length === 0) return [];
    const inserted = await this.rows<{ id: string; channel: string; dedup_key: string }>(
      SQL.insertDeliveries,
      [deliveries.map((d) => d.channel), deliveries.map((d) => d.dedupKey), deliveries.map((d) => d.orderKey), deliveries.map((d) => d.body), now],
      client,
    );
    const ids = new Map(inserted.map((r) => [`${r.channel}\u0000${r.dedup_key}`, r.id]));
    const links: { fingerprint: string; id: string }[] = [];
    const created = deliveries.map((d) => {
      const key = `${d.channel}\u0000${d.dedupKey}`;
      const id = ids.get(key);
      if (id === undefined) return false;
      // The first delivery with a key is the one inserted; a later one in the same call is a duplicate.
      ids.delete(key);
      for (const fingerprint of new Set(d.fingerprints)) links.push({ fingerprint, id });
      return true;
    });
    if (links.length > 0) await client.query(SQL.link, [links.map((l) => l.fingerprint), links.map((l) => l.id)]);
    return created;
  }

  async enqueue(deliveries: readonly NewDelivery[]): Promise<number> {
    return this.tx(async (client) => (await this.insertDeliveries(client, deliveries, this.now())).filter(Boolean).length);
  }

  async claim(channel: string, limit: number, leaseMs: number): Promise<OutboxItem[]> {
    if (limit <= 0) return [];
    const now = this.now();
    const rows = await this.rows<OutboxRow>(SQL.claim, [channel, now, limit, now + leaseMs]);
    return rows.map(itemFromRow).sort((a, b) => a.id - b.id);
  }

  async markDelivered(id: number): Promise<void> {
    await this.pool.query(
      `UPDATE outbox SET state = 'delivered', attempts = attempts + 1, updated_at = $1, last_error = NULL, lease_until = NULL WHERE id = $2`,
      [this.now(), id],
    );
  }

  async scheduleRetry(id: number, delayMs: number, error: string): Promise<void> {
    const now = this.now();
    await this.pool.query(
      `UPDATE outbox SET state = 'pending', attempts = attempts + 1, next_attempt_at = $1, updated_at = $2, last_error = $3, lease_until = NULL WHERE id = $4`,
      [now + delayMs, now, error, id],
    );
  }

  async markFinished(id: number, state: 'dead' | 'done', error: string | undefined): Promise<void> {
    await this.pool.query(`UPDATE outbox SET state = $1, attempts = attempts + 1, updated_at = $2, last_error = $3, lease_until = NULL WHERE id = $4`, [
      state,
      this.now(),
      error ?? null,
      id,
    ]);
  }

  async nextDue(channel: string): Promise<number | undefined> {
    const [row] = await this.rows<{ due: string | null }>(SQL.nextDue, [channel]);
    return row?.due == null ? undefined : Number(row.due);
  }

  async pendingStats(): Promise<PendingStat[]> {
    const rows = await this.rows<{ channel: string; pending: string; oldest: string }>(
      `SELECT channel, COUNT(*) AS pending, MIN(created_at) AS oldest FROM outbox WHERE state IN ('pending', 'claimed') GROUP BY channel ORDER BY channel`,
    );
    return rows.map((r) => ({ channel: r.channel, pending: Number(r.pending), oldestCreatedAt: Number(r.oldest) }));
  }

  async reclaim(all: boolean): Promise<{ requeued: number; interruptedActions: OutboxItem[] }> {
    return this.tx(async (client) => {
      const now = this.now();
      const expired = all ? MAX_ID : now;
      // Row locks make a reclaim by two replicas at once take each claim once: the second re-reads the
      // row after the first commits and finds it no longer claimed.
      const actions = await this.rows<OutboxRow>(
        `UPDATE outbox SET state = 'dead', attempts = attempts + 1, updated_at = $1, last_error = 'interrupted by a restart; not run again', lease_until = NULL
         WHERE state = 'claimed' AND channel = 'action' AND COALESCE(lease_until, 0) < $2
         RETURNING id, channel, dedup_key, order_key, body, attempts - 1 AS attempts, created_at`,
        [now, expired],
        client,
      );
      const requeued = await client.query(
        `UPDATE outbox SET state = 'pending', updated_at = $1, lease_until = NULL WHERE state = 'claimed' AND COALESCE(lease_until, 0) < $2`,
        [now, expired],
      );
      return { requeued: requeued.rowCount ?? 0, interruptedActions: actions.map(itemFromRow).sort((a, b) => a.id - b.id) };
    });
  }

  async delivery(id: number): Promise<DeliveryRow | undefined> {
    const [row] = await this.rows<{ state: string; attempts: number; last_error: string | null; next_attempt_at: string }>(
      'SELECT state, attempts, last_error, next_attempt_at FROM outbox WHERE id = $1',
      [id],
    );
    return row === undefined ? undefined : { state: row.state, attempts: row.attempts, lastError: row.last_error, nextAttemptAt: Number(row.next_attempt_at) };
  }

  async getAlert(fingerprint: string): Promise<StoredAlert | undefined> {
    const [row] = await this.rows<AlertRow>(`${ALERT_SELECT} WHERE a.fingerprint = $1`, [fingerprint]);
    return row === undefined ? undefined : alertFromRow(row);
  }

  async getAlerts(fingerprints: readonly string[]): Promise<Map<string, StoredAlert>> {
    if (fingerprints.length === 0) return new Map();
    // One round trip for the whole payload, not one per alert.
    const rows = await this.rows<AlertRow>(`${ALERT_SELECT} WHERE a.fingerprint = ANY($1::text[])`, [[...new Set(fingerprints)]]);
    return new Map(rows.map((row) => [row.fingerprint, alertFromRow(row)]));
  }

  async firing(limit: number): Promise<StoredAlert[]> {
    return (
      await this.rows<AlertRow>(`${ALERT_SELECT} WHERE a.status = 'firing' ORDER BY a.starts_at COLLATE "C" DESC, a.fingerprint COLLATE "C" LIMIT $1`, [limit])
    ).map(alertFromRow);
  }

  async firingSummary(limit: number): Promise<{ counts: Record<string, number>; items: AlertSummary[] }> {
    const counts: Record<string, number> = {};
    for (const row of await this.rows<{ severity: string; n: string }>(`SELECT severity, COUNT(*) AS n FROM alerts WHERE status = 'firing' GROUP BY severity`))
      counts[row.severity] = Number(row.n);
    // Only the shown fields: an alert's labels and annotations can be megabytes.
    const rows = await this.rows<SummaryRow>(
      `SELECT a.fingerprint, a.alertname, a.severity, substr(a.annotations::json ->> 'summary', 1, 300) AS summary, a.starts_at, k.by AS ack_by, k.at AS ack_at
       FROM alerts AS a LEFT JOIN acks AS k ON k.fingerprint = a.fingerprint AND k.starts_at = a.starts_at AND k.withdrawn_at IS NULL
       WHERE a.status = 'firing' ORDER BY a.starts_at COLLATE "C" DESC, a.fingerprint COLLATE "C" LIMIT $1`,
      [limit],
    );
    const items = rows.map(summaryFromRow);
    return { counts, items };
  }

  async deliveries(fingerprint: string): Promise<DeliveryState[]> {
    const rows = await this.rows<{ channel: string; dedup_key: string; state: string; attempts: number; last_error: string | null; updated_at: string }>(
      `SELECT o.channel, o.dedup_key, o.state, o.attempts, o.last_error, o.updated_at FROM outbox_alerts AS l
       JOIN outbox AS o ON o.id = l.outbox_id WHERE l.fingerprint = $1 ORDER BY o.id`,
      [fingerprint],
    );
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
    return (await this.rows<EventRow>('SELECT * FROM alert_events WHERE id < $1 ORDER BY id DESC LIMIT $2', [beforeId ?? MAX_ID, limit])).map(eventFromRow);
  }

  async putAck(ack: Omit<Ack, 'withdrawnAt' | 'silenceId'>): Promise<{ ack: Ack; created: boolean }> {
    // One statement: a second ack (from any replica, even at the same moment) waits on the key and then
    // finds an ack in force, which the WHERE keeps.
    const [created] = await this.rows<AckRow>(
      `INSERT INTO acks (fingerprint, starts_at, "by", at, comment) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (fingerprint, starts_at) DO UPDATE SET "by" = excluded."by", at = excluded.at, comment = excluded.comment, silence_id = NULL, withdrawn_at = NULL
       WHERE acks.withdrawn_at IS NOT NULL
       RETURNING *`,
      [ack.fingerprint, ack.startsAt, ack.by, Date.parse(ack.at), ack.comment],
    );
    if (created !== undefined) return { ack: ackFromRow(created), created: true };
    const [existing] = await this.rows<AckRow>('SELECT * FROM acks WHERE fingerprint = $1 AND starts_at = $2', [ack.fingerprint, ack.startsAt]);
    return { ack: ackFromRow(existing!), created: false };
  }

  async setAckSilence(fingerprint: string, startsAt: string, silenceId: string): Promise<void> {
    await this.pool.query('UPDATE acks SET silence_id = $1 WHERE fingerprint = $2 AND starts_at = $3', [silenceId, fingerprint, startsAt]);
  }

  async withdrawAck(fingerprint: string, startsAt: string): Promise<Ack | undefined> {
    const [row] = await this.rows<AckRow>('UPDATE acks SET withdrawn_at = $1 WHERE fingerprint = $2 AND starts_at = $3 AND withdrawn_at IS NULL RETURNING *', [
      this.now(),
      fingerprint,
      startsAt,
    ]);
    return row === undefined ? undefined : ackFromRow(row);
  }

  async setResolution(fingerprint: string, startsAt: string, note: string): Promise<void> {
    await this.pool.query('UPDATE alerts SET resolution = $1 WHERE fingerprint = $2 AND starts_at = $3', [note, fingerprint, startsAt]);
  }

  async takeDueEscalations(now: number, limit: number): Promise<StoredAlert[]> {
    // SKIP LOCKED: two replicas' escalators take disjoint sets; a row taken by one is re-read by the other
    // with escalated_at set, so each escalation is handed out once.
    const rows = await this.rows<AlertRow>(
      `UPDATE alerts AS a SET escalated_at = $1
       WHERE a.fingerprint IN (
         SELECT d.fingerprint FROM alerts AS d
         WHERE d.escalate_at IS NOT NULL AND d.escalate_at <= $1 AND d.escalated_at IS NULL AND d.status = 'firing'
           AND NOT EXISTS (SELECT 1 FROM acks AS k WHERE k.fingerprint = d.fingerprint AND k.starts_at = d.starts_at AND k.withdrawn_at IS NULL)
         ORDER BY d.escalate_at LIMIT $2 FOR UPDATE OF d SKIP LOCKED)
       RETURNING a.*, NULL AS ack_by, NULL AS ack_at, NULL AS ack_comment, NULL AS ack_silence_id`,
      [now, limit],
    );
    return rows.sort((x, y) => Number(x.escalate_at) - Number(y.escalate_at)).map(alertFromRow);
  }

  async setEscalation(fingerprint: string, startsAt: string, at: number | undefined): Promise<void> {
    await this.pool.query('UPDATE alerts SET escalate_at = $1, escalated_at = NULL WHERE fingerprint = $2 AND starts_at = $3', [
      at ?? null,
      fingerprint,
      startsAt,
    ]);
  }

  async lastTrigger(action: string, fingerprint: string): Promise<number | undefined> {
    const [row] = await this.rows<{ at: string | null }>('SELECT MAX(at) AS at FROM action_triggers WHERE action = $1 AND fingerprint = $2', [
      action,
      fingerprint,
    ]);
    return row?.at == null ? undefined : Number(row.at);
  }

  async recordTrigger(action: string, fingerprint: string, startsAt: string, at: number): Promise<void> {
    await this.pool.query(
      'INSERT INTO action_triggers (action, fingerprint, starts_at, at) VALUES ($1, $2, $3, $4) ON CONFLICT (action, fingerprint, starts_at) DO UPDATE SET at = excluded.at',
      [action, fingerprint, startsAt, at],
    );
  }

  async forgetTrigger(action: string, fingerprint: string, startsAt: string): Promise<void> {
    await this.pool.query('DELETE FROM action_triggers WHERE action = $1 AND fingerprint = $2 AND starts_at = $3', [action, fingerprint, startsAt]);
  }

  async triggered(action: string, fingerprint: string, startsAt: string): Promise<boolean> {
    return (
      (await this.rows('SELECT 1 FROM action_triggers WHERE action = $1 AND fingerprint = $2 AND starts_at = $3', [action, fingerprint, startsAt])).length > 0
    );
  }

  async audit(kind: string, fingerprint: string | undefined, detail: unknown): Promise<void> {
    await this.pool.query('INSERT INTO audit (at, kind, fingerprint, detail) VALUES ($1, $2, $3, $4)', [
      this.now(),
      kind,
      fingerprint ?? null,
      JSON.stringify(detail),
    ]);
  }

  async auditLog(limit: number, beforeId?: number, kind?: string): Promise<AuditEntry[]> {
    const rows = await this.rows<{ id: string; at: string; kind: string; fingerprint: string | null; detail: string }>(
      'SELECT * FROM audit WHERE id < $1 AND ($2::text IS NULL OR kind = $2) ORDER BY id DESC LIMIT $3',
      [beforeId ?? MAX_ID, kind ?? null, limit],
    );
    return rows.map((r) => ({ id: Number(r.id), at: iso(r.at), kind: r.kind, fingerprint: r.fingerprint, detail: JSON.parse(r.detail) as unknown }));
  }

  async prune(before: number): Promise<void> {
    await this.tx(async (client) => {
      await client.query(`DELETE FROM outbox WHERE state NOT IN ('pending', 'claimed') AND updated_at < $1`, [before]);
      await client.query('DELETE FROM alert_events WHERE received_at < $1', [before]);
      await client.query('DELETE FROM audit WHERE at < $1', [before]);
      await client.query(`DELETE FROM acks WHERE fingerprint IN (SELECT fingerprint FROM alerts WHERE status = 'resolved' AND updated_at < $1)`, [before]);
      await client.query(`DELETE FROM alerts WHERE status = 'resolved' AND updated_at < $1`, [before]);
      await client.query('DELETE FROM action_triggers WHERE at < $1', [before]);
    });
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

/** The URL with a separately given password set in it (pg lets a URL's empty password override a given one). */
function withPassword(url: string, password: string | undefined): string {
  if (password === undefined) return url;
  const parsed = new URL(url);
  if (parsed.hostname === '')
    throw new Error('bridge.database.password: bridge.database.url needs a host to carry the password; put the password in the URL instead');
  parsed.password = encodeURIComponent(password);
  return parsed.toString();
}

/** host:port/database of the URL, for messages: never the user's password. */
function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname || 'localhost'}${parsed.port === '' ? '' : `:${parsed.port}`}${parsed.pathname}`;
  } catch {
    return '(unparsable URL)';
  }
}

/** The events as column arrays ($1…$10 of insertEvents and upsertAlerts): one round trip for any number. */
function eventColumns(events: readonly AlertEventInput[]): string[][] {
  return [
    events.map((e) => e.fingerprint),
    events.map((e) => e.status),
    events.map((e) => e.startsAt),
    events.map((e) => e.endsAt),
    events.map((e) => e.alertname),
    events.map((e) => e.severity),
    events.map((e) => JSON.stringify(e.labels)),
    events.map((e) => JSON.stringify(e.annotations)),
    events.map((e) => e.generatorURL),
    events.map((e) => e.groupKey),
  ];
}

const EVENTS = `unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
  WITH ORDINALITY AS e (fingerprint, status, starts_at, ends_at, alertname, severity, labels, annotations, generator_url, group_key, n)`;

/** The alert row with its current episode's ack (if not withdrawn) joined in. */
const ALERT_SELECT = `SELECT a.*, k."by" AS ack_by, k.at AS ack_at, k.comment AS ack_comment, k.silence_id AS ack_silence_id
  FROM alerts AS a LEFT JOIN acks AS k ON k.fingerprint = a.fingerprint AND k.starts_at = a.starts_at AND k.withdrawn_at IS NULL`;

/** Ready: pending, due, and no older unfinished delivery with the same order key (that one goes first). */
const READY = `o.channel = $1 AND o.state = 'pending' AND o.next_attempt_at <= $2
  AND NOT EXISTS (SELECT 1 FROM outbox AS p WHERE p.channel = o.channel AND p.order_key = o.order_key AND p.id < o.id AND p.state IN ('pending', 'claimed'))`;

const SQL = {
  insertEvents: `INSERT INTO alert_events (fingerprint, status, starts_at, ends_at, received_at, alertname, severity, labels, annotations, generator_url, group_key)
    SELECT e.fingerprint, e.status, e.starts_at, e.ends_at, $11, e.alertname, e.severity, e.labels, e.annotations, e.generator_url, e.group_key
    FROM ${EVENTS} ORDER BY e.n
    ON CONFLICT (fingerprint, status, starts_at) DO NOTHING
    RETURNING fingerprint, status, starts_at`,
  // A late event for an older episode must not overwrite a newer one; for the same episode, resolved is
  // the later state. A new episode starts with its own escalation clock and no resolution note.
  upsertAlerts: `INSERT INTO alerts (fingerprint, status, starts_at, ends_at, updated_at, alertname, severity, labels, annotations, generator_url, group_key, external_url, escalate_at)
    SELECT e.fingerprint, e.status, e.starts_at, e.ends_at, $11, e.alertname, e.severity, e.labels, e.annotations, e.generator_url, e.group_key, x.external_url, x.escalate_at
    FROM ${EVENTS} JOIN unnest($12::text[], $13::bigint[]) WITH ORDINALITY AS x (external_url, escalate_at, n) ON x.n = e.n
    ORDER BY e.n
    ON CONFLICT (fingerprint) DO UPDATE SET
      status = excluded.status, ends_at = excluded.ends_at, updated_at = excluded.updated_at,
      alertname = excluded.alertname, severity = excluded.severity, annotations = excluded.annotations,
      generator_url = excluded.generator_url, group_key = excluded.group_key, external_url = excluded.external_url,
      escalate_at = CASE WHEN excluded.starts_at = alerts.starts_at THEN alerts.escalate_at ELSE excluded.escalate_at END,
      escalated_at = CASE WHEN excluded.starts_at = alerts.starts_at THEN alerts.escalated_at ELSE NULL END,
      resolution = CASE WHEN excluded.starts_at = alerts.starts_at THEN alerts.resolution ELSE NULL END,
      starts_at = excluded.starts_at
    WHERE excluded.starts_at::timestamptz > alerts.starts_at::timestamptz
       OR (excluded.starts_at::timestamptz = alerts.starts_at::timestamptz AND (excluded.status = 'resolved' OR alerts.status = 'firing'))`,
  // One statement for all of an intake's deliveries, ids given in plan order (deliveries of one order key
  // go out oldest first). A key already used, by this replica or another, is skipped.
  insertDeliveries: `INSERT INTO outbox (channel, dedup_key, order_key, body, created_at, next_attempt_at, updated_at)
    SELECT d.channel, d.dedup_key, d.order_key, d.body, $5, $5, $5
    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS d (channel, dedup_key, order_key, body, n) ORDER BY d.n
    ON CONFLICT (channel, dedup_key) DO NOTHING
    RETURNING id, channel, dedup_key`,
  link: `INSERT INTO outbox_alerts (fingerprint, outbox_id) SELECT * FROM unnest($1::text[], $2::bigint[]) ON CONFLICT DO NOTHING`,
  // SKIP LOCKED: replicas claiming at once take disjoint rows; a row another replica claimed meanwhile is
  // re-read under its lock and no longer pending.
  claim: `UPDATE outbox SET state = 'claimed', updated_at = $2, lease_until = $4
    WHERE id IN (SELECT o.id FROM outbox AS o WHERE ${READY} ORDER BY o.id LIMIT $3 FOR UPDATE SKIP LOCKED)
    RETURNING id, channel, dedup_key, order_key, body, attempts, created_at`,
  nextDue: `SELECT MIN(o.next_attempt_at) AS due FROM outbox AS o WHERE o.channel = $1 AND o.state = 'pending'
    AND NOT EXISTS (SELECT 1 FROM outbox AS p WHERE p.channel = o.channel AND p.order_key = o.order_key AND p.id < o.id AND p.state IN ('pending', 'claimed'))`,
};
