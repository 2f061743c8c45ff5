export const OTHER = 'other';
// eslint-disable-next-line no-control-regex -- matching control characters is this pattern's purpose
const CONTROL = /[\u0000-\u001f\u007f]/;

export interface LabelGuardOptions {
  /** When given, exactly these values pass (plus `other`); everything else folds. */
  readonly allowlist?: readonly string[] | undefined;
  /** Without an allowlist: the first `cap` distinct values pass, later new ones fold. */
  readonly cap: number;
}

/**
 * Bounds one label whose values come from outside (server, operation, cache, error code). A value is
 * admitted when an allowlist names it, or — without an allowlist — while fewer than `cap` distinct values
 * have been admitted; every other value becomes `other`. Admission is permanent for the process' life:
 * the counters that carry the label never forget a series either, so forgetting here would not bound
 * anything. `other` is always allowed and does not take a slot; values with control characters always fold.
 */
export class LabelGuard {
  private readonly admitted = new Set<string>();
  private readonly allowlist: ReadonlySet<string> | undefined;

  constructor(private readonly options: LabelGuardOptions) {
    this.allowlist = options.allowlist === undefined ? undefined : new Set(options.allowlist);
  }

  /** The value to use as the label: itself, or `other`. */
  admit(value: string): string {
    if (this.allowlist !== undefined) return this.allowlist.has(value) ? value : OTHER;
    if (this.admitted.has(value)) return value;
    // Control characters make no sense in a label and would break the cells' joined key (see cells.ts).
    if (value === OTHER || this.admitted.size >= this.options.cap || CONTROL.test(value)) return OTHER;
    this.admitted.add(value);
    return value;
  }

  /** Distinct values admitted so far (allowlisted ones are not tracked). */
  get size(): number {
    return this.admitted.size;
  }
}
