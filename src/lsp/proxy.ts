import type { ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import type { WireCommand } from '../ingest/control.js';
import type { CommandAck, ObservationInput } from '../ingest/schema.js';
import { Breakers } from './breakers.js';
import { scanHead } from './json-scan.js';
import { frameMessage, MessageStream, type Route } from './message-stream.js';
import type { ProxyLogger } from './proxy-log.js';
import { IngestReporter, type IngestReporterOptions } from './reporter.js';
import { SessionState } from './session-state.js';
import { spawnPlan, spawnServer, type EarlyChild } from './spawn-command.js';
import { TrafficMonitor, type TrafficStats } from './traffic-monitor.js';

interface RestartOnCrash {
  /** Crash restarts allowed within `windowMs`; the crash after that ends the proxy as before. */
  readonly maxRestarts: number;
  readonly windowMs: number;
}

export interface ProxyOptions {
  readonly command: string;
  readonly args: readonly string[];
  /** The `server` label. */
  readonly server: string;
  /** Where observations go; undefined turns reporting (and the control channel) off. */
  readonly reporting?: Omit<IngestReporterOptions, 'server' | 'collect' | 'state' | 'logger' | 'onCommands'> | undefined;
  readonly logger: ProxyLogger;
  /** The editor's side; process.stdin/stdout unless a test passes others. */
  readonly input?: Readable;
  readonly output?: Writable;
  /** After the editor closes stdin, how long the server may take to exit before SIGTERM (then SIGKILL). */
  readonly exitGraceMs?: number;
  /** Bound on the final flush to the exporter when the server has exited. */
  readonly finalFlushMs?: number;
  /** Replace a server that exits unexpectedly (opt-in). */
  readonly restartOnCrash?: RestartOnCrash | undefined;
  /** How long a replacement server may take to answer the replayed initialize. */
  readonly replayTimeoutMs?: number;
  /**
   * The first server, already started (spawnServer) before the proxy's modules were loaded, so that the
   * server boots while the proxy does; started here otherwise.
   */
  readonly started?: EarlyChild;
}

export interface ProxyResult {
  /** The server's exit code (128 + signal number when it was killed; 127/126 when it could not start). */
  readonly exitCode: number;
  readonly traffic: TrafficStats;
  /** Server processes replaced under the session. */
  readonly restarts: number;
}

const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];
/** LSP 3.17 error codes the proxy answers with. */
const CONTENT_MODIFIED = -32801;
const REQUEST_FAILED = -32803;
const REPLAY_ID = 'ide-monitor:replay:initialize';
/** Document sync the replay has already brought the new server up to date with (see `hold`). */
const REPLAYED_METHODS: ReadonlySet<string> = new Set([
  'initialized',
  'textDocument/didOpen',
  'textDocument/didChange',
  'textDocument/didClose',
  'workspace/didChangeConfiguration',
]);
/** Editor messages kept while no server runs (between a crash and its replacement's swap). */
const MAX_HELD_BYTES = 64 * 1024 * 1024;
/** Command ids remembered so a command handed out twice runs once. */
const MAX_EXECUTED = 1000;

type Phase = 'replay' | 'live' | 'retired' | 'dead';

interface ServerProcess {
  readonly child: ChildProcess;
  readonly stream: MessageStream;
  phase: Phase;
  spawned: boolean;
  /** Settles when the process has closed (exit + stdio closed), or could not start (`error`). */
  readonly closed: Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: NodeJS.ErrnoException }>;
  /** Its stdout is paused until the editor drains. */
  waitingForEditor: boolean;
  /** Resolves with the result of the replayed initialize (replacements only). */
  initialized?: (result: { ok: boolean; detail?: string }) => void;
  timers: NodeJS.Timeout[];
}

/**
 * Spawns the language server and relays stdio both ways. Editor → server messages are routed one by
 * one (held only until their header and body head have arrived, then streamed): that is where a
 * circuit breaker answers a request itself. Server → editor bytes are passed on as they arrive. A copy
 * of both streams goes to the monitor.
 *
 * A restart (a command from the exporter, or a crash with restartOnCrash) starts a second server,
 * replays the session into it (initialize with the editor's params, initialized, the configuration,
 * every open document at its current text and version), then swaps at a moment when neither stream is
 * half-written: the old server's requests still in flight are answered ContentModified, its output is
 * cut, it is stopped; the editor sees one session throughout.
 *
 * Resolves when the (last) server has exited, its last output has reached our stdout, and the final
 * batch went out (or timed out).
 */
