/**
 * One log record as a logfmt line (`ts=… level=… msg="…" key=value`), as Prometheus' own programs log.
 * Dependency-free: the LSP proxy formats its lines with it without loading pino (see lsp/proxy-log.ts).
 */
export function toLogfmt(record: Record<string, unknown>): string {
  const { time, level, msg, ...rest } = record;
  const parts = [`ts=${String(time)}`, `level=${String(level)}`, `msg=${quote(stringify(msg ?? ''))}`];
  for (const [key, value] of Object.entries(rest)) parts.push(`${key}=${quote(stringify(value))}`);
  return parts.join(' ');
}

function stringify(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object' && 'message' in value) return String(value.message);
  return JSON.stringify(value) ?? 'undefined';
}

function quote(text: string): string {
  return /^[^\s"=\\]+$/.test(text) ? text : JSON.stringify(text);
}
