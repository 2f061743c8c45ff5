/**
 * Circuit breakers on editor → server requests, per method or method pattern (`*` matches any run of
 * characters: `textDocument/*`, `*`). While one is open, a matching request is answered by the proxy at
 * once and never reaches the server; notifications always pass (dropping a didChange would desynchronise
 * the server's copy of the document), and so do the lifecycle requests.
 */

/** Never short-circuited: the session cannot start or end without them. */
const ALWAYS_PASS: ReadonlySet<string> = new Set(['initialize', 'shutdown']);
export const MAX_OPEN_BREAKERS = 50;

export class Breakers {
  private readonly open = new Map<string, RegExp>();
  /** Requests answered by a breaker, per pattern, since the start. */
  readonly answered = new Map<string, number>();

  /** Opens breakers for these patterns; false when the limit would be passed (none opened then). */
  openAll(patterns: readonly string[]): boolean {
    const fresh = patterns.filter((p) => !this.open.has(p));
    if (this.open.size + fresh.length > MAX_OPEN_BREAKERS) return false;
    for (const p of fresh) this.open.set(p, patternToRegExp(p));
    return true;
  }

  closeAll(patterns: readonly string[]): void {
    for (const p of patterns) {
      if (p === '*') this.open.clear();
      else this.open.delete(p);
    }
  }

  /** The open pattern that catches a request for `method`, if any. */
  match(method: string): string | undefined {
    if (this.open.size === 0 || ALWAYS_PASS.has(method)) return undefined;
    for (const [pattern, re] of this.open) {
      if (re.test(method)) {
        this.answered.set(pattern, (this.answered.get(pattern) ?? 0) + 1);
        return pattern;
      }
    }
    return undefined;
  }

  patterns(): string[] {
    return [...this.open.keys()];
  }

  get size(): number {
    return this.open.size;
  }
}

function patternToRegExp(pattern: string): RegExp {
  const escaped = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`);
}
