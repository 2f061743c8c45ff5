import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import type { ObservationInput } from '../ingest/schema.js';
import type { Logger } from '../log.js';
import { IngestReporter, type IngestReporterOptions } from './reporter.js';
import { TrafficMonitor, type TrafficStats } from './traffic-monitor.js';

export interface ProxyOptions {
  readonly command: string;
  readonly args: readonly string[];
  /** The `server` label. */
  readonly server: string;
  /** Where observations go; undefined turns reporting off (the relay works the same). */
  readonly reporting?: Omit<IngestReporterOptions, 'server' | 'collect' | 'state' | 'logger'> | undefined;
  readonly logger: Logger;
  /** The editor's side; process.stdin/stdout unless a test passes others. */
  readonly input?: Readable;
  readonly output?: Writable;
  /** After the editor closes stdin, how long the server may take to exit before SIGTERM (then SIGKILL). */
  readonly exitGraceMs?: number;
  /** Bound on the final flush to the exporter when the server has exited. */
  readonly finalFlushMs?: number;
}

export interface ProxyResult {
  /** The server's exit code (128 + signal number when it was killed; 127/126 when it could not start). */
  readonly exitCode: number;
  readonly traffic: TrafficStats;
}

const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];

/**
 * Spawns the language server and relays stdio both ways, byte for byte: every chunk is written on as
 * soon as it arrives, and only then is a copy handed to the monitor. Backpressure is passed through
 * (a slow reader pauses its writer), which is what a direct pipe would do too. Resolves when the server
 * has exited, its last output has reached our stdout, and the final batch went out (or timed out).
 */
export function runProxy(options: ProxyOptions): Promise<ProxyResult> {
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  const { logger, server } = options;
  const grace = options.exitGraceMs ?? 5000;
  let up = false;

  let reporter: IngestReporter | undefined;
  const record = (o: ObservationInput) => reporter?.record(o);
  const monitor = new TrafficMonitor({ server, record, logger });
  if (options.reporting !== undefined) {
    reporter = new IngestReporter({
      ...options.reporting,
      server,
      collect: () => monitor.drainAggregates(),
      state: () => monitor.state(up),
      logger,
    });
  }

  const child = spawn(options.command, [...options.args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const timers = new Set<NodeJS.Timeout>();
  /** SIGTERM after `grace`, SIGKILL after twice that: a server that ignores both is not our problem to wait for. */
  const escalate = (why: string) => {
    if (timers.size > 0) return;
    const later = (ms: number, signal: NodeJS.Signals) => {
      const t = setTimeout(() => {
        if (child.exitCode === null && child.signalCode === null) {
          logger.warn(`lsp-proxy: ${server} still running ${ms} ms after ${why}; sending ${signal}`);
          child.kill(signal);
        }
      }, ms);
      timers.add(t);
    };
    later(grace, 'SIGTERM');
    later(grace * 2, 'SIGKILL');
  };

  const onSignal = (signal: NodeJS.Signals) => {
    logger.info(`lsp-proxy: ${signal} received; forwarding it to ${server}`);
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    escalate(signal);
  };
  for (const s of FORWARDED_SIGNALS) process.on(s, onSignal);

  child.on('spawn', () => {
    up = true;
    logger.debug(`lsp-proxy: started ${options.command} (pid ${child.pid})`);
    record({ kind: 'lsp_server', server, event: 'start' });
    void reporter?.flush();
  });

  // Editor → server.
  const onInput = (chunk: Buffer) => {
    if (!child.stdin.write(chunk)) {
      input.pause();
      child.stdin.once('drain', () => input.resume());
    }
    monitor.feed('client_to_server', chunk);
  };
  input.on('data', onInput);
  input.on('end', () => {
    logger.debug('lsp-proxy: the editor closed stdin; closing the server\'s stdin');
    child.stdin.end();
    escalate('the editor closed stdin');
  });
  // EPIPE when the server has gone: its exit is reported by 'close' below.
  child.stdin.on('error', (error) => logger.debug(`lsp-proxy: server stdin: ${error.message}`));

  // Server → editor.
  child.stdout.on('data', (chunk: Buffer) => {
    if (!output.write(chunk)) {
      child.stdout.pause();
      output.once('drain', () => child.stdout.resume());
    }
    monitor.feed('server_to_client', chunk);
  });
  output.on('error', (error) => {
    logger.warn(`lsp-proxy: cannot write to the editor (${error.message}); stopping ${server}`);
    if (child.exitCode === null) child.kill('SIGTERM');
    escalate('the editor went away');
  });

  return new Promise<ProxyResult>((resolve) => {
    let finished = false;
    const finish = async (exitCode: number, reported: number | string | undefined) => {
      if (finished) return;
      finished = true;
      up = false;
      for (const s of FORWARDED_SIGNALS) process.off(s, onSignal);
      for (const t of timers) clearTimeout(t);
      input.off('data', onInput);
      input.pause();
      monitor.serverGone();
      if (reported !== undefined) record({ kind: 'lsp_server', server, event: 'exit', code: reported });
      if (reporter !== undefined) {
        const stats = await reporter.close(options.finalFlushMs ?? 1500);
        if (stats.dropped > 0) logger.warn(`lsp-proxy: ${stats.dropped} observations were dropped (exporter unreachable)`);
      }
      // Node drops what is still buffered for stdout on process.exit(): wait until the last write is out.
      await new Promise<void>((done) => {
        if (output.writableEnded || output.destroyed) return done();
        output.write('', () => done());
      });
      resolve({ exitCode, traffic: monitor.stats });
    };

    child.on('error', (error: NodeJS.ErrnoException) => {
      if (up) {
        logger.warn(`lsp-proxy: ${server}: ${error.message}`);
        return;
      }
      logger.warn(`lsp-proxy: cannot start ${JSON.stringify(options.command)}: ${error.message}`);
      void finish(error.code === 'ENOENT' ? 127 : 126, undefined);
    });
    // 'close', not 'exit': it comes after the server's stdout has ended, so its last words are relayed.
    child.on('close', (code: number | null, signal: NodeJS.Signals | null) => {
      if (!up) return;
      const exitCode = code ?? (signal !== null ? 128 + (constants.signals[signal] ?? 0) : 1);
      logger.info(`lsp-proxy: ${server} exited with ${signal ?? `code ${code}`}`);
      void finish(exitCode, code ?? signal ?? undefined);
    });
  });
}
