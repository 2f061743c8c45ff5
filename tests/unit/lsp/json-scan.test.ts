import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeParsed, scanMessage } from '../../../src/lsp/json-scan.js';

const json = (value: unknown, indent?: number) => Buffer.from(JSON.stringify(value, null, indent), 'utf8');

// Objects that may carry id/method/result/error among arbitrary keys and nested values.
const idArb = fc.oneof(fc.integer(), fc.double({ noNaN: true }), fc.string(), fc.constant(null), fc.jsonValue());
const objectArb = fc
  .record(
    {
      id: idArb,
      method: fc.oneof(fc.string(), fc.jsonValue()),
      result: fc.jsonValue(),
      error: fc.oneof(
        fc.record(
          { code: fc.oneof(fc.integer(), fc.double({ noNaN: true }), fc.jsonValue()), message: fc.string(), data: fc.jsonValue() },
          { requiredKeys: [] },
        ),
        fc.jsonValue(),
      ),
      params: fc.jsonValue(),
    },
    { requiredKeys: [] },
  )
  .chain((known) => fc.tuple(fc.constant(known), fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 5 }), fc.array(fc.nat())))
  .map(([known, extra, order]) => {
    // Known keys in a random position among the others, as servers order them freely (`id` after `result`).
    const entries = [...Object.entries(extra).filter(([k]) => !(k in known)), ...Object.entries(known)];
    for (let i = entries.length - 1; i > 0; i--) {
      const j = (order[i] ?? 0) % (i + 1);
      [entries[i], entries[j]] = [entries[j]!, entries[i]!];
    }
    return Object.fromEntries(entries);
  });

describe('scanMessage', () => {
  it('agrees with JSON.parse on the top-level id, method and error.code of arbitrary objects', () => {
    fc.assert(
      fc.property(objectArb, fc.constantFrom(undefined, 1, 2), (value, indent) => {
        const body = json(value, indent);
        const expected = describeParsed(JSON.parse(body.toString('utf8')));
        expect(scanMessage(body, false)).toEqual(expected);
      }),
      { numRuns: 1000 },
    );
  });

  it('agrees with JSON.parse for any JSON object at all', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (value) => {
        const body = json(value);
        expect(scanMessage(body, false)).toEqual(describeParsed(JSON.parse(body.toString('utf8'))));
      }),
      { numRuns: 500 },
    );
  });

  it('stopping early classifies JSON-RPC messages the same as a full read', () => {
    const message = fc.oneof(
      fc.record({ jsonrpc: fc.constant('2.0'), id: fc.oneof(fc.integer(), fc.string()), method: fc.string(), params: fc.jsonValue() }),
      fc.record({ jsonrpc: fc.constant('2.0'), method: fc.string(), params: fc.jsonValue() }),
      fc.record({ jsonrpc: fc.constant('2.0'), result: fc.jsonValue(), id: fc.oneof(fc.integer(), fc.string()) }),
      fc.record({
        jsonrpc: fc.constant('2.0'),
        id: fc.oneof(fc.integer(), fc.string(), fc.constant(null)),
        error: fc.record({ code: fc.integer(), message: fc.string() }),
      }),
    );
    fc.assert(
      fc.property(message, (value) => {
        const full = scanMessage(json(value), false)!;
        const early = scanMessage(json(value), true)!;
        expect(early.id).toEqual(full.id);
        expect(early.method).toEqual(full.method);
        expect(early.hasResult || early.hasError).toBe(full.hasResult || full.hasError);
        expect(early.errorCode).toEqual(full.errorCode);
      }),
      { numRuns: 500 },
    );
  });

  it('tells 1 and "1" apart, and reads escaped keys and string ids', () => {
    expect(scanMessage(Buffer.from('{"id":1,"result":null}'))?.id).toBe(1);
    expect(scanMessage(Buffer.from('{"id":"1","result":null}'))?.id).toBe('1');
    expect(scanMessage(Buffer.from('{"\\u0069d":"a\\"b","result":null}'))?.id).toBe('a"b');
    expect(scanMessage(Buffer.from(' { "result" : {"id":9,"x":["}"]} , "id" : -7 } '))).toMatchObject({ id: -7, hasResult: true });
    expect(scanMessage(Buffer.from('{"jsonrpc":"2.0","id":4,"error":{"message":"x","code":-32800}}'))).toMatchObject({
      id: 4,
      hasError: true,
      errorCode: -32800,
    });
  });

  it('stops before a large result once the message is classified', () => {
    // An unterminated result would throw if it were walked: proving it is not read at all.
    const body = Buffer.from('{"jsonrpc":"2.0","id":12,"result":{"items":[{"label":"a"');
    expect(scanMessage(body)).toMatchObject({ id: 12, hasResult: true });
    expect(scanMessage(body, false)).toBeUndefined();
  });

  it('returns undefined for what is not a JSON object, so the caller falls back to JSON.parse', () => {
    for (const text of ['', 'not json', '[1,2]', '"s"', '{"id":', '{"id" 1}', '{"a":1,,}']) expect(scanMessage(Buffer.from(text), false)).toBeUndefined();
  });
});
