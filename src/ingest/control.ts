/**
 * The LSP proxies' control channel, exporter side: commands queued per proxy instance, handed out in the
 * answer to that instance's next ingest batch, acknowledged in the batch after, expired when unanswered.
 * No port is opened on developer machines: proxies only ever talk to the exporter they report to.
 *
 * API (for the bridge's `lsp` action and anything else inside `serve`):
 *
 *   import type { LspControl } from '../ingest/control.js';
 *   // `serve` passes it to features as FeatureContext.lspControl (undefined when ingest is disabled).
 *
 *   control.enqueue(instance: string | undefined, server: string | undefined,
 *                   command: { command: 'restart' | 'breaker_open' | 'breaker_close', methods?: string[], reason?: string },
 *                   ttlMs: number): { id: string; targets: string[] }
 *     Queues the command for every live proxy that executes commands (it sent a version 2 batch) and
 *     matches: `instance` (exact, e.g. "lsp-proxy:laptop:4242") and/or `server` (the proxy's server
 *     name or its label); undefined matches all. `targets` are the instances it went to; empty means no
 *     proxy matched (nothing is queued then). `methods` (breaker_* only; default ["*"]) are LSP method
 *     names or patterns with `*` (`textDocument/*`). `reason` is free text for logs (≤ 200 chars). A
 *     command not acknowledged within `ttlMs` (1 s … 1 h) expires. Throws LspControlError (a one-line
 *     message naming the field) for bad input.
 *
 *   control.status(id: string): LspCommandStatus | undefined
 *     The command and, per target, `pending` (not yet handed out), `delivered` (handed out, no ack yet),
 *     `done` / `failed` (the proxy's ack, with its detail) or `expired`. Kept for 1 h after the last
 *     target settled, at most MAX_COMMANDS commands (oldest settled ones forgotten first).
 *
 *   control.onSettled(listener: (status: LspCommandStatus) => void): () => void
 *     Called once per command when every target has acked or expired (for an audit log); returns the
 *     unsubscribe function.
 *
 * Wire format (ingest response, see docs/ingest.md): a version 2 batch from an instance with commands
 * waiting is answered 200 `{"control":{"version":1,"commands":[{"id","command","methods"?,"reason"?,
 * "expires_in_ms"}]}}` instead of 204; the proxy acks with `"acks":[{"id","outcome":"done"|"failed",
 * "detail"?}]` in its next batch. A command handed out but not acked is handed out again with the next
 * answer (the proxy ignores ids it has already executed), until it expires.
 */
import { randomUUID } from 'node:crypto';
import type { InstanceStates } from './instance-state.js';
import { NAME_MAX_LENGTH, type CommandAck } from './schema.js';

const CONTROL_VERSION = 1;
const LSP_COMMANDS = ['restart', 'breaker_open', 'breaker_close'] as const;
type LspCommandName = (typeof LSP_COMMANDS)[number];

export interface LspCommand {
  readonly command: LspCommandName;
  readonly methods?: readonly string[] | undefined;
  readonly reason?: string | undefined;
}

/** What a proxy receives. */
export interface WireCommand {
  readonly id: string;
  readonly command: LspCommandName;
  readonly methods?: string[];
  readonly reason?: string;
  readonly expires_in_ms: number;
}

export interface ControlAnswer {
  readonly control: { readonly version: number; readonly commands: WireCommand[] };
}

type TargetState = 'pending' | 'delivered' | 'done' | 'failed' | 'expired';

export interface LspCommandStatus {
  readonly id: string;
  readonly command: LspCommand;
  readonly instance: string | undefined;
  readonly server: string | undefined;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly targets: readonly { readonly instance: string; readonly state: TargetState; readonly detail?: string }[];
  /** Every target acked or expired. */
  readonly settled: boolean;
}

export class LspControlError extends Error {}

