import type { ActionOutcome } from './model.js';

/** What one step produced; the runner adds who/when to make the audit record. */
export interface StepResult {
  readonly outcome: ActionOutcome;
  readonly exitCode?: number;
  readonly httpStatus?: number;
  readonly outputExcerpt: string;
  readonly error?: string;
}

/** Bytes of output kept in memory per run (half from the start, half from the end). */
const KEEP_BYTES = 64 * 1024;
/** Bytes of output copied into the audit record. */
const EXCERPT_BYTES = 4 * 1024;

/**
 * Bounded capture of a command's output or a response body. A chatty command cannot grow memory: we keep
 * the beginning (what it was doing) and the end (usually the error), and count what we dropped between.
 */
export class OutputCapture {
  private head: Buffer = Buffer.alloc(0);
  private tail: Buffer = Buffer.alloc(0);
  private total = 0;

  constructor(private readonly keepBytes = KEEP_BYTES) {}

  push(chunk: Buffer): void {
    this.total += chunk.length;
    const half = Math.floor(this.keepBytes / 2);
    if (this.head.length < half) {
      const take = Math.min(half - this.head.length, chunk.length);
      this.head = Buffer.concat([this.head, chunk.subarray(0, take)]);
      chunk = chunk.subarray(take);
    }
    if (chunk.length === 0) return;
    const joined = this.tail.length === 0 ? chunk : Buffer.concat([this.tail, chunk]);
    this.tail = joined.length > half ? Buffer.from(joined.subarray(joined.length - half)) : joined;
  }

  get totalBytes(): number {
    return this.total;
  }

  /** At most `limit` bytes: all of it when it fits, else its start and end around an omission marker. */
  excerpt(limit = EXCERPT_BYTES): string {
    const kept = Buffer.concat([this.head, this.tail]);
    if (this.total <= limit && kept.length === this.total) return kept.toString('utf8');
    const half = Math.floor(limit / 2);
    const start = this.head.subarray(0, half);
    const endSource = this.tail.length > 0 ? this.tail : this.head.subarray(half);
    const end = endSource.subarray(Math.max(0, endSource.length - half));
    const omitted = this.total - start.length - end.length;
    return `${start.toString('utf8')}\n… [${omitted} bytes omitted] …\n${end.toString('utf8')}`;
  }
}

/** Truncates text for a record, marking that it was cut. */
export function truncate(text: string, limit = EXCERPT_BYTES): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= limit) return text;
  return `${bytes.subarray(0, limit).toString('utf8')}\n… [${bytes.length - limit} bytes omitted]`;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
