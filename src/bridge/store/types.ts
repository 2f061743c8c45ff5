/**
 * What the bridge keeps, behind one async interface with two implementations: SQLite (embedded, one
 * process) and PostgreSQL (shared by replicas). Everything a replica decides from stored state goes through
 * here, so "any replica may do it" holds for intake, delivery, ack, escalation and the API alike.
 */

/** One alert event as the intake records it: the alert's labels plus the group it came in. */
export interface AlertEventInput {
  readonly fingerprint: string;
  readonly status: 'firing' | 'resolved';
  readonly startsAt: string;
  readonly endsAt: string;
  readonly alertname: string;
  readonly severity: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly generatorURL: string;
  readonly groupKey: string;
  readonly externalURL: string;
  /** When set with a firing event that is new: the escalation clock of this episode (ms since the epoch). */
  readonly escalateAt?: number;
}

/** `fingerprint|status|startsAt`: an event's identity, the dedupe key of re-sends and HA copies. */
export const eventKey = (e: { fingerprint: string; status: string; startsAt: string }): string => `${e.fingerprint}|${e.status}|${e.startsAt}`;

export interface NewDelivery {
  /** A channel name from the channel registry, or `action`. */
  readonly channel: string;
  /** Unique per channel for ever (until pruned): the same key is never delivered twice. */
  readonly dedupKey: string;
  /** Deliveries with the same order key go out one at a time, oldest first. */
  readonly orderKey: string;
  readonly body: string;
  readonly fingerprints: readonly string[];
}

/** A delivery the intake plans: enqueued only when one of `ifNew` (event keys) is new in this intake; empty = always. */
export interface PlannedDelivery extends NewDelivery {
  readonly ifNew: readonly string[];
}

export interface IntakeBatch {
  readonly events: readonly AlertEventInput[];
  readonly deliveries: readonly PlannedDelivery[];
}

export interface IntakeOutcome {
  /** Event keys recorded for the first time. */
  readonly newEvents: ReadonlySet<string>;
  /** Deliveries enqueued per channel. */
  readonly enqueued: ReadonlyMap<string, number>;
}

export interface OutboxItem {
  readonly id: number;
  readonly channel: string;
  readonly dedupKey: string;
  readonly orderKey: string;
  readonly body: string;
  /** Attempts made before this one. */
  readonly attempts: number;
  readonly createdAt: number;
}

export interface PendingStat {
  readonly channel: string;
  readonly pending: number;
  readonly oldestCreatedAt: number;
}

export interface DeliveryRow {
  readonly state: string;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly nextAttemptAt: number;
}

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

/** The acknowledgement of one firing episode (fingerprint + startsAt). */
export interface Ack {
  readonly fingerprint: string;
  readonly startsAt: string;
  readonly by: string;
  readonly at: string;
  readonly comment: string;
  /** The Alertmanager silence made for it, if any. */
  readonly silenceId: string | null;
  /** Set when the ack was withdrawn (unack) or its silence expired by a resolve with a note. */
  readonly withdrawnAt: string | null;
}

export interface StoredAlert extends AlertFields {
  readonly status: 'firing' | 'resolved';
  readonly updatedAt: string;
  readonly generatorURL: string;
  readonly groupKey: string;
  readonly externalURL: string;
  /** The current episode's escalation clock: when it fires (ISO), and whether it already did. */
  readonly escalateAt: string | null;
  readonly escalatedAt: string | null;
  /** A note given with `POST …/resolve`, shown in the resolve messages of this episode. */
  readonly resolution: string | null;
  readonly ack: Ack | null;
}

/** The few fields the status page shows. */
export interface AlertSummary {
  readonly fingerprint: string;
  readonly alertname: string;
  readonly severity: string;
  readonly summary: string;
  readonly startsAt: string;
  /** The current episode's ack in force, if any. */
  readonly acknowledged: { readonly by: string; readonly at: string } | null;
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

export interface BridgeStore {
  readonly kind: 'sqlite' | 'postgres';

  // Intake
  /**
   * Records the batches' events (deduplicated on fingerprint + status + startsAt; the alerts' latest state
   * follows, never going back to an older episode) and enqueues their planned deliveries, all in one
   * durable transaction: when it resolves everything is stored, when it rejects nothing is.
   */
  intake(batches: readonly IntakeBatch[]): Promise<IntakeOutcome[]>;
  /** Enqueues deliveries outside an intake (acks, escalations, reminders); returns how many were new. */
  enqueue(deliveries: readonly NewDelivery[]): Promise<number>;