const MIN_TTL_MS = 1000;
export const MAX_TTL_MS = 3_600_000;
const MAX_METHODS = 20;
/** Commands remembered (pending and settled); beyond it the oldest settled are forgotten, then new ones refused. */
const MAX_COMMANDS = 1000;
/** Commands handed to one instance per answer. */
const MAX_PER_ANSWER = 20;
const KEEP_SETTLED_MS = 3_600_000;
const METHOD_PATTERN = /^[\w$/.*-]{1,200}$/;

interface Target {
  readonly instance: string;
  state: TargetState;
  detail?: string;
}

interface Entry {
  readonly id: string;
  readonly command: LspCommand;
  readonly instance: string | undefined;
  readonly server: string | undefined;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly targets: Map<string, Target>;
  settledAt: number | undefined;
}

export interface LspControlOptions {
  readonly states: InstanceStates;
  readonly now?: () => number;
}

export class LspControl {
  private readonly commands = new Map<string, Entry>();
  /** instance → ids of its unsettled commands, in order. */
  private readonly byInstance = new Map<string, string[]>();
  private readonly listeners = new Set<(status: LspCommandStatus) => void>();
  private readonly now: () => number;

  constructor(private readonly options: LspControlOptions) {
    this.now = options.now ?? Date.now;
  }

  enqueue(instance: string | undefined, server: string | undefined, command: LspCommand, ttlMs: number): { id: string; targets: string[] } {
    const clean = validate(command);
    if (!Number.isFinite(ttlMs) || ttlMs < MIN_TTL_MS || ttlMs > MAX_TTL_MS)
      throw new LspControlError(`lsp command ttl must be ${MIN_TTL_MS}…${MAX_TTL_MS} ms, got ${ttlMs}`);
    if (instance !== undefined && (instance === '' || instance.length > NAME_MAX_LENGTH))
      throw new LspControlError('lsp command instance must be 1-200 characters');
    if (server !== undefined && (server === '' || server.length > NAME_MAX_LENGTH)) throw new LspControlError('lsp command server must be 1-200 characters');
    const now = this.now();
    this.sweep(now);
    const targets = this.options.states
      .controllable(server)
      .map((t) => t.instance)
      .filter((i) => instance === undefined || i === instance);
    const id = randomUUID();
    if (targets.length === 0) return { id, targets };
    if (this.commands.size >= MAX_COMMANDS) throw new LspControlError(`too many lsp commands waiting (${MAX_COMMANDS}); the proxies are not collecting them`);
    const entry: Entry = {
      id,
      command: clean,
      instance,
      server,
      createdAt: now,
      expiresAt: now + ttlMs,
      targets: new Map(targets.map((t) => [t, { instance: t, state: 'pending' }])),
      settledAt: undefined,
    };
    this.commands.set(id, entry);
    for (const t of targets) {
      let ids = this.byInstance.get(t);
      if (ids === undefined) this.byInstance.set(t, (ids = []));
      ids.push(id);
    }
    return { id, targets };
  }

  status(id: string): LspCommandStatus | undefined {
    this.sweep(this.now());
    const entry = this.commands.get(id);
    return entry === undefined ? undefined : view(entry);
  }

