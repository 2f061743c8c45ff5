import type Database from 'better-sqlite3';

/**
 * The SQLite schema, as numbered migrations (`PRAGMA user_version` says which ran). Each runs in one
 * transaction; a database written by a newer ide-monitor is refused rather than guessed at.
 */
const MIGRATIONS: readonly string[] = [
  // 1: the outbox, alert state and history, the audit log.
  `
    -- One row per alert event (fingerprint, status, startsAt): the dedupe key of re-sends and HA
    -- duplicates, and the alert history.
    CREATE TABLE IF NOT EXISTS alert_events (
      id INTEGER PRIMARY KEY,
      fingerprint TEXT NOT NULL,
      status TEXT NOT NULL,
      starts_at TEXT NOT NULL,
      ends_at TEXT NOT NULL,
      received_at INTEGER NOT NULL,
      alertname TEXT NOT NULL,
      severity TEXT NOT NULL,
      labels TEXT NOT NULL,
      annotations TEXT NOT NULL,
      generator_url TEXT NOT NULL,
      group_key TEXT NOT NULL,
      UNIQUE (fingerprint, status, starts_at)
    );
    CREATE INDEX IF NOT EXISTS alert_events_received ON alert_events (received_at);
    -- The latest state of every alert the bridge has seen.
    CREATE TABLE IF NOT EXISTS alerts (
      fingerprint TEXT PRIMARY KEY,
      status TEXT NOT NULL,
      starts_at TEXT NOT NULL,
      ends_at TEXT NOT NULL,
      updated_at INTEGER NOT NULL,
      alertname TEXT NOT NULL,
      severity TEXT NOT NULL,
      labels TEXT NOT NULL,
      annotations TEXT NOT NULL,
      generator_url TEXT NOT NULL,
      group_key TEXT NOT NULL,
      external_url TEXT NOT NULL
    );
    -- The outbox. state: pending → claimed → delivered | dead (dead-lettered) | done (actions).
    -- (channel, dedup_key) is unique across all states: an already delivered notification is never
    -- enqueued again. order_key orders deliveries within a channel (a Slack group, a PagerDuty alert).
    CREATE TABLE IF NOT EXISTS outbox (
      id INTEGER PRIMARY KEY,
      channel TEXT NOT NULL,
      dedup_key TEXT NOT NULL,
      order_key TEXT NOT NULL,
      body TEXT NOT NULL,
      state TEXT NOT NULL DEFAULT 'pending',
      attempts INTEGER NOT NULL DEFAULT 0,
      created_at INTEGER NOT NULL,
      next_attempt_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      last_error TEXT,
      UNIQUE (channel, dedup_key)
    );
    -- Claims walk pending rows in id order and stop at the limit, whatever the backlog.
    CREATE INDEX IF NOT EXISTS outbox_claim ON outbox (channel, state, id);
    CREATE INDEX IF NOT EXISTS outbox_open ON outbox (channel, order_key, id) WHERE state IN ('pending', 'claimed');
    CREATE INDEX IF NOT EXISTS outbox_updated ON outbox (updated_at) WHERE state NOT IN ('pending', 'claimed');
    -- Which alerts a delivery carries, for the alert API's delivery state.
    CREATE TABLE IF NOT EXISTS outbox_alerts (
      fingerprint TEXT NOT NULL,
      outbox_id INTEGER NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
      PRIMARY KEY (fingerprint, outbox_id)
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS outbox_alerts_outbox ON outbox_alerts (outbox_id);
    -- Actions run, acknowledgements, dead letters: who did what to which alert, and how it went.
    CREATE TABLE IF NOT EXISTS audit (
      id INTEGER PRIMARY KEY,
      at INTEGER NOT NULL,
      kind TEXT NOT NULL,
      fingerprint TEXT,
      detail TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS audit_at ON audit (at);
  `,
  // 2: the lifecycle: claim leases, acks and resolution notes per episode, escalation clocks, action
  // triggers per episode (cooldowns and rollbacks survive restarts).
  `
    ALTER TABLE outbox ADD COLUMN lease_until INTEGER;
    ALTER TABLE alerts ADD COLUMN escalate_at INTEGER;
    ALTER TABLE alerts ADD COLUMN escalated_at INTEGER;
    ALTER TABLE alerts ADD COLUMN resolution TEXT;
    CREATE INDEX alerts_firing ON alerts (status, starts_at);
    CREATE INDEX alerts_escalation ON alerts (escalate_at) WHERE escalate_at IS NOT NULL AND escalated_at IS NULL;
    CREATE TABLE acks (
      fingerprint TEXT NOT NULL,
      starts_at TEXT NOT NULL,
      by TEXT NOT NULL,
      at INTEGER NOT NULL,
      comment TEXT NOT NULL,
      silence_id TEXT,
      withdrawn_at INTEGER,
      PRIMARY KEY (fingerprint, starts_at)
    );
    CREATE TABLE action_triggers (
      action TEXT NOT NULL,
      fingerprint TEXT NOT NULL,
      starts_at TEXT NOT NULL,
      at INTEGER NOT NULL,
      PRIMARY KEY (action, fingerprint, starts_at)
    );
    CREATE INDEX action_triggers_last ON action_triggers (action, fingerprint, at);
  `,
];

export function migrateSqlite(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length) throw new Error(`the bridge outbox was written by a newer ide-monitor (schema ${version}); upgrade ide-monitor`);
  for (let next = version; next < MIGRATIONS.length; next++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[next]!);
      db.pragma(`user_version = ${next + 1}`);
    })();
  }
}
