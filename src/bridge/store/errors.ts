/** The store could not be opened or written: the webhook answers 503 so Alertmanager retries. */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

/**
 * Errors that mean "cannot write now" (disk full, locked, read-only, I/O; PostgreSQL down, restarting or
 * unreachable), as opposed to a bug. Callers answer 503 or try again later.
 */
export function isUnavailable(error: unknown): boolean {
  if (error instanceof StoreUnavailableError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  // pg's own errors for a connection that died or could not be made carry no code.
  if (typeof code !== 'string')
    return error instanceof Error && /Connection terminated|connection error|timeout exceeded when trying to connect/i.test(error.message);
  return (
    /^SQLITE_(FULL|BUSY|LOCKED|READONLY|IOERR|CANTOPEN|CORRUPT|NOTADB|PROTOCOL)/.test(code) ||
    // Node's socket errors (PostgreSQL unreachable) and PostgreSQL's classes 08 (connection), 53
    // (insufficient resources), 57P (operator intervention: shutdown, restart) and 40001/40P01 (retry).
    /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EHOSTUNREACH|EAI_AGAIN)$/.test(code) ||
    /^(08|53|57P)/.test(code) ||
    code === '40001' ||
    code === '40P01'
  );
}
