import type { Registry } from 'prom-client';
import type { AccessGuard } from '../access/guard.js';
import type { BuildInfo } from '../build-info.js';
import type { Config } from '../config/schema.js';
import type { ScrapeRunner } from '../exporter/collector.js';
import type { ServerExtension } from '../exporter/server.js';
import type { LspControl } from '../ingest/control.js';
import type { Logger } from '../log.js';

// The contract between `serve` (src/commands/serve-features.ts, which creates the features) and the features
// (src/{ingest,bridge,status,remote-write}/feature.ts): kept below both so neither imports the other.

/** What every `serve` feature gets: the typed config, the shared prom-client registry and a logger. */
export interface FeatureContext {
  readonly config: Config;
  readonly registry: Registry;
  readonly build: BuildInfo;
  readonly logger: Logger;
  /** The host/process collectors behind `/metrics`, for features that show the same picture. */
  readonly runner: ScrapeRunner;
  /** Who may see and do what (access.principals, roles); serve always sets it (see accessOf). */
  readonly access?: AccessGuard;
  /** The LSP proxies' control channel (src/ingest/control.ts); absent when ingest is disabled. */
  readonly lspControl?: LspControl;
  /** Firing alerts from the bridge, for the status page; absent when the bridge is disabled. */
  readonly alerts?: ActiveAlertsView;
}

/** An alert as the bridge last saw it, for the status page (the bridge provides it when enabled). */
export interface ActiveAlertSummary {
  readonly fingerprint: string;
  readonly alertname: string;
  readonly severity: string;
  readonly summary: string;
  readonly startsAt: string;
  /** Set when the alert's current episode is acknowledged: by whom (the authenticated principal) and when. */
  readonly acknowledged?: { readonly by: string; readonly at: string };
}

export interface ActiveAlertsView {
  /**
   * Firing alerts counted by severity and the newest few: a bounded summary the bridge keeps fresh (the
   * status page asks every second; it must not read every alert's labels to show ten names).
   */
  summary(): { readonly counts: Readonly<Record<string, number>>; readonly items: readonly ActiveAlertSummary[] };
}

/**
 * A part of `serve` beyond the collectors (ingestion API, alert bridge, status page): its routes, and
 * what it must start before listening and drain on SIGTERM.
 */
export interface ServeFeature {
  readonly extension: ServerExtension;
  start?(): Promise<void>;
  /** Called after the HTTP server stopped accepting; drain and release (flush the outbox, close files). */
  stop?(): Promise<void>;
  /**
   * SIGHUP or `POST /-/reload` with a configuration that parsed, validated and passed the preflight
   * checks (secrets read). Apply what changed; throwing marks the reload failed
   * (`ide_exporter_config_last_reload_successful 0`) and is logged. A feature that only starts or stops
   * with `serve` (its `enabled` changed) is not created or removed by a reload: that needs a restart.
   * Returns the settings (dotted paths) that changed but apply only at the next start, for the log.
   */
  reload?(next: Config): Promise<readonly string[]> | readonly string[];
  /** Records an event of the whole server (a configuration reload) in the feature's audit log, if it keeps one. */
  audit?(kind: string, detail: unknown): Promise<void>;
}
