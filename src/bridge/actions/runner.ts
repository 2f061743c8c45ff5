import type { Logger } from '../../log.js';
import { prepareExec, previewExec, runExec, type PreparedExec } from './exec.js';
import { prepareHttp, previewHttp, sendHttp, type PreparedHttp } from './http.js';
import { prepareLsp, previewLsp, runLsp, type PreparedLsp } from './lsp.js';
import type { LspControl } from '../../ingest/control.js';
import { compileMatcher, type AlertMatcher } from './match.js';
import type { ActionAlert, ActionPhase, ActionRecord } from './model.js';
import { errorMessage, type StepResult } from './output.js';
import { redactTemplate, TemplateError } from './template.js';
import type { ActionDefinition, ActionStep } from './schema.js';

export interface ActionRunnerOptions {
  readonly definitions: readonly ActionDefinition[];
  readonly dryRun: boolean;
  /** Actions running at once; more wait in a FIFO queue. */
  readonly maxConcurrent: number;
  readonly logger: Logger;
  /** Clock (ms since the epoch) for cooldowns and record timestamps; injectable for tests. */
  readonly now?: () => number;
  /** Runs allowed to wait for a slot before new ones are refused (with a `failed` record). Default 1000. */
  readonly maxQueued?: number;
  /** Time between SIGTERM and SIGKILL for an `exec` step past its timeout. Default 3s. */
  readonly killGraceMs?: number;
  /** The LSP proxies' control channel, for `lsp` steps (absent: they fail with the reason). */
  readonly lspControl?: LspControl;
}

type Prepared = PreparedHttp | PreparedExec | PreparedLsp;

/** Resolves with true when a slot was granted, false when the runner closed first. */
type Waiter = (granted: boolean) => void;

const COOLDOWN_PRUNE_SIZE = 1000;

/**
 * Runs configured actions for alerts. The bridge decides *when* (routing, outbox, audit store); the runner
 * decides *which* actions apply and runs them with a concurrency limit, a per-alert cooldown and a timeout,
 * turning every outcome — including its own refusals — into an ActionRecord.
 */
export class ActionRunner {
  private readonly definitions: readonly ActionDefinition[];
  private readonly matchers = new Map<ActionDefinition, AlertMatcher>();
  private readonly dryRun: boolean;
  private readonly maxConcurrent: number;
  private readonly maxQueued: number;
  private readonly killGraceMs: number;
  private readonly logger: Logger;
  private readonly lspControl: LspControl | undefined;
  private readonly now: () => number;
  /** `action\0fingerprint` → when its last trigger started. */
  private readonly lastTrigger = new Map<string, number>();
  private readonly longestCooldown: number;
  private readonly waiting: Waiter[] = [];
  private readonly inflight = new Set<Promise<unknown>>();
  private active = 0;
  private closed = false;

  constructor(options: ActionRunnerOptions) {
    if (!Number.isInteger(options.maxConcurrent) || options.maxConcurrent < 1) {
      throw new RangeError(`maxConcurrent must be a positive integer, got ${options.maxConcurrent}`);
    }
    this.definitions = options.definitions;
    for (const definition of options.definitions) this.matchers.set(definition, compileMatcher(definition));
    this.dryRun = options.dryRun;
    this.maxConcurrent = options.maxConcurrent;
    this.maxQueued = options.maxQueued ?? 1000;
    this.killGraceMs = options.killGraceMs ?? 3000;
    this.logger = options.logger;
    this.lspControl = options.lspControl;
    this.now = options.now ?? Date.now;
    this.longestCooldown = Math.max(0, ...options.definitions.map((definition) => definition.cooldown));
  }

  /**
   * The configured actions whose matchers hold for this alert. For a resolved alert only those with a
   * `rollback` step are returned, so `run(definition, alert.status === 'firing' ? 'trigger' : 'rollback', alert)`
   * over the result is always meaningful.
   */
  applicable(alert: ActionAlert): ActionDefinition[] {
    return this.definitions.filter((definition) => {
      if (alert.status === 'resolved' && definition.rollback === undefined) return false;
      const matcher = this.matchers.get(definition) ?? compileMatcher(definition);
      return matcher(alert);
    });
  }

  /** Runs one phase of one action. Never throws: every failure, refusal or skip is an ActionRecord. */
  async run(definition: ActionDefinition, phase: ActionPhase, alert: ActionAlert): Promise<ActionRecord> {
    const task = this.runSafely(definition, phase, alert);
    this.inflight.add(task);
    try {
      return await task;
    } finally {
      this.inflight.delete(task);
    }
  }

