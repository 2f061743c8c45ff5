import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export type Db = Database.Database;

/** The database could not be opened or written: the webhook answers 503 so Alertmanager retries. */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

const SCHEMA_VERSION = 1;
/** SQLite's page cache for the outbox connection, in KiB (negative cache_size means KiB). */
const PAGE_CACHE_KIB = 2000;

/**
 * One file, `bridge.sqlite`, in WAL mode. The connection runs with synchronous=NORMAL (a commit survives
 * a process kill, not necessarily a power cut); the intake switches to FULL around the transaction that
 * stores a notification before its 2xx (`durably`), so what Alertmanager was told is stored survives a
 * power cut too. Losing a "delivered" mark in a power cut only means a re-delivery, which the receivers
 * dedupe. `busy_timeout` is short because a second process on the same file is a misconfiguration; the
 * caller answers 503 rather than wait.
 */
export function openDatabase(dataDir: string): Db {
  // The outbox holds alerts, the audit log and action output: readable by this user only.
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, 'bridge.sqlite');
  let db: Db;
  try {
    db = new Database(file);
  } catch (error) {
    throw new StoreUnavailableError(`cannot open the bridge outbox ${file}: ${(error as Error).message}`, { cause: error });
  }
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 1000');
  db.pragma('foreign_keys = ON');
  // better-sqlite3 builds SQLite with a 16 MB page cache per connection; it fills as the outbox grows,
  // which the soak read as 38 MB/h of RSS growth. The hot pages (pending rows and their
  // index) fit in SQLite's own default of 2 MB; colder pages come from the OS file cache.
  db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
  // SQLite creates later -wal and -shm files with the database file's mode; fix any that exist already.
  for (const name of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(name)) chmodSync(name, 0o600);
  migrate(db);
  return db;
}

function migrate(db: Db): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version === SCHEMA_VERSION) return;
  if (version > SCHEMA_VERSION) throw new Error(`the bridge outbox was written by a newer ide-monitor (schema ${version}); upgrade ide-monitor`);
  db.exec(`
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
    PRAGMA user_version = ${SCHEMA_VERSION};
  `);
}

/** SQLite errors that mean "cannot write now" (disk full, locked, read-only, I/O), as opposed to a bug. */
export function isUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return (
    error instanceof StoreUnavailableError ||
    (typeof code === 'string' && /^SQLITE_(FULL|BUSY|LOCKED|READONLY|IOERR|CANTOPEN|CORRUPT|NOTADB|PROTOCOL)/.test(code))
  );
}

/** Runs `work` with synchronous=FULL: its commit is fsynced before it returns. */
export function durably<T>(db: Db, work: () => T): T {
  db.pragma('synchronous = FULL');
  try {
    return work();
  } finally {
    db.pragma('synchronous = NORMAL');
  }
}
