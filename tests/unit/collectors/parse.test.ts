import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fields, parseKeyValueLines, toNumber } from '../../../src/exporter/collectors/parse.js';

describe('collector parsing helpers', () => {
  it('reads meminfo-style and stat-style key/value lines alike', () => {
    const entries = parseKeyValueLines('MemTotal:       24683620 kB\nActive(anon):  1512 kB\nHugePages_Total:       0\n\nctxt 498085\nintr 228582 0 1\n');
    expect([...entries]).toEqual([
      ['MemTotal', '24683620 kB'],
      ['Active(anon)', '1512 kB'],
      ['HugePages_Total', '0'],
      ['ctxt', '498085'],
      ['intr', '228582 0 1'],
    ]);
  });

  it('splits on any run of spaces and tabs', () => {
    expect(fields('  342\t0\t 2466160 \n')).toEqual(['342', '0', '2466160']);
    expect(fields('   ')).toEqual([]);
  });

  it('parses a field to a number only when it is one', () => {
    expect([toNumber('12345'), toNumber('0.07'), toNumber(undefined), toNumber(''), toNumber('n/a')]).toEqual([12345, 0.07, undefined, undefined, undefined]);
  });

  it('finds every key of any padded key/value table', () => {
    const key = fc.stringMatching(/^[A-Za-z_()]{1,12}$/);
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(key, fc.nat(), fc.nat({ max: 12 }), fc.boolean()), { selector: ([k]) => k }), (rows) => {
        const text = rows.map(([k, v, pad, colon]) => `${k}${colon ? ':' : ''}${' '.repeat(pad + 1)}${v} kB`).join('\n');
        const entries = parseKeyValueLines(text);
        expect([...entries.keys()]).toEqual(rows.map(([k]) => k));
        for (const [k, v] of rows) expect(toNumber(fields(entries.get(k) ?? '')[0])).toBe(v);
      }),
    );
  });
});
