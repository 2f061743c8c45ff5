import { describe, expect, it } from 'vitest';
import { RingBuffer } from '../../../src/status/ring-buffer.js';

const entries = (ts: number[]) => ts.map((t) => ({ t, v: t * 10 }));

describe('RingBuffer', () => {
  it('keeps the newest `capacity` entries, oldest first, across many wraparounds', () => {
    const ring = new RingBuffer<{ t: number; v: number }>(3);
    for (const e of entries([1, 2, 3, 4, 5, 6, 7])) ring.push(e);
    expect(ring.size).toBe(3);
    expect(ring.toArray().map((e) => e.t)).toEqual([5, 6, 7]);
    expect(ring.at(0)?.v).toBe(50);
    expect(ring.latest()?.t).toBe(7);
    expect(ring.at(3)).toBeUndefined();
    expect(ring.at(-1)).toBeUndefined();
  });

  it('answers range queries by time, inclusive at both ends, after wrapping', () => {
    const ring = new RingBuffer<{ t: number; v: number }>(5);
    for (const e of entries([10, 20, 30, 40, 50, 60, 70])) ring.push(e);
    // Holds 30..70 now.
    expect(ring.range(40).map((e) => e.t)).toEqual([40, 50, 60, 70]);
    expect(ring.range(35, 60).map((e) => e.t)).toEqual([40, 50, 60]);
    expect(ring.range(0).map((e) => e.t)).toEqual([30, 40, 50, 60, 70]);
    expect(ring.range(71)).toEqual([]);
    expect(ring.atOrBefore(55)?.t).toBe(50);
    expect(ring.atOrBefore(70)?.t).toBe(70);
    expect(ring.atOrBefore(29)).toBeUndefined();
  });

  it('holds equal timestamps and refuses a step back in time', () => {
    const ring = new RingBuffer<{ t: number }>(4);
    ring.push({ t: 5 });
    ring.push({ t: 5 });
    expect(() => ring.push({ t: 4 })).toThrow(/must not decrease/);
    expect(ring.range(5)).toHaveLength(2);
  });

  it('stays bounded at 900 points (15 minutes at 1 s)', () => {
    const ring = new RingBuffer<{ t: number }>(900);
    for (let t = 0; t < 5000; t += 1) ring.push({ t: t * 1000 });
    expect(ring.size).toBe(900);
    expect(ring.at(0)?.t).toBe(4100 * 1000);
    expect(ring.range(4999_000 - 14 * 60_000)).toHaveLength(841);
  });

  it('rejects a capacity that is not a positive integer', () => {
    expect(() => new RingBuffer(0)).toThrow(RangeError);
    expect(() => new RingBuffer(1.5)).toThrow(RangeError);
  });
});
