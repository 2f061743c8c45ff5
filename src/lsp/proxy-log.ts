import { toLogfmt } from '../logfmt.js';

export type ProxyLogLevel = 'debug' | 'info' | 'warn' | 'error';

/** What the proxy, its monitor and reporter log through: message strings only. pino loggers fit too. */
export interface ProxyLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const RANK: Record<ProxyLogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/**
 * The proxy's logger: the same logfmt lines as `serve`'s pino logger, written synchronously, without
 * loading pino (about 45 ms of the proxy's startup, which the editor waits for before `initialize`).
 */
export function createProxyLogger(level: ProxyLogLevel, destination: NodeJS.WritableStream): ProxyLogger {
  const at = RANK[level];
  const line = (l: ProxyLogLevel) => (message: string) => {
    if (RANK[l] >= at) destination.write(`${toLogfmt({ time: new Date().toISOString(), level: l, msg: message })}\n`);
  };
  return { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') };
}
