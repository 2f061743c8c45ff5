import type { IngestConfig } from '../config/sections/ingest.js';
import { foldMethod, OTHER_METHOD } from '../lsp/methods.js';
import { LabelGuard, OTHER } from './cardinality-guard.js';

/** Error codes are per (server, method): a small cap keeps the product bounded. */
export const MAX_ERROR_CODES = 30;
const MAX_BREAKER_PATTERNS = 50;
/** Exit codes a process can have; anything else (a negative number, a made-up string) folds. */
const EXIT_STATUS_MAX = 255;
const SIGNAL = /^SIG[A-Z0-9]{2,10}$/;

/**
 * Every label value that comes from a reporter passes through here on its way to a metric. A value that
 * folds into `other` is counted against the metric it was meant for (`ide_ingest_label_overflow_total`).
 */
export class LabelBounds {
  private readonly servers: LabelGuard;
  private readonly operations: LabelGuard;
  private readonly caches: LabelGuard;
  private readonly errorCodes = new LabelGuard({ cap: MAX_ERROR_CODES });
  /** Breaker patterns come from commands, normally a handful; a proxy sending made-up ones folds. */
  private readonly breakers = new LabelGuard({ cap: MAX_BREAKER_PATTERNS });

  constructor(
    config: Pick<IngestConfig, 'max_label_values' | 'allowlists'>,
    private readonly onOverflow: (metric: string) => void,
  ) {
    const cap = config.max_label_values;
    this.servers = new LabelGuard({ cap, allowlist: config.allowlists.server });
    this.operations = new LabelGuard({ cap, allowlist: config.allowlists.operation });
    this.caches = new LabelGuard({ cap, allowlist: config.allowlists.cache });
  }

  server(value: string, metric: string): string {
    return this.guarded(this.servers, value, metric);
  }

  operation(value: string, metric: string): string {
    return this.guarded(this.operations, value, metric);
  }

  cache(value: string, metric: string): string {
    return this.guarded(this.caches, value, metric);
  }

  method(value: string, metric: string): string {
    const folded = foldMethod(value);
    if (folded === OTHER_METHOD && value !== OTHER_METHOD) this.onOverflow(metric);
    return folded;
  }

  breaker(pattern: string, metric: string): string {
    return this.guarded(this.breakers, pattern, metric);
  }

  /** A JSON-RPC error code; `unknown` when an error came without one. */
  errorCode(code: number | undefined, metric: string): string {
    if (code === undefined) return 'unknown';
    return this.guarded(this.errorCodes, String(code), metric);
  }

  /** An exit status 0–255 or a signal name; `unknown` when the reporter did not know. */
  exitCode(code: number | string | undefined, metric: string): string {
    if (code === undefined) return 'unknown';
    const status = typeof code === 'number' ? code : /^\d{1,3}$/.test(code) ? Number(code) : undefined;
    if (status !== undefined ? status >= 0 && status <= EXIT_STATUS_MAX : SIGNAL.test(code as string)) return String(status ?? code);
    this.onOverflow(metric);
    return OTHER;
  }

  private guarded(guard: LabelGuard, value: string, metric: string): string {
    const label = guard.admit(value);
    if (label === OTHER && value !== OTHER) this.onOverflow(metric);
    return label;
  }
}
