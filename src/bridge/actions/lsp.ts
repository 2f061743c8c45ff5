import { setTimeout as sleep } from 'node:timers/promises';
import type { LspControl } from '../../ingest/control.js';
import { errorMessage, formatMs, type StepResult } from './output.js';
import type { LspStep } from './schema.js';
import { renderString, type TemplateContext } from './template.js';

/** An `lsp` step with the alert's values inserted. */
export interface PreparedLsp {
  readonly kind: 'lsp';
  readonly step: LspStep;
  readonly server: string | undefined;
  readonly instance: string | undefined;
  /** `lsp restart server=pyright`, for people. */
  readonly target: string;
}

export function prepareLsp(step: LspStep, context: TemplateContext): PreparedLsp {
  const server = step.server === undefined ? undefined : renderString(step.server, context);
  const instance = step.instance === undefined ? undefined : renderString(step.instance, context);
  const who = [
    server === undefined ? '' : `server=${server}`,
    instance === undefined ? '' : `instance=${instance}`,
    step.methods === undefined ? '' : `methods=${step.methods.join(',')}`,
  ].filter((x) => x !== '');
  return {
    kind: 'lsp',
    step,
    server: server === '' ? undefined : server,
    instance: instance === '' ? undefined : instance,
    target: `lsp ${step.command} ${who.join(' ')}`.trim(),
  };
}

export function previewLsp(prepared: PreparedLsp): string {
  return `would send ${prepared.target} to the matching lsp-proxy instances`;
}

const POLL_MS = 100;

/**
 * Queues the command for the proxies that report here and waits (within the action's timeout) until each
 * target acknowledged it: succeeded when every target did it, failed when one failed, expired or none
 * matched. A proxy picks commands up with its next batch (at most a second or its 10 s heartbeat).
 */
export async function runLsp(prepared: PreparedLsp, control: LspControl | undefined, timeoutMs: number, reason: string): Promise<StepResult> {
  if (control === undefined)
    return { outcome: 'failed', outputExcerpt: '', error: 'lsp actions need the ingest API in this ide-monitor (ingest.enabled), where the proxies report' };
  const { step } = prepared;
  let queued: { id: string; targets: string[] };
  try {
    queued = control.enqueue(
      prepared.instance,
      prepared.server,
      { command: step.command, ...(step.methods !== undefined && { methods: step.methods }), reason: reason.slice(0, 200) },
      Math.min(step.ttl, 3_600_000),
    );
  } catch (error) {
    return { outcome: 'failed', outputExcerpt: '', error: errorMessage(error) };
  }
  if (queued.targets.length === 0) {
    return {
      outcome: 'failed',
      outputExcerpt: '',
      error: `no live lsp-proxy ${prepared.server === undefined ? '' : `for server ${prepared.server} `}reports to this ide-monitor (proxies need ingest version 2)`,
    };
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = control.status(queued.id);
    if (status !== undefined && status.settled) {
      const excerpt = status.targets.map((t) => `${t.instance}: ${t.state}${t.detail === undefined ? '' : ` (${t.detail})`}`).join('\n');
      const bad = status.targets.filter((t) => t.state !== 'done');
      return bad.length === 0
        ? { outcome: 'succeeded', outputExcerpt: excerpt }
        : { outcome: 'failed', outputExcerpt: excerpt, error: `${bad.length} of ${status.targets.length} proxies did not do it` };
    }
    if (Date.now() >= deadline)
      return { outcome: 'timed_out', outputExcerpt: '', error: `queued for ${queued.targets.join(', ')}; not acknowledged within ${formatMs(timeoutMs)}` };
    await sleep(POLL_MS);
  }
}
