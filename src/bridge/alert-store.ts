import type { Db } from './db.js';
import type { WebhookAlert } from './payload.js';

/** What an alert's latest state and each of its recorded events both carry. */
export interface AlertFields {
  readonly fingerprint: string;
  readonly alertname: string;
  readonly severity: string;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
}

export interface StoredAlert extends AlertFields {
  readonly status: 'firing' | 'resolved';
  readonly updatedAt: string;
  readonly generatorURL: string;
  readonly groupKey: string;
  readonly externalURL: string;
}

export interface DeliveryState {
  readonly channel: string;
  readonly key: string;
  readonly state: string;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly updatedAt: string;
}

export interface AlertEvent extends AlertFields {
  readonly id: number;
  readonly status: string;
  readonly receivedAt: string;
}

export interface AuditEntry {
  readonly id: number;
  readonly at: string;
  readonly kind: string;
  readonly fingerprint: string | null;
  readonly detail: unknown;
}

/** The columns `alerts` and `alert_events` share (db.ts), as SQLite returns them. */
interface AlertColumns {
  fingerprint: string;
  alertname: string;
  severity: string;
  starts_at: string;
  ends_at: string;
  labels: string;
  annotations: string;
}

interface AlertRow extends AlertColumns {
  status: 'firing' | 'resolved';
  updated_at: number;
  generator_url: string;
  group_key: string;
  external_url: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Alert state, history and the audit log: what the alert API shows. */
export class AlertStore {
  private readonly insertEvent;
  private readonly upsertAlert;
  private readonly insertAudit;

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {
    this.insertEvent = db.prepare(
      `INSERT INTO alert_events (fingerprint, status, starts_at, ends_at, received_at, alertname, severity, labels, annotations, generator_url, group_key)
       VALUES (@fingerprint, @status, @startsAt, @endsAt, @now, @alertname, @severity, @labels, @annotations, @generatorURL, @groupKey)
       ON CONFLICT (fingerprint, status, starts_at) DO NOTHING`,
    );
    // A late event for an older firing period must not overwrite a newer one; for the same period,
    // resolved is the later state.
    this.upsertAlert = db.prepare(
      `INSERT INTO alerts (fingerprint, status, starts_at, ends_at, updated_at, alertname, severity, labels, annotations, generator_url, group_key, external_url)
       VALUES (@fingerprint, @status, @startsAt, @endsAt, @now, @alertname, @severity, @labels, @annotations, @generatorURL, @groupKey, @externalURL)
       ON CONFLICT (fingerprint) DO UPDATE SET
         status = excluded.status, starts_at = excluded.starts_at, ends_at = excluded.ends_at, updated_at = excluded.updated_at,
         alertname = excluded.alertname, severity = excluded.severity, labels = excluded.labels, annotations = excluded.annotations,
         generator_url = excluded.generator_url, group_key = excluded.group_key, external_url = excluded.external_url
       WHERE julianday(excluded.starts_at) > julianday(alerts.starts_at)
          OR (julianday(excluded.starts_at) = julianday(alerts.starts_at) AND (excluded.status = 'resolved' OR alerts.status = 'firing'))`,
    );
    this.insertAudit = db.prepare('INSERT INTO audit (at, kind, fingerprint, detail) VALUES (?, ?, ?, ?)');
  }

  /**
   * Records one alert event; false when the same (fingerprint, status, startsAt) was seen before, which
   * makes the whole event a duplicate (an Alertmanager re-send or an HA peer's copy).
   */
  recordEvent(alert: WebhookAlert, groupKey: string, externalURL: string): boolean {
    const row = {
      fingerprint: alert.fingerprint,
      status: alert.status,
      startsAt: alert.startsAt,
      endsAt: alert.endsAt,
      now: this.now(),
      alertname: alert.labels['alertname'] ?? '',
      severity: alert.labels['severity'] ?? '',
      labels: JSON.stringify(alert.labels),
      annotations: JSON.stringify(alert.annotations),
      generatorURL: alert.generatorURL,
      groupKey,
      externalURL,
    };
    const { externalURL: _unused, ...event } = row;
    if (this.insertEvent.run(event).changes === 0) return false;
    this.upsertAlert.run(row);
    return true;
  }