  /** Refuses new runs, fails queued ones with a record, and waits for running ones (each bounded by its timeout). */
  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of this.waiting.splice(0)) waiter(false);
    await Promise.allSettled([...this.inflight]);
  }

  private async runSafely(definition: ActionDefinition, phase: ActionPhase, alert: ActionAlert): Promise<ActionRecord> {
    const step: ActionStep | undefined = phase === 'trigger' ? definition.trigger : definition.rollback;
    const base = {
      action: definition.name,
      phase,
      fingerprint: alert.fingerprint,
      alertname: alert.labels.alertname ?? '',
      kind: stepKind(step ?? definition.trigger),
    };
    const record = (startedAt: number, target: string, result: StepResult): ActionRecord => ({
      ...base,
      target,
      startedAt: new Date(startedAt).toISOString(),
      durationMs: Math.max(0, this.now() - startedAt),
      ...result,
    });
    const calledAt = this.now();
    try {
      if (step === undefined)
        return this.log(
          record(calledAt, '', { outcome: 'failed', outputExcerpt: '', error: `action ${JSON.stringify(definition.name)} has no rollback step` }),
        );
      let prepared: Prepared;
      try {
        prepared = prepare(step, alert, phase);
      } catch (error) {
        if (!(error instanceof TemplateError)) throw error;
        const target = 'http' in step ? `${step.http.method} ${redactTemplate(step.http.url)}` : '';
        return this.log(record(calledAt, target, { outcome: 'failed', outputExcerpt: '', error: error.message }));
      }
      if (this.closed) return this.log(record(calledAt, prepared.target, refused('the action runner is shutting down')));

      const cooldownKey = `${definition.name}\0${alert.fingerprint}`;
      const previousTrigger = this.lastTrigger.get(cooldownKey);
      if (phase === 'trigger') {
        // Rollbacks are never held back: undoing a remediation is always allowed.
        if (previousTrigger !== undefined && calledAt - previousTrigger < definition.cooldown) {
          const ago = Math.round((calledAt - previousTrigger) / 1000);
          return this.log(
            record(calledAt, prepared.target, {
              outcome: 'skipped_cooldown',
              outputExcerpt: '',
              error: `triggered ${ago}s ago for this alert; cooldown is ${Math.round(definition.cooldown / 1000)}s`,
            }),
          );
        }
        // Stamped before waiting for a slot so that duplicate triggers arriving together are also held back.
        this.stampTrigger(cooldownKey, calledAt);
      }
      const unstamp = () => {
        if (phase !== 'trigger') return;
        if (previousTrigger === undefined) this.lastTrigger.delete(cooldownKey);
        else this.lastTrigger.set(cooldownKey, previousTrigger);
      };

      if (this.dryRun) return this.log(record(calledAt, prepared.target, { outcome: 'dry_run', outputExcerpt: preview(prepared) }));

      if (this.waiting.length >= this.maxQueued && this.active >= this.maxConcurrent) {
        unstamp();
        return this.log(
          record(
            calledAt,
            prepared.target,
            refused(`${this.waiting.length} actions already waiting for one of ${this.maxConcurrent} slots (limit ${this.maxQueued})`),
          ),
        );
      }
      if (!(await this.acquire())) {
        unstamp();
        return this.log(record(calledAt, prepared.target, refused('the action runner shut down before this action could start')));
      }
      const startedAt = this.now();
      try {
        const result = await this.execute(prepared, definition.timeout, `${definition.name} ${phase}: ${alert.labels['alertname'] ?? alert.fingerprint}`);
        return this.log(record(startedAt, prepared.target, result));
      } finally {
        this.release();
      }
    } catch (error) {
      // A bug of ours, not of the action; still an audit record rather than a lost run.
      const result = record(calledAt, '', { outcome: 'failed', outputExcerpt: '', error: `internal error: ${errorMessage(error)}` });
      try {
        this.logger.error({ action: definition.name, phase, err: error }, 'action runner internal error');
      } catch {
        // Logging must not turn a record into a throw.
      }
      return result;
    }
  }

  private execute(prepared: Prepared, timeoutMs: number, reason: string): Promise<StepResult> {
    if (prepared.kind === 'http') return sendHttp(prepared, timeoutMs);
    if (prepared.kind === 'lsp') return runLsp(prepared, this.lspControl, timeoutMs, reason);
    return runExec(prepared, { timeoutMs, killGraceMs: this.killGraceMs });
  }

  private acquire(): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    if (this.active < this.maxConcurrent) {
      this.active += 1;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Hands the slot straight to the next waiter (FIFO), so a newcomer cannot overtake the queue. */
  private release(): void {
    const next = this.waiting.shift();
    if (next !== undefined) next(true);
    else this.active -= 1;
  }

  private stampTrigger(key: string, at: number): void {
    if (this.lastTrigger.size >= COOLDOWN_PRUNE_SIZE) {
      for (const [other, when] of this.lastTrigger) if (at - when >= this.longestCooldown) this.lastTrigger.delete(other);
    }
    this.lastTrigger.set(key, at);
  }

  private log(record: ActionRecord): ActionRecord {
    const fields = {
      action: record.action,
      phase: record.phase,
      outcome: record.outcome,
      target: record.target,
      fingerprint: record.fingerprint,
      duration_ms: record.durationMs,
    };
    if (record.outcome === 'failed' || record.outcome === 'timed_out') this.logger.warn({ ...fields, error: record.error }, 'action did not succeed');
    else this.logger.info(fields, record.outcome === 'dry_run' ? 'action dry run' : 'action ran');
    return record;
  }
}

function stepKind(step: ActionStep): 'http' | 'exec' | 'lsp' {
  return 'http' in step ? 'http' : 'lsp' in step ? 'lsp' : 'exec';
}

function prepare(step: ActionStep, alert: ActionAlert, phase: ActionPhase): Prepared {
  if ('http' in step) return prepareHttp(step.http, { alert, phase });
  if ('lsp' in step) return prepareLsp(step.lsp, { alert, phase });
  return prepareExec(step.exec, alert, phase);
}

function preview(prepared: Prepared): string {
  return prepared.kind === 'http' ? previewHttp(prepared) : prepared.kind === 'lsp' ? previewLsp(prepared) : previewExec(prepared);
}

function refused(reason: string): StepResult {
  return { outcome: 'failed', outputExcerpt: '', error: `not run: ${reason}` };
}