  onSettled(listener: (status: LspCommandStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Whether the instance is live and executes commands (for the manual route's 404). */
  knows(instance: string): boolean {
    return this.options.states.isControllable(instance);
  }

  /** The ingest route: a version 2 batch from `instance` arrived with these acks; what to answer. */
  exchange(instance: string, acks: readonly CommandAck[] | undefined): ControlAnswer | undefined {
    const now = this.now();
    for (const ack of acks ?? []) this.acknowledge(instance, ack, now);
    this.sweep(now);
    const ids = this.byInstance.get(instance);
    if (ids === undefined || ids.length === 0) return undefined;
    const commands: WireCommand[] = [];
    for (const id of ids) {
      if (commands.length >= MAX_PER_ANSWER) break;
      const entry = this.commands.get(id)!;
      const target = entry.targets.get(instance)!;
      target.state = 'delivered';
      const { command, methods, reason } = entry.command;
      commands.push({
        id,
        command,
        ...(methods !== undefined && { methods: [...methods] }),
        ...(reason !== undefined && { reason }),
        expires_in_ms: entry.expiresAt - now,
      });
    }
    return { control: { version: CONTROL_VERSION, commands } };
  }

  private acknowledge(instance: string, ack: CommandAck, now: number): void {
    const entry = this.commands.get(ack.id);
    const target = entry?.targets.get(instance);
    if (entry === undefined || target === undefined || (target.state !== 'pending' && target.state !== 'delivered')) return;
    target.state = ack.outcome;
    if (ack.detail !== undefined) target.detail = ack.detail;
    this.forget(instance, ack.id);
    this.settleIfDone(entry, now);
  }

  private sweep(now: number): void {
    for (const entry of this.commands.values()) {
      if (entry.settledAt !== undefined) continue;
      if (now < entry.expiresAt) continue;
      for (const target of entry.targets.values()) {
        if (target.state === 'pending' || target.state === 'delivered') {
          target.state = 'expired';
          this.forget(target.instance, entry.id);
        }
      }
      this.settleIfDone(entry, now);
    }
    // Settled commands are kept an hour for status(), and never more than MAX_COMMANDS in all.
    for (const [id, entry] of this.commands) {
      if (entry.settledAt === undefined) continue;
      if (now - entry.settledAt > KEEP_SETTLED_MS || this.commands.size > MAX_COMMANDS * 0.9) this.commands.delete(id);
      else break;
    }
  }

  private forget(instance: string, id: string): void {
    const ids = this.byInstance.get(instance);
    if (ids === undefined) return;
    const at = ids.indexOf(id);
    if (at >= 0) ids.splice(at, 1);
    if (ids.length === 0) this.byInstance.delete(instance);
  }

  private settleIfDone(entry: Entry, now: number): void {
    for (const t of entry.targets.values()) if (t.state === 'pending' || t.state === 'delivered') return;
    entry.settledAt = now;
    // Re-insert so the map stays ordered by settlement time (sweep forgets from the front).
    this.commands.delete(entry.id);
    this.commands.set(entry.id, entry);
    const status = view(entry);
    for (const listener of this.listeners) listener(status);
  }
}

function validate(command: LspCommand): LspCommand {
  if (!LSP_COMMANDS.includes(command.command))
    throw new LspControlError(`lsp command must be one of ${LSP_COMMANDS.join(', ')}, got ${JSON.stringify(command.command)}`);
  if (command.reason !== undefined && (typeof command.reason !== 'string' || command.reason.length > NAME_MAX_LENGTH)) {
    throw new LspControlError('lsp command reason must be a string of at most 200 characters');
  }
  if (command.command === 'restart') {
    if (command.methods !== undefined) throw new LspControlError('lsp command restart takes no methods (they are for breaker_open / breaker_close)');
    return { command: 'restart', ...(command.reason !== undefined && { reason: command.reason }) };
  }
  const methods = command.methods ?? ['*'];
  if (!Array.isArray(methods) || methods.length === 0 || methods.length > MAX_METHODS)
    throw new LspControlError(`lsp command methods must list 1-${MAX_METHODS} methods or patterns`);
  const checked: string[] = [];
  for (const m of methods as unknown[]) {
    if (typeof m !== 'string' || !METHOD_PATTERN.test(m)) {
      throw new LspControlError(`lsp command method ${JSON.stringify(m)} is not an LSP method name or pattern (letters, digits, / . $ _ - and * only)`);
    }
    checked.push(m);
  }
  return { command: command.command, methods: checked, ...(command.reason !== undefined && { reason: command.reason }) };
}

function view(entry: Entry): LspCommandStatus {
  return {
    id: entry.id,
    command: entry.command,
    instance: entry.instance,
    server: entry.server,
    createdAt: entry.createdAt,
    expiresAt: entry.expiresAt,
    targets: [...entry.targets.values()].map((t) => ({ instance: t.instance, state: t.state, ...(t.detail !== undefined && { detail: t.detail }) })),
    settled: entry.settledAt !== undefined,
  };
}