  audit(kind: string, fingerprint: string | undefined, detail: unknown): void {
    this.insertAudit.run(this.now(), kind, fingerprint ?? null, JSON.stringify(detail));
  }

  get(fingerprint: string): StoredAlert | undefined {
    const row = this.db.prepare('SELECT * FROM alerts WHERE fingerprint = ?').get(fingerprint) as AlertRow | undefined;
    return row === undefined ? undefined : toAlert(row);
  }

  /** Firing alerts, newest first. */
  firing(limit = 1000): StoredAlert[] {
    const rows = this.db.prepare(`SELECT * FROM alerts WHERE status = 'firing' ORDER BY starts_at DESC, fingerprint LIMIT ?`).all(limit) as AlertRow[];
    return rows.map(toAlert);
  }

  deliveries(fingerprint: string): DeliveryState[] {
    const rows = this.db
      .prepare(
        `SELECT o.channel, o.dedup_key, o.state, o.attempts, o.last_error, o.updated_at FROM outbox_alerts AS l
         JOIN outbox AS o ON o.id = l.outbox_id WHERE l.fingerprint = ? ORDER BY o.id`,
      )
      .all(fingerprint) as Array<{ channel: string; dedup_key: string; state: string; attempts: number; last_error: string | null; updated_at: number }>;
    return rows.map((r) => ({ channel: r.channel, key: r.dedup_key, state: r.state, attempts: r.attempts, lastError: r.last_error, updatedAt: iso(r.updated_at) }));
  }

  history(limit: number, beforeId?: number): AlertEvent[] {
    const rows = this.db
      .prepare(`SELECT * FROM alert_events WHERE id < ? ORDER BY id DESC LIMIT ?`)
      .all(beforeId ?? Number.MAX_SAFE_INTEGER, limit) as Array<AlertColumns & { id: number; status: string; received_at: number }>;
    return rows.map((r) => ({ id: r.id, ...alertFields(r, { receivedAt: iso(r.received_at) }) }));
  }

  auditLog(limit: number, beforeId?: number, kind?: string): AuditEntry[] {
    const rows = this.db
      .prepare(`SELECT * FROM audit WHERE id < ? AND (? IS NULL OR kind = ?) ORDER BY id DESC LIMIT ?`)
      .all(beforeId ?? Number.MAX_SAFE_INTEGER, kind ?? null, kind ?? null, limit) as Array<{ id: number; at: number; kind: string; fingerprint: string | null; detail: string }>;
    return rows.map((r) => ({ id: r.id, at: iso(r.at), kind: r.kind, fingerprint: r.fingerprint, detail: JSON.parse(r.detail) as unknown }));
  }

  /** Forgets history, audit records and resolved alerts older than `before`. */
  prune(before: number): void {
    this.db.prepare('DELETE FROM alert_events WHERE received_at < ?').run(before);
    this.db.prepare('DELETE FROM audit WHERE at < ?').run(before);
    this.db.prepare(`DELETE FROM alerts WHERE status = 'resolved' AND updated_at < ?`).run(before);
  }
}

function toAlert(row: AlertRow): StoredAlert {
  return {
    ...alertFields(row, { updatedAt: iso(row.updated_at) }),
    generatorURL: row.generator_url,
    groupKey: row.group_key,
    externalURL: row.external_url,
  };
}

/**
 * The shared columns as the API shows them. `stamp` is the row's time (`updatedAt`, `receivedAt`); it
 * goes right after `endsAt` so the JSON the alert API writes keeps its field order.
 */
function alertFields<S extends string, T extends object>(row: AlertColumns & { status: S }, stamp: T): AlertFields & { status: S } & T {
  return {
    fingerprint: row.fingerprint,
    status: row.status,
    alertname: row.alertname,
    severity: row.severity,
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    ...stamp,
    labels: JSON.parse(row.labels) as Record<string, string>,
    annotations: JSON.parse(row.annotations) as Record<string, string>,
  };
}
