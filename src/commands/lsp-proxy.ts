import { closeSync, openSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { UsageError } from '../cli/parse-flags.js';
import type { ProxyLogLevel } from '../lsp/proxy-log.js';
import { spawnPlan, spawnServer } from '../lsp/spawn-command.js';

export const DEFAULT_EXPORTER_URL = 'http://127.0.0.1:10451';

export const LSP_PROXY_USAGE = `usage: ide-monitor lsp-proxy [flags] -- <server command> [args…]

Launch this instead of a language server: it starts the server, relays stdio both ways byte for byte,
and reports request latency, errors, notifications, bytes and diagnostics to an ide-monitor exporter
(POST <exporter>/api/v1/ingest). Exits with the server's exit code. Nothing but the server's own
output is ever written to stdout.

Flags:
  --server-name NAME   The server label (default: the command's basename, e.g. typescript-language-server).
  --exporter URL       Exporter base URL, or "off" to only relay (default "${DEFAULT_EXPORTER_URL}",
                       env IDE_MONITOR_LSP_PROXY_EXPORTER).
  --log-file FILE      Append the proxy's own log here instead of stderr.
  --log-level LEVEL    debug, info, warn, error (default "warn").
  --max-buffered N     Observations kept while the exporter is unreachable; the oldest beyond are
                       dropped and counted (default 10000).
  --restart-on-crash   Replace a server that exits unexpectedly, replaying the session into the new
                       one (the editor keeps its session); at most --max-restarts times in 10 minutes.
  --max-restarts N     Crash restarts allowed per 10 minutes (default 3).
  -h, --help           Show this help.

Environment:
  IDE_MONITOR_INGEST_TOKEN   Bearer token for the exporter (its --ingest.token).`;

const LEVELS: readonly ProxyLogLevel[] = ['debug', 'info', 'warn', 'error'];

export async function lspProxy(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const split = argv.indexOf('--');
  const own = split < 0 ? [...argv] : argv.slice(0, split);
  const command = split < 0 ? [] : argv.slice(split + 1);
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: own,
      options: {
        'server-name': { type: 'string' },
        exporter: { type: 'string' },
        'log-file': { type: 'string' },
        'log-level': { type: 'string' },
        'max-buffered': { type: 'string' },
        'restart-on-crash': { type: 'boolean' },
        'max-restarts': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(`lsp-proxy: ${(error as Error).message.split('\n')[0]}; see --help`);
  }
  if (values['help'] === true) {
    process.stderr.write(`${LSP_PROXY_USAGE}\n`);
    return 0;
  }
  const [program, ...args] = command;
  if (program === undefined || program === '') {
    throw new UsageError(
      'lsp-proxy needs the language server command after "--", e.g. `ide-monitor lsp-proxy -- typescript-language-server --stdio`; see --help',
    );
  }
  const level = (values['log-level'] as string | undefined) ?? 'warn';
  if (!LEVELS.includes(level as ProxyLogLevel))
    throw new UsageError(`lsp-proxy: --log-level must be one of ${LEVELS.join(', ')}, got ${JSON.stringify(level)}`);
  const exporter = (values['exporter'] as string | undefined) ?? env['IDE_MONITOR_LSP_PROXY_EXPORTER'] ?? DEFAULT_EXPORTER_URL;
  if (exporter !== 'off') {
    try {
      const url = new URL(exporter);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
    } catch {
      // The URL may carry a password (http://user:secret@host): it is never echoed.
      throw new UsageError(`lsp-proxy: --exporter must be an http(s) URL or "off", got ${JSON.stringify(redactUrl(exporter))}`);
    }
  }
  const maxBuffered = Number((values['max-buffered'] as string | undefined) ?? 10_000);
  if (!Number.isInteger(maxBuffered) || maxBuffered < 1)
    throw new UsageError(`lsp-proxy: --max-buffered must be a positive integer, got ${JSON.stringify(values['max-buffered'])}`);
  const maxRestarts = Number((values['max-restarts'] as string | undefined) ?? 3);
  if (!Number.isInteger(maxRestarts) || maxRestarts < 1 || maxRestarts > 100)
    throw new UsageError(`lsp-proxy: --max-restarts must be an integer 1-100, got ${JSON.stringify(values['max-restarts'])}`);
  const logFile = values['log-file'] as string | undefined;
  const fd = logFile !== undefined ? openLogFile(logFile) : undefined;

  // The server starts now, before the relay's modules load: the editor waits for `initialize` until both
  // are up, and the two boot side by side instead of one after the other (bench: LSP proxy startup).
  const started = spawnServer(spawnPlan(program, args));
  // Node 22+ keeps compiled modules on disk across runs (absent in Node 20: a no-op there).
  ((await import('node:module')) as { enableCompileCache?: () => unknown }).enableCompileCache?.();
  const [{ createProxyLogger }, { runProxy }, { boundedName }] = await Promise.all([
    import('../lsp/proxy-log.js'),
    import('../lsp/proxy.js'),
    import('../lsp/traffic-monitor.js'),
  ]);
  const server = boundedName((values['server-name'] as string | undefined) || path.basename(program));

  // Synchronous writes: the proxy's log lines are rare, and none may be lost when it exits.
  const destination = fd !== undefined ? syncFileStream(fd) : process.stderr;
  const log = createProxyLogger(level as ProxyLogLevel, destination);
  try {
    const result = await runProxy({
      command: program,
      args,
      started,
      server,
      logger: log,
      restartOnCrash: values['restart-on-crash'] === true ? { maxRestarts, windowMs: 600_000 } : undefined,
      reporting:
        exporter === 'off'
          ? undefined
          : { url: exporter, token: env['IDE_MONITOR_INGEST_TOKEN'] || undefined, instance: `lsp-proxy:${hostname()}:${process.pid}`, maxBuffered },
    });
    const t = result.traffic;
    log.debug(
      `lsp-proxy: done; messages ${t.messages.client_to_server} in, ${t.messages.server_to_client} out, malformed ${t.malformed.client_to_server} in, ${t.malformed.server_to_client} out, ${result.restarts} restarts`,
    );
    return result.exitCode;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * The text with everything between the scheme's `//` (or the start) and the last `@` masked: userinfo
 * may hold a password, and a URL that does not parse may still (`user:secret@host`).
 */
export function redactUrl(text: string): string {
  const at = text.lastIndexOf('@');
  if (at < 0) return text;
  const slashes = text.indexOf('//');
  const from = slashes >= 0 && slashes < at ? slashes + 2 : 0;
  return `${text.slice(0, from)}***${text.slice(at)}`;
}

function openLogFile(file: string): number {
  try {
    return openSync(file, 'a');
  } catch (error) {
    throw new UsageError(`lsp-proxy: cannot open --log-file ${JSON.stringify(file)}: ${(error as Error).message}`);
  }
}

function syncFileStream(fd: number): Writable {
  return new Writable({
    // decodeStrings (the default) hands every chunk over as a Buffer.
    write(chunk: Buffer, _encoding, callback) {
      writeSync(fd, chunk);
      callback();
    },
  });
}
