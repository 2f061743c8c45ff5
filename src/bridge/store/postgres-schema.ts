import type pg from 'pg';

/**
 * The PostgreSQL schema, as numbered migrations recorded in `schema_migrations`. The same tables and
 * columns as SQLite's (rows.ts maps both), with times as BIGINT milliseconds of the bridge's clock, never
 * the database's. All pending migrations run in one transaction under an advisory lock, so replicas
 * starting at once migrate one after the other and the second finds nothing to do; a database migrated
 * by a newer ide-monitor is refused rather than guessed at.
 */
const MIGRATIONS: readonly string[] = [
  // 1: everything the bridge keeps (SQLite's migrations 1 and 2 in one).
  `
    CREATE TABLE alert_events (
      id BIGSERIAL PRIMARY KEY,
      fingerprint TEXT NOT NULL,
      status TEXT NOT NULL,
      starts_at TEXT NOT NULL,
      ends_at TEXT NOT NULL,
      received_at BIGINT NOT NULL,
      alertname TEXT NOT NULL,
      severity TEXT NOT NULL,
      labels TEXT NOT NULL,
      annotations TEXT NOT NULL,
      generator_url TEXT NOT NULL,
      group_key TEXT NOT NULL,
      UNIQUE (fingerprint, status, starts_at)
    );
    CREATE INDEX alert_events_received ON alert_events (received_at);
    CREATE TABLE alerts (
      fingerprint TEXT PRIMARY KEY,
      status TEXT NOT NULL,
      starts_at TEXT NOT NULL,
      ends_at TEXT NOT NULL,
      updated_at BIGINT NOT NULL,
      alertname TEXT NOT NULL,
      severity TEXT NOT NULL,
      labels TEXT NOT NULL,
      annotations TEXT NOT NULL,
      generator_url TEXT NOT NULL,
      group_key TEXT NOT NULL,
      external_url TEXT NOT NULL,
      escalate_at BIGINT,
      escalated_at BIGINT,
      resolution TEXT
    );
    CREATE INDEX alerts_firing ON alerts (status, starts_at);
    CREATE INDEX alerts_escalation ON alerts (escalate_at) WHERE escalate_at IS NOT NULL AND escalated_at IS NULL;
    -- state: pending → claimed (lease_until) → delivered | dead | done. (channel, dedup_key) is unique across
    -- all states and replicas: a notification is enqueued once, whichever replica received it.
    CREATE TABLE outbox (
      id BIGSERIAL PRIMARY KEY,
      channel TEXT NOT NULL,
      dedup_key TEXT NOT NULL,
      order_key TEXT NOT NULL,
      body TEXT NOT NULL,
      state TEXT NOT NULL DEFAULT 'pending',
      attempts INTEGER NOT NULL DEFAULT 0,
      created_at BIGINT NOT NULL,
      next_attempt_at BIGINT NOT NULL,
      updated_at BIGINT NOT NULL,
      last_error TEXT,
      lease_until BIGINT,
      UNIQUE (channel, dedup_key)
    );
    CREATE INDEX outbox_ready ON outbox (channel, id) WHERE state = 'pending';
    CREATE INDEX outbox_open ON outbox (channel, order_key, id) WHERE state IN ('pending', 'claimed');
    CREATE INDEX outbox_leases ON outbox (lease_until) WHERE state = 'claimed';
    CREATE INDEX outbox_updated ON outbox (updated_at) WHERE state NOT IN ('pending', 'claimed');
    CREATE TABLE outbox_alerts (
      fingerprint TEXT NOT NULL,
      outbox_id BIGINT NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
      PRIMARY KEY (fingerprint, outbox_id)
    );
    CREATE INDEX outbox_alerts_outbox ON outbox_alerts (outbox_id);
    CREATE TABLE audit (
      id BIGSERIAL PRIMARY KEY,
      at BIGINT NOT NULL,
      kind TEXT NOT NULL,
      fingerprint TEXT,
      detail TEXT NOT NULL
    );
    CREATE INDEX audit_at ON audit (at);
    CREATE TABLE acks (
      fingerprint TEXT NOT NULL,
      starts_at TEXT NOT NULL,
      "by" TEXT NOT NULL,
      at BIGINT NOT NULL,
      comment TEXT NOT NULL,
      silence_id TEXT,
      withdrawn_at BIGINT,
      PRIMARY KEY (fingerprint, starts_at)
    );
    CREATE TABLE action_triggers (
      action TEXT NOT NULL,
      fingerprint TEXT NOT NULL,
      starts_at TEXT NOT NULL,
      at BIGINT NOT NULL,
      PRIMARY KEY (action, fingerprint, starts_at)
    );
    CREATE INDEX action_triggers_last ON action_triggers (action, fingerprint, at);
  `,
];

/** An arbitrary constant naming the bridge's migration lock among the database's advisory locks. */
const MIGRATION_LOCK = 0x1de_b41d;

export async function migratePostgres(client: pg.ClientBase, now: number): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
    const { rows } = await client.query<{ version: number | null }>('SELECT MAX(version) AS version FROM schema_migrations');
    const version = rows[0]?.version ?? 0;
    if (version > MIGRATIONS.length) throw new Error(`the bridge database was migrated by a newer ide-monitor (schema ${version}); upgrade ide-monitor`);
    for (let next = version; next < MIGRATIONS.length; next++) {
      await client.query(MIGRATIONS[next]!);
      await client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [next + 1, now]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