export function runProxy(options: ProxyOptions): Promise<ProxyResult> {
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  const { logger, server } = options;
  const grace = options.exitGraceMs ?? 5000;
  const controlled = options.reporting !== undefined;
  // Only tracked when something can restart the server: parsing every didChange has a cost.
  const session = controlled || options.restartOnCrash !== undefined ? new SessionState() : undefined;
  const breakers = new Breakers();
  const executed = new Set<string>();
  const crashes: number[] = [];

  let current: ServerProcess | undefined;
  let clientGone = false;
  /** A signal was forwarded: the exit that follows is not a crash to recover from. */
  let stopping = false;
  let restarting = false;
  let restarts = 0;
  /** The exit code of the last server that exited (what the proxy exits with if none replaces it). */
  let lastExitCode = 1;
  let swap: { next: ServerProcess; reason: 'command' | 'crash'; done: () => void } | undefined;
  /** Editor messages held while no server can take them: [method, bytes]. */
  let held: { method: string | undefined; parts: Buffer[] }[] | undefined;
  let heldBytes = 0;
  /** Editor answers to requests of a retired server: dropped, the new server never asked. */
  const orphans = new Set<number | string>();
  /** Frames for the editor written at the next moment nothing is half-written. */
  const injections: Buffer[] = [];
  let resolveResult: (r: ProxyResult) => void = () => {};

  let reporter: IngestReporter | undefined;
  const record = (o: ObservationInput) => reporter?.record(o);
  const monitor = new TrafficMonitor({
    server,
    record,
    logger,
    ...(session !== undefined && {
      session: { methods: SessionState.METHODS, observe: (m, p) => session.observe(m, p), initializeResult: (r) => session.serverInitialized(r) },
    }),
  });
  if (options.reporting !== undefined) {
    reporter = new IngestReporter({
      ...options.reporting,
      server,
      collect: () => monitor.drainAggregates(),
      state: () => ({ ...(monitor.state(current?.phase === 'live') as Extract<ObservationInput, { kind: 'lsp_state' }>), breakers: breakers.patterns() }),
      logger,
      onCommands: (commands) => {
        for (const c of commands) execute(c);
      },
      // Commands reach an idle proxy with its heartbeat: a short one keeps a restart within seconds.
      heartbeatMs: options.reporting.heartbeatMs ?? 2000,
    });
  }
  const ack = (a: CommandAck) => reporter?.ack(a);

  // ---- Editor → server ----------------------------------------------------------------------------
  let needDrain: Writable | undefined;
  const toServer = (bytes: Buffer) => {
    if (held !== undefined) {
      const last = held.at(-1);
      if (heldBytes + bytes.length > MAX_HELD_BYTES || last === undefined) return;
      last.parts.push(bytes);
      heldBytes += bytes.length;
      return;
    }
    const stdin = current?.child.stdin;
    if (stdin && !stdin.write(bytes)) needDrain = stdin;
  };
  const c2s = new MessageStream({
    route(head: Buffer): Route {
      const m = scanHead(head);
      if (m !== undefined && m.method !== undefined && (typeof m.id === 'number' || typeof m.id === 'string')) {
        const pattern = breakers.match(m.method);
        if (pattern !== undefined) {
          monitor.shortCircuit(m.id);
          const message = `ide-monitor: circuit breaker open for ${pattern}; ${m.method} was not sent to ${server}`;
          injections.push(frameMessage({ jsonrpc: '2.0', id: m.id, error: { code: REQUEST_FAILED, message } }));
          return 'drop';
        }
      } else if (m !== undefined && m.method === undefined && m.hasId && m.id !== null && m.id !== undefined && orphans.delete(m.id)) {
        return 'drop';
      }
      if (held !== undefined) held.push({ method: m?.method, parts: [] });
      return 'forward';
    },
    forward: toServer,
  });
  /** From now until the swap, editor messages are kept, each apart (their method decides if they are replayed). */
  const hold = () => {
    held ??= [];
    c2s.oneWritePerMessage = true;
  };
  const onInput = (chunk: Buffer) => {
    c2s.push(chunk);
    // The monitor sees the request before the breaker's answer is written (flush below).
    monitor.feed('client_to_server', chunk);
    flushInjections();
    trySwap();
    if (needDrain !== undefined) {
      const stdin = needDrain;
      needDrain = undefined;
      input.pause();
      // Resumed by a drain, or by the close of a server that died while we waited (it never drains).
      const resume = () => {
        stdin.off('drain', resume);
        stdin.off('close', resume);
        input.resume();
      };
      stdin.on('drain', resume);
      stdin.on('close', resume);
    }
  };
  input.on('data', onInput);
  input.on('end', () => {
    clientGone = true;
    c2s.finish();
    logger.debug("lsp-proxy: the editor closed stdin; closing the server's stdin");
    if (current !== undefined) {
      current.child.stdin?.end();
      escalate(current, 'the editor closed stdin', grace);
    }
  });

  // ---- Server → editor ----------------------------------------------------------------------------
  const toEditor = (bytes: Buffer, from: ServerProcess | undefined) => {
    if (!output.write(bytes) && from !== undefined && !from.waitingForEditor) {
      from.waitingForEditor = true;
      from.child.stdout?.pause();
      output.once('drain', () => {
        from.waitingForEditor = false;
        from.child.stdout?.resume();
      });
    }
    monitor.feed('server_to_client', bytes);
  };
  const flushInjections = () => {
    if (injections.length === 0) return;
    if (current?.phase === 'live' && current.stream.writing) return;
    for (const frame of injections.splice(0)) toEditor(frame, undefined);
  };
  output.on('error', (error: Error) => {
    clientGone = true;
    logger.warn(`lsp-proxy: cannot write to the editor (${error.message}); stopping ${server}`);
    if (current !== undefined) {
      if (current.child.exitCode === null) current.child.kill('SIGTERM');
      escalate(current, 'the editor went away', grace);
    }
  });

  // ---- Server processes ---------------------------------------------------------------------------
  const plan = spawnPlan(options.command, options.args);
  function startServer(phase: Phase, early = spawnServer(plan)): ServerProcess {
    const { child } = early;
    const proc: ServerProcess = {
      child,
      phase,
      // A pid means the process was created (its 'spawn' event may have passed while modules loaded).
      spawned: child.pid !== undefined && early.spawnError === undefined,
      waitingForEditor: false,
      timers: [],
      closed: new Promise((resolve) => {
        if (early.spawnError !== undefined) return resolve({ code: null, signal: null, error: early.spawnError });
        if (early.closed !== undefined) return resolve(early.closed);
        child.once('close', (code: number | null, signal: NodeJS.Signals | null) => resolve({ code, signal }));
        child.on('error', (error: NodeJS.ErrnoException) => {
          if (proc.spawned) logger.warn(`lsp-proxy: ${server}: ${error.message}`);
          else resolve({ code: null, signal: null, error });
        });
      }),
      stream: new MessageStream(
        {
          route: () => (proc.phase === 'live' ? 'forward' : proc.phase === 'replay' ? 'collect' : 'drop'),
          forward: (bytes) => toEditor(bytes, proc),
          collected: (body) => replayMessage(proc, body),
          boundary: () => {
            if (proc === current) flushInjections();
          },
        },
        undefined,
        () => proc.phase === 'live',
      ),
    };
    child.stdout!.on('data', (chunk: Buffer) => {
      proc.stream.push(chunk);
      trySwap();
    });
    child.stdout!.on('end', () => proc.stream.finish());
    child.stdin!.on('error', (error) => logger.debug(`lsp-proxy: server stdin: ${error.message}`));
    if (proc.spawned) logger.debug(`lsp-proxy: started ${options.command} (pid ${child.pid})`);
    else {
      child.once('spawn', () => {
        proc.spawned = true;
        logger.debug(`lsp-proxy: started ${options.command} (pid ${child.pid})`);
      });
    }
    return proc;
  }

  /** SIGTERM after `ms`, SIGKILL after twice that: a server that ignores both is not ours to wait for. */
  function escalate(proc: ServerProcess, why: string, ms: number): void {
    if (proc.timers.length > 0) return;
    const later = (after: number, signal: NodeJS.Signals) => {
      const t = setTimeout(() => {
        if (proc.child.exitCode === null && proc.child.signalCode === null) {
          logger.warn(`lsp-proxy: ${server} (pid ${proc.child.pid}) still running ${after} ms after ${why}; sending ${signal}`);
          proc.child.kill(signal);
        }
      }, after);
      t.unref();
      proc.timers.push(t);
    };
    later(ms, 'SIGTERM');
    later(ms * 2, 'SIGKILL');
  }

  const onSignal = (signal: NodeJS.Signals) => {
    stopping = true;
    logger.info(`lsp-proxy: ${signal} received; forwarding it to ${server}`);
    if (current !== undefined) {
      if (current.child.exitCode === null && current.child.signalCode === null) current.child.kill(signal);
      escalate(current, signal, grace);
    }
  };
  for (const s of FORWARDED_SIGNALS) process.on(s, onSignal);

  // ---- Restart ------------------------------------------------------------------------------------
  /** A message from a replacement server before the swap: the replay's answers, handled here. */
  function replayMessage(proc: ServerProcess, body: Buffer | undefined): void {
    if (body === undefined) return;
    let m: { id?: unknown; method?: unknown; params?: unknown; result?: unknown; error?: { message?: unknown } };
    try {
      m = JSON.parse(body.toString('utf8')) as typeof m;
    } catch {
      return;
    }
    if (m.id === REPLAY_ID && m.method === undefined) {
      if (m.error !== undefined)
        proc.initialized?.({ ok: false, detail: `initialize failed: ${typeof m.error.message === 'string' ? m.error.message : 'error'}`.slice(0, 200) });
      else proc.initialized?.({ ok: true });
      return;
    }
    // A request before the swap (none of the servers we know send one before initialize is answered):
    // answered neutrally, as an editor without the capability would.
    if (typeof m.method === 'string' && (typeof m.id === 'number' || typeof m.id === 'string')) {
      const items = (m.params as { items?: unknown[] } | undefined)?.items;
      const result = m.method === 'workspace/configuration' && Array.isArray(items) ? items.map(() => null) : null;
      proc.child.stdin?.write(frameMessage({ jsonrpc: '2.0', id: m.id, result }));
    }
  }

  async function restart(reason: 'command' | 'crash'): Promise<{ ok: boolean; detail?: string }> {
    if (session?.initializeParams === undefined) return { ok: false, detail: 'no session to replay yet (the editor has not sent initialize)' };
    if (restarting) return { ok: false, detail: 'a restart is already under way' };
    if (clientGone || stopping) return { ok: false, detail: 'the proxy is stopping' };
    restarting = true;
    try {
      const next = startServer('replay');
      const initialized = new Promise<{ ok: boolean; detail?: string }>((resolve) => (next.initialized = resolve));
      const timeoutMs = options.replayTimeoutMs ?? 30_000;
      let timer: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([
        initialized,
        next.closed.then(({ code, signal, error }) => ({
          ok: false,
          detail:
            error !== undefined ? `cannot start the new server: ${error.message}` : `the new server exited during the replay (${signal ?? `code ${code}`})`,
        })),
        new Promise<{ ok: boolean; detail: string }>(
          (resolve) => (timer = setTimeout(() => resolve({ ok: false, detail: `the new server did not answer initialize within ${timeoutMs} ms` }), timeoutMs)),
        ),
        ...(next.child.stdin !== null ? [sendInitialize(next)] : []),
      ]);
      clearTimeout(timer);
      if (!outcome.ok) {
        next.phase = 'dead';
        if (next.child.exitCode === null) next.child.kill('SIGKILL');
        logger.warn(`lsp-proxy: restart of ${server} failed: ${outcome.detail}`);
        // The old server died while we waited: nothing is left to serve the editor.
        if (current?.phase === 'dead') void finish(lastExitCode, undefined);
        return outcome;
      }
      await new Promise<void>((done) => {
        swap = { next, reason, done };
        trySwap();
      });
      return {
        ok: true,
        detail: `replayed ${session.openDocuments().length} open documents${session.untracked > 0 ? ` (${session.untracked} could not be tracked)` : ''}`,
      };
    } finally {
      restarting = false;
    }
  }

  /** Never resolves: it only writes, so the race above waits for the answer. */
  function sendInitialize(next: ServerProcess): Promise<never> {
    next.child.stdin!.write(frameMessage({ jsonrpc: '2.0', id: REPLAY_ID, method: 'initialize', params: session!.initializeParams }));
    return new Promise<never>(() => {});
  }

  /** Swaps when nothing is half-written either way; called after every chunk until it happened. */
  function trySwap(): void {
    if (swap === undefined || c2s.writing) return;
    const old = current;
    if (old !== undefined && old.phase === 'live' && old.stream.writing) return;
    const { next, reason, done } = swap;
    swap = undefined;
    // What the old server still owed the editor, and what the editor still owes the old server.
    const unanswered = monitor.pendingClientRequests();
    for (const id of monitor.pendingServerRequests()) if (orphans.size < 10_000) orphans.add(id);
    if (old !== undefined && old.phase === 'live') {
      old.phase = 'retired';
      old.child.stdin?.end();
      escalate(old, 'its replacement took over', 1000);
    }
    const write = (message: unknown) => next.child.stdin!.write(frameMessage(message));
    write({ jsonrpc: '2.0', method: 'initialized', params: session!.initializedParams ?? {} });
    if (session!.configuration !== undefined) write({ jsonrpc: '2.0', method: 'workspace/didChangeConfiguration', params: session!.configuration });
    for (const d of session!.openDocuments()) {
      write({
        jsonrpc: '2.0',
        method: 'textDocument/didOpen',
        params: { textDocument: { uri: d.uri, languageId: d.languageId, version: d.version, text: d.text } },
      });
    }
    next.phase = 'live';
    current = next;
    if (held !== undefined) {
      const messages = held;
      held = undefined;
      c2s.oneWritePerMessage = false;
      heldBytes = 0;
      // The replay carries the documents as they are now, held changes included: only the rest goes on.
      for (const h of messages) if (h.method === undefined || !REPLAYED_METHODS.has(h.method)) for (const part of h.parts) toServer(part);
    }
    // ContentModified: the state these requests were computed against (the old process) is gone, and
    // clients drop such an answer quietly or ask again (vscode-languageclient returns its default; Neovim
    // does not show it). ServerCancelled would claim the request supports server cancellation.
    for (const [id, method] of unanswered) {
      const message = `ide-monitor restarted ${server} (${reason}) while ${method} was in flight; ask again`;
      injections.push(frameMessage({ jsonrpc: '2.0', id, error: { code: CONTENT_MODIFIED, message } }));
    }
    flushInjections();
    restarts++;
    record({ kind: 'lsp_server', server, event: 'start' });
    record({ kind: 'lsp_restart', server, reason });
    void reporter?.flush();
    logger.info(
      `lsp-proxy: ${server} restarted (${reason}); pid ${next.child.pid} took over from ${old?.child.pid ?? 'a crashed process'}, ${unanswered.length} requests answered ContentModified`,
    );
    watchExit(next);
    if (clientGone) {
      // The editor left while the replacement started: it gets the same goodbye the old one would have.
      next.child.stdin?.end();
      escalate(next, 'the editor closed stdin', grace);
    }
    done();
  }

  function execute(c: WireCommand): void {
    if (typeof c?.id !== 'string' || executed.has(c.id)) return;
    if (executed.size >= MAX_EXECUTED) executed.delete(executed.values().next().value!);
    executed.add(c.id);
    const methods = Array.isArray(c.methods) && c.methods.every((m) => typeof m === 'string') ? c.methods : ['*'];
    logger.info(`lsp-proxy: command ${c.command} ${c.command === 'restart' ? '' : `${methods.join(', ')} `}(${c.reason ?? 'no reason given'})`);
    switch (c.command) {
      case 'restart':
        void restart('command').then((r) =>
          ack({ id: c.id, outcome: r.ok ? 'done' : 'failed', ...(r.detail !== undefined && { detail: r.detail.slice(0, 200) }) }),
        );
        return;
      case 'breaker_open':
        if (breakers.openAll(methods)) ack({ id: c.id, outcome: 'done', detail: `open: ${breakers.patterns().join(', ')}`.slice(0, 200) });
        else ack({ id: c.id, outcome: 'failed', detail: 'too many open breakers' });
        return;
      case 'breaker_close':
        breakers.closeAll(methods);
        ack({ id: c.id, outcome: 'done', detail: `open: ${breakers.patterns().join(', ') || 'none'}`.slice(0, 200) });
        return;
      default:
        ack({ id: c.id, outcome: 'failed', detail: `unknown command ${JSON.stringify((c as { command?: unknown }).command)}`.slice(0, 200) });
    }
  }

  // ---- Exit ---------------------------------------------------------------------------------------
  let finished = false;
  async function finish(exitCode: number, reported: number | string | undefined): Promise<void> {
    if (finished) return;
    finished = true;
    if (current !== undefined) current.phase = 'dead';
    for (const s of FORWARDED_SIGNALS) process.off(s, onSignal);
    input.off('data', onInput);
    input.pause();
    monitor.serverGone();
    if (reported !== undefined) {
      // A server exiting after its editor went away (stdin closed, stdout broken, the editor killed) is
      // a client disconnect, not a crash, whatever its code: many servers exit 1 when stdin closes.
      const disconnect = reported !== 0 && (clientGone || session?.shuttingDown === true);
      record({ kind: 'lsp_server', server, event: 'exit', code: reported, ...(disconnect && { cause: 'client_disconnect' as const }) });
    }
    if (reporter !== undefined) {
      const stats = await reporter.close(options.finalFlushMs ?? 1500);
      if (stats.dropped > 0) logger.warn(`lsp-proxy: ${stats.dropped} observations were dropped (exporter unreachable)`);
    }
    // Node drops what is still buffered for stdout on process.exit(): wait until the last write is out.
    await new Promise<void>((done) => {
      if (output.writableEnded || output.destroyed) return done();
      output.write('', () => done());
    });
    resolveResult({ exitCode, traffic: monitor.stats, restarts });
  }

  function crashRestartAllowed(): boolean {
    const policy = options.restartOnCrash;
    if (policy === undefined || clientGone || stopping || session?.shuttingDown === true || session?.initializeParams === undefined) return false;
    const now = Date.now();
    while (crashes.length > 0 && now - crashes[0]! > policy.windowMs) crashes.shift();
    if (crashes.length >= policy.maxRestarts) {
      logger.warn(`lsp-proxy: ${server} crashed ${crashes.length + 1} times within ${policy.windowMs} ms; not restarting it again`);
      return false;
    }
    crashes.push(now);
    return true;
  }

  /** 'close', not 'exit': it comes after the server's stdout has ended, so its last words are relayed. */
  function watchExit(proc: ServerProcess): void {
    void proc.closed.then(async ({ code, signal, error }) => {
      for (const t of proc.timers) clearTimeout(t);
      if (proc !== current || proc.phase !== 'live') return;
      if (error !== undefined) {
        proc.phase = 'dead';
        logger.warn(`lsp-proxy: cannot start ${JSON.stringify(options.command)}: ${error.message}`);
        void finish(error.code === 'ENOENT' ? 127 : 126, undefined);
        return;
      }
      const exitCode = code ?? (signal !== null ? 128 + (constants.signals[signal] ?? 0) : 1);
      lastExitCode = exitCode;
      logger.info(`lsp-proxy: ${server} exited with ${signal ?? `code ${code}`}`);
      if (restarting) {
        // A replacement is being prepared: the editor's messages wait for it, as after a crash.
        record({ kind: 'lsp_server', server, event: 'exit', code: code ?? signal ?? 'unknown' });
        proc.phase = 'dead';
        hold();
        return;
      }
      if (exitCode !== 0 && crashRestartAllowed()) {
        record({ kind: 'lsp_server', server, event: 'exit', code: code ?? signal ?? 'unknown' });
        proc.phase = 'dead';
        // Editor messages wait for the replacement; the document sync among them is in the replay.
        hold();
        const result = await restart('crash');
        if (result.ok) return;
        held = undefined;
        c2s.oneWritePerMessage = false;
        logger.warn(`lsp-proxy: could not replace ${server} after its crash: ${result.detail}`);
        void finish(exitCode, undefined);
        return;
      }
      void finish(exitCode, code ?? signal ?? undefined);
    });
  }

  return new Promise<ProxyResult>((resolve) => {
    resolveResult = resolve;
    const first = startServer('live', options.started);
    current = first;
    const started = () => {
      record({ kind: 'lsp_server', server, event: 'start' });
      void reporter?.flush();
    };
    if (first.spawned) started();
    else first.child.once('spawn', started);
    watchExit(first);
  });
}