  // Outbox
  /** Claims up to `limit` ready deliveries (due, first unfinished of their order key) for `leaseMs`. */
  claim(channel: string, limit: number, leaseMs: number): Promise<OutboxItem[]>;
  markDelivered(id: number): Promise<void>;
  scheduleRetry(id: number, delayMs: number, error: string): Promise<void>;
  /** Terminal states: `dead` (dead-lettered, with its reason) or `done` (an action that ran, whatever its outcome). */
  markFinished(id: number, state: 'dead' | 'done', error: string | undefined): Promise<void>;
  /** The earliest time a delivery of the channel becomes ready, if any. */
  nextDue(channel: string): Promise<number | undefined>;
  pendingStats(): Promise<PendingStat[]>;
  /**
   * Claims whose lease ran out (their replica died, or this process restarted): notifications go back to
   * pending (at-least-once), actions are finished as interrupted and returned for the audit log (running
   * a half-done remediation again blindly can do harm). `all` takes every claim (a single-process store at
   * start).
   */
  reclaim(all: boolean): Promise<{ requeued: number; interruptedActions: OutboxItem[] }>;
  delivery(id: number): Promise<DeliveryRow | undefined>;

  // Alerts
  getAlert(fingerprint: string): Promise<StoredAlert | undefined>;
  /** Several alerts in one read (the intake's look-up of the episodes a payload resolves), by fingerprint. */
  getAlerts(fingerprints: readonly string[]): Promise<Map<string, StoredAlert>>;
  /** Firing alerts, newest first. */
  firing(limit: number): Promise<StoredAlert[]>;
  /** Firing alerts counted by severity, and the newest `limit` as summaries: what the status page shows. */
  firingSummary(limit: number): Promise<{ counts: Record<string, number>; items: AlertSummary[] }>;
  deliveries(fingerprint: string): Promise<DeliveryState[]>;
  history(limit: number, beforeId?: number): Promise<AlertEvent[]>;

  // Acknowledgement and resolution notes (per episode)
  /** Records an ack unless the episode has one that is not withdrawn; returns the ack in force and whether it is new. */
  putAck(ack: Omit<Ack, 'withdrawnAt' | 'silenceId'>): Promise<{ ack: Ack; created: boolean }>;
  setAckSilence(fingerprint: string, startsAt: string, silenceId: string): Promise<void>;
  /** Withdraws the episode's ack (unack or a failed silence); returns it, or undefined when there was none. */
  withdrawAck(fingerprint: string, startsAt: string): Promise<Ack | undefined>;
  setResolution(fingerprint: string, startsAt: string, note: string): Promise<void>;

  // Escalation
  /** Takes the escalations due at `now` (clock set, not acked, still firing, not yet escalated), marking them escalated. */
  takeDueEscalations(now: number, limit: number): Promise<StoredAlert[]>;
  /** Restarts or stops an episode's clock (`at` undefined stops it). */
  setEscalation(fingerprint: string, startsAt: string, at: number | undefined): Promise<void>;

  // Actions
  /** When the action last triggered for the alert (any episode), for its cooldown; survives restarts. */
  lastTrigger(action: string, fingerprint: string): Promise<number | undefined>;
  /** Records that a trigger of the episode ran (or was stamped, for the cooldown). */
  recordTrigger(action: string, fingerprint: string, startsAt: string, at: number): Promise<void>;
  /** Removes a trigger stamp (the run was refused before it started). */
  forgetTrigger(action: string, fingerprint: string, startsAt: string): Promise<void>;
  /** Whether a trigger of this episode ran: a rollback without one would undo something never done. */
  triggered(action: string, fingerprint: string, startsAt: string): Promise<boolean>;

  // Audit
  audit(kind: string, fingerprint: string | undefined, detail: unknown): Promise<void>;
  auditLog(limit: number, beforeId?: number, kind?: string): Promise<AuditEntry[]>;

  /** Forgets finished deliveries, history, audit records and resolved alerts older than `before`. */
  prune(before: number): Promise<void>;
  /** Health for readiness: resolves when the store answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
