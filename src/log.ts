import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { toLogfmt } from './logfmt.js';

export { toLogfmt };

export type LogFormat = 'logfmt' | 'json';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type { Logger };

/**
 * Logs go to stderr, never stdout: `lsp-proxy` owns stdout for the editor's JSON-RPC stream, and one rule
 * for every subcommand is easier to trust. logfmt is the default, as in Prometheus' own programs.
 */
export function createLogger(options: { level: LogLevel; format: LogFormat }, destination: NodeJS.WritableStream = process.stderr): Logger {
  const base = {
    level: options.level,
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  if (options.format === 'json') return pino(base, destination as pino.DestinationStream);
  return pino(base, logfmtStream(destination));
}

/** A logger for tests and for code paths that must stay quiet. */
export const silentLogger: Logger = pino({ level: 'silent' });

function logfmtStream(destination: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      destination.write(toLogfmt(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>) + '\n');
      callback();
    },
  });
}
