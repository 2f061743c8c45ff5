/**
 * The contract between the bridge (routing, outbox, audit store) and the automated responses. The bridge
 * decides *whether* an alert may run actions (routing by severity) and records every run; the actions
 * module decides *which* configured actions apply to an alert and runs them safely.
 */

/** The alert as an action sees it: Alertmanager's alert, validated. */
export interface ActionAlert {
  readonly fingerprint: string;
  readonly status: 'firing' | 'resolved';
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly generatorURL: string;
}

export type ActionPhase = 'trigger' | 'rollback';

export type ActionOutcome =
  | 'succeeded'
  | 'failed'
  | 'timed_out'
  /** The same action ran for the same alert within its cooldown. */
  | 'skipped_cooldown'
  /** A rollback for a firing episode whose trigger never ran: nothing to undo. */
  | 'skipped_no_trigger'
  /** Dry-run mode: what would have run is recorded, nothing runs. */
  | 'dry_run';

/** One run of one action: the audit record. No secrets: URLs are shown without credentials or query. */
export interface ActionRecord {
  readonly action: string;
  readonly phase: ActionPhase;
  readonly fingerprint: string;
  readonly alertname: string;
  readonly kind: 'http' | 'exec' | 'lsp';
  /** What ran, for people: `POST https://host/path` or the argv joined with spaces. */
  readonly target: string;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly outcome: ActionOutcome;
  readonly exitCode?: number;
  readonly httpStatus?: number;
  /** First few KB of stdout+stderr or the response body. */
  readonly outputExcerpt: string;
  readonly error?: string;
}
