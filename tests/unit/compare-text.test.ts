import { describe, expect, it } from 'vitest';
import { byCodeUnit } from '../../src/compare-text.js';

describe('byCodeUnit', () => {
  it('orders by code unit, not by locale: capitals first, then lower case, then non-ASCII', () => {
    expect(['b', 'é', 'B', 'a', 'a'].sort(byCodeUnit)).toEqual(['B', 'a', 'a', 'b', 'é']);
  });
});
