import { describe, expect, it } from 'vitest';
import { floorSlopePerHour, slopePerHour } from '../../../soak/report.mjs';

const MINUTE = 60_000;
/** An hour of samples every 10 s: RSS climbing 10 MB over each 4-minute GC cycle, then dropping back. */
function sawtooth(leakMbPerHour: number, phaseMs = 0): { t: number; value: number }[] {
  const points = [];
  for (let t = 0; t <= 60 * MINUTE; t += 10_000) {
    const cycle = ((t + phaseMs) % (4 * MINUTE)) / (4 * MINUTE);
    points.push({ t, value: 80 + 10 * cycle + (leakMbPerHour * t) / (60 * MINUTE) });
  }
  return points;
}

describe('soak growth figures', () => {
  it('a sawing heap without a leak: the floors stay level wherever the run ends on the saw', () => {
    for (const phase of [0, MINUTE, 3 * MINUTE]) expect(Math.abs(floorSlopePerHour(sawtooth(0, phase)))).toBeLessThan(1);
  });

  it('a leak under the saw: the floors rise at its rate', () => {
    expect(floorSlopePerHour(sawtooth(12))).toBeCloseTo(12, 0);
    expect(slopePerHour(sawtooth(12))).toBeCloseTo(12, -1);
  });
});
