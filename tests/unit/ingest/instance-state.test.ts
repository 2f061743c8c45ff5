import { describe, expect, it } from 'vitest';
import { InstanceStates, type ServerStateReport } from '../../../src/ingest/instance-state.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;

function clockedStates() {
  const clock = { now: 0 };
  const states = new InstanceStates({ staleAfterMs: 60 * SECOND, retentionMs: 15 * MINUTE, now: () => clock.now });
  return { clock, states };
}

const state = (up: boolean, c2s = 0, errors = 0): ServerStateReport => ({
  up,
  inFlight: { client_to_server: c2s, server_to_client: 0 },
  diagnostics: { error: errors, warning: 0, information: 0, hint: 0 },
});

/** server → [up, in flight c2s, errors], `live` false shown as up only. */
function view(states: InstanceStates): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [server, g] of states.snapshot()) out[server] = g.live ? [g.up, g.inFlight.client_to_server, g.diagnostics.error] : [g.up];
  return out;
}

describe('InstanceStates', () => {
  it('replaces an instance state and sums live instances per server', () => {
    const { states } = clockedStates();
    states.report('a', 'ts', 'ts', state(true, 3, 1));
    states.report('a', 'ts', 'ts', state(true, 2, 4));
    states.report('b', 'ts', 'ts', state(false, 5, 0));
    states.report('b', 'py', 'py', state(true, 1, 0));
    expect(view(states)).toEqual({ ts: [1, 7, 4], py: [1, 1, 0] });
  });

  it('expires an instance silent for longer than the staleness timeout, exactly at the boundary', () => {
    const { clock, states } = clockedStates();
    states.report('a', 'ts', 'ts', state(true, 3, 1));
    states.report('b', 'ts', 'ts', state(true, 1, 1));
    clock.now = 50 * SECOND;
    states.heartbeat('b');
    clock.now = 60 * SECOND;
    expect(view(states)).toEqual({ ts: [1, 4, 2] });
    clock.now = 60 * SECOND + 1;
    expect(view(states)).toEqual({ ts: [1, 1, 1] });
    expect(states.instanceCount).toBe(1);
  });

  it('keeps server_up at 0 for the retention after the last instance went silent, then drops it', () => {
    const { clock, states } = clockedStates();
    states.report('a', 'ts', 'ts', state(true, 3, 1));
    clock.now = 61 * SECOND;
    expect(view(states)).toEqual({ ts: [0] });
    clock.now = 60 * SECOND + 15 * MINUTE;
    expect(view(states)).toEqual({ ts: [0] });
    clock.now = 60 * SECOND + 15 * MINUTE + 1;
    expect(view(states)).toEqual({});
  });

  it('an abnormal exit shows 0 while the instance lives and for the retention after it expired', () => {
    const { clock, states } = clockedStates();
    states.started('a', 'ts', 'ts');
    states.report('a', 'ts', 'ts', state(true, 2, 3));
    expect(view(states)).toEqual({ ts: [1, 2, 3] });
    clock.now = 10 * SECOND;
    states.exited('a', 'ts', 'ts', false);
    expect(view(states)).toEqual({ ts: [0, 0, 0] });
    clock.now = 10 * SECOND + 60 * SECOND + 14 * MINUTE;
    expect(view(states)).toEqual({ ts: [0] });
    clock.now = 10 * SECOND + 60 * SECOND + 15 * MINUTE + 1;
    expect(view(states)).toEqual({});
  });

  it('a clean exit drops the server at once, so closing the editor pages nobody', () => {
    const { clock, states } = clockedStates();
    states.report('a', 'ts', 'ts', state(true, 1, 1));
    states.exited('a', 'ts', 'ts', true);
    expect(view(states)).toEqual({});
    // The proxy's last batch carries its final state after the exit: still a clean goodbye.
    states.report('a', 'ts', 'ts', state(false));
    expect(view(states)).toEqual({});
    clock.now = 2 * MINUTE;
    expect(view(states)).toEqual({});
  });

  it('a server restarted after a clean exit counts again', () => {
    const { states } = clockedStates();
    states.exited('a', 'ts', 'ts', true);
    states.started('a', 'ts', 'ts');
    expect(view(states)).toEqual({ ts: [1, 0, 0] });
  });

  it('another live instance with the server up wins over a crashed one, and ends its retention', () => {
    const { clock, states } = clockedStates();
    states.report('a', 'ts', 'ts', state(true));
    clock.now = 61 * SECOND;
    expect(view(states)).toEqual({ ts: [0] });
    states.report('b', 'ts', 'ts', state(true, 1));
    expect(view(states)).toEqual({ ts: [1, 1, 0] });
    states.exited('b', 'ts', 'ts', true);
    expect(view(states)).toEqual({});
  });

  it('keys servers by raw name, so two names folded into other add up instead of overwriting', () => {
    const { states } = clockedStates();
    states.report('a', 'x1', 'other', state(false, 1));
    states.report('a', 'x2', 'other', state(true, 2));
    expect(view(states)).toEqual({ other: [1, 3, 0] });
  });

  it('bounds the instance table: a new instance beyond the cap is refused until stale ones expire', () => {
    const clock = { now: 0 };
    const states = new InstanceStates({ staleAfterMs: 1000, retentionMs: 0, maxInstances: 2, now: () => clock.now });
    expect(states.report('a', 's', 's', state(true))).toBe(true);
    expect(states.report('b', 's', 's', state(true))).toBe(true);
    expect(states.report('c', 's', 's', state(true))).toBe(false);
    clock.now = 1001;
    expect(states.report('c', 's', 's', state(true))).toBe(true);
    expect(states.instanceCount).toBe(1);
  });
});
