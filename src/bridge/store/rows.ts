import type { Ack, AlertEvent, AlertFields, AlertSummary, OutboxItem, StoredAlert } from './types.js';

/**
 * Row shapes both stores return (the same column names in SQLite and PostgreSQL) and their mapping to the
 * API's types. Times are stored as milliseconds since the epoch; PostgreSQL's BIGINT arrives as a string,
 * hence `Number(...)` on every one. Labels and annotations are JSON text.
 */
export const iso = (ms: number | string): string => new Date(Number(ms)).toISOString();
const isoOrNull = (ms: number | string | null): string | null => (ms === null ? null : iso(ms));

interface AlertColumns {
  fingerprint: string;
  alertname: string;
  severity: string;
  starts_at: string;
  ends_at: string;
  labels: string;
  annotations: string;
}

export interface AlertRow extends AlertColumns {
  status: 'firing' | 'resolved';
  updated_at: number | string;
  generator_url: string;
  group_key: string;
  external_url: string;
  escalate_at: number | string | null;
  escalated_at: number | string | null;
  resolution: string | null;
  ack_by: string | null;
  ack_at: number | string | null;
  ack_comment: string | null;
  ack_silence_id: string | null;
}

export interface EventRow extends AlertColumns {
  id: number | string;
  status: string;
  received_at: number | string;
}

export interface OutboxRow {
  id: number | string;
  channel: string;
  dedup_key: string;
  order_key: string;
  body: string;
  attempts: number;
  created_at: number | string;
}

export function alertFromRow(row: AlertRow): StoredAlert {
  return {
    ...alertFields(row, { updatedAt: iso(row.updated_at) }),
    generatorURL: row.generator_url,
    groupKey: row.group_key,
    externalURL: row.external_url,
    escalateAt: isoOrNull(row.escalate_at),
    escalatedAt: isoOrNull(row.escalated_at),
    resolution: row.resolution,
    ack:
      row.ack_by === null
        ? null
        : {
            fingerprint: row.fingerprint,
            startsAt: row.starts_at,
            by: row.ack_by,
            at: iso(row.ack_at ?? 0),
            comment: row.ack_comment ?? '',
            silenceId: row.ack_silence_id,
            withdrawnAt: null,
          },
  };
}

export function eventFromRow(row: EventRow): AlertEvent {
  return { id: Number(row.id), ...alertFields(row, { receivedAt: iso(row.received_at) }) };
}

export function itemFromRow(row: OutboxRow): OutboxItem {
  return {
    id: Number(row.id),
    channel: row.channel,
    dedupKey: row.dedup_key,
    orderKey: row.order_key,
    body: row.body,
    attempts: Number(row.attempts),
    createdAt: Number(row.created_at),
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

/** The status page's few fields of a firing alert, its ack joined in. */
export interface SummaryRow {
  fingerprint: string;
  alertname: string;
  severity: string;
  summary: string | null;
  starts_at: string;
  ack_by: string | null;
  ack_at: number | string | null;
}

export function summaryFromRow(row: SummaryRow): AlertSummary {
  return {
    fingerprint: row.fingerprint,
    alertname: row.alertname,
    severity: row.severity,
    summary: row.summary ?? '',
    startsAt: row.starts_at,
    acknowledged: row.ack_by === null ? null : { by: row.ack_by, at: iso(row.ack_at ?? 0) },
  };
}

export interface AckRow {
  fingerprint: string;
  starts_at: string;
  by: string;
  at: number | string;
  comment: string;
  silence_id: string | null;
  withdrawn_at: number | string | null;
}

export function ackFromRow(row: AckRow): Ack {
  return {
    fingerprint: row.fingerprint,
    startsAt: row.starts_at,
    by: row.by,
    at: iso(row.at),
    comment: row.comment,
    silenceId: row.silence_id,
    withdrawnAt: row.withdrawn_at === null ? null : iso(row.withdrawn_at),
  };
}
