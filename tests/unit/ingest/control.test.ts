import { describe, expect, it } from 'vitest';
import { LspControl, LspControlError, MAX_TTL_MS } from '../../../src/ingest/control.js';
import { InstanceStates } from '../../../src/ingest/instance-state.js';

const state = { up: true, inFlight: { client_to_server: 0, server_to_client: 0 }, diagnostics: { error: 0, warning: 0, information: 0, hint: 0 } };

function setup() {
  const clock = { now: 0 };
  const states = new InstanceStates({ staleAfterMs: 60_000, retentionMs: 900_000, now: () => clock.now });
  const control = new LspControl({ states, now: () => clock.now });
  /** An instance reporting a server, as a version 2 (controllable) or version 1 proxy. */
  const report = (instance: string, server: string, controllable = true) => {
    states.heartbeat(instance, controllable);
    states.report(instance, server, server, state);
  };
  return { clock, states, control, report };
}

describe('LspControl', () => {
  it('queues for the matching controllable instances only, hands out in the answer, settles on the ack', () => {
    const { control, report } = setup();
    report('p1', 'typescript');
    report('p2', 'pyright');
    report('old', 'typescript', false);
    const settled: string[] = [];
    control.onSettled((s) => settled.push(`${s.id}:${s.targets.map((t) => t.state).join(',')}`));
    const { id, targets } = control.enqueue(undefined, 'typescript', { command: 'restart', reason: 'memory leak' }, 60_000);
    expect(targets).toEqual(['p1']);
    expect(control.exchange('p2', undefined)).toBeUndefined();
    expect(control.exchange('p1', undefined)).toEqual({
      control: { version: 1, commands: [{ id, command: 'restart', reason: 'memory leak', expires_in_ms: 60_000 }] },
    });
    expect(control.status(id)?.targets).toEqual([{ instance: 'p1', state: 'delivered' }]);
    // Not acked yet: handed out again (the proxy ignores an id it has run).
    expect(control.exchange('p1', undefined)?.control.commands.map((c) => c.id)).toEqual([id]);
    expect(control.exchange('p1', [{ id, outcome: 'done', detail: 'replayed 3 open documents' }])).toBeUndefined();
    expect(control.status(id)).toMatchObject({ settled: true, targets: [{ instance: 'p1', state: 'done', detail: 'replayed 3 open documents' }] });
    expect(settled).toEqual([`${id}:done`]);
  });

  it('targets by instance, by server, or all; nothing is queued when no proxy matches', () => {
    const { control, report } = setup();
    report('p1', 'typescript');
    report('p2', 'pyright');
    expect(control.enqueue('p2', undefined, { command: 'breaker_open', methods: ['textDocument/*'] }, 10_000).targets).toEqual(['p2']);
    expect(control.enqueue(undefined, undefined, { command: 'breaker_close' }, 10_000).targets).toEqual(['p1', 'p2']);
    expect(control.enqueue('p1', 'pyright', { command: 'restart' }, 10_000).targets).toEqual([]);
    expect(control.enqueue('gone', undefined, { command: 'restart' }, 10_000).targets).toEqual([]);
    expect(control.exchange('p1', undefined)?.control.commands.map((c) => [c.command, c.methods])).toEqual([['breaker_close', ['*']]]);
  });

  it('expires unacknowledged commands and no longer hands them out', () => {
    const { clock, control, report } = setup();
    report('p1', 'typescript');
    const { id } = control.enqueue('p1', undefined, { command: 'restart' }, 5000);
    clock.now = 5001;
    report('p1', 'typescript');
    expect(control.exchange('p1', undefined)).toBeUndefined();
    expect(control.status(id)).toMatchObject({ settled: true, targets: [{ instance: 'p1', state: 'expired' }] });
  });

  it('ignores acks for unknown ids or from other instances', () => {
    const { control, report } = setup();
    report('p1', 'a');
    report('p2', 'a');
    const { id } = control.enqueue('p1', undefined, { command: 'restart' }, 5000);
    control.exchange('p2', [
      { id, outcome: 'failed' },
      { id: 'nope', outcome: 'done' },
    ]);
    expect(control.status(id)?.targets).toEqual([{ instance: 'p1', state: 'pending' }]);
  });

  it('refuses bad input with a one-line reason naming the field', () => {
    const { control, report } = setup();
    report('p1', 'a');
    const bad: [Parameters<LspControl['enqueue']>, RegExp][] = [
      [['p1', undefined, { command: 'reboot' as never }, 5000], /command must be one of restart, breaker_open, breaker_close/],
      [['p1', undefined, { command: 'restart', methods: ['x'] }, 5000], /restart takes no methods/],
      [['p1', undefined, { command: 'breaker_open', methods: ['a b'] }, 5000], /method "a b" is not an LSP method/],
      [['p1', undefined, { command: 'breaker_open', methods: [] }, 5000], /methods must list 1-20/],
      [['p1', undefined, { command: 'restart' }, MAX_TTL_MS + 1], /ttl must be/],
      [['', undefined, { command: 'restart' }, 5000], /instance must be/],
    ];
    for (const [args, message] of bad) {
      expect(() => control.enqueue(...args)).toThrow(LspControlError);
      expect(() => control.enqueue(...args)).toThrow(message);
    }
  });
});
