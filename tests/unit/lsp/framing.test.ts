import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HEAD_BYTES, MAX_HEADER_BYTES, MessageFramer, parseContentLength } from '../../../src/lsp/framing.js';

function frame(body: string, extraHeader = ''): Buffer {
  const bytes = Buffer.from(body, 'utf8');
  return Buffer.concat([Buffer.from(`Content-Length: ${bytes.length}\r\n${extraHeader}\r\n`, 'latin1'), bytes]);
}

/** Feeds `chunks` and returns the bodies (copied: the framer's views are only valid during the call). */
function collect(chunks: readonly Buffer[], maxInspected?: number) {
  const bodies: (string | undefined)[] = [];
  const lengths: number[] = [];
  const problems: string[] = [];
  const framer = new MessageFramer(
    {
      onMessage: (body, length) => {
        bodies.push(body === undefined ? undefined : body.toString('utf8'));
        lengths.push(length);
      },
      onProblem: (reason) => problems.push(reason),
    },
    maxInspected,
  );
  for (const c of chunks) framer.push(c);
  return { bodies, lengths, problems };
}

/** Cuts `bytes` at the given (sorted, deduplicated) offsets. */
function split(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const p of points) {
    out.push(bytes.subarray(from, p));
    from = p;
  }
  out.push(bytes.subarray(from));
  return out.filter((c) => c.length > 0);
}

// Bodies with multi-byte UTF-8 (Content-Length counts bytes, not characters) and header-like text.
const bodyArb = fc.oneof(
  fc.json(),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.constantFrom('', 'Content-Length: 12\r\n\r\n', '{"id":1,"result":"é😀"}'),
);

describe('MessageFramer', () => {
  it('yields the same messages for any split of a valid stream (headers and bodies cut anywhere)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(bodyArb, fc.boolean()), { minLength: 1, maxLength: 12 }), fc.array(fc.nat(), { maxLength: 20 }), (messages, cuts) => {
        const stream = Buffer.concat(
          messages.map(([body, withType]) => frame(body, withType ? 'Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n' : '')),
        );
        const whole = collect([stream]);
        const pieces = collect(split(stream, cuts));
        const bytewise = collect([...stream].map((b) => Buffer.from([b])));
        const expected = messages.map(([body]) => body);
        expect(whole.bodies).toEqual(expected);
        expect(pieces.bodies).toEqual(expected);
        expect(bytewise.bodies).toEqual(expected);
        expect(pieces.lengths).toEqual(messages.map(([body]) => Buffer.byteLength(body)));
        expect(pieces.problems).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('counts Content-Length in UTF-8 bytes', () => {
    const { bodies, lengths } = collect([frame('{"m":"héllo 😀"}')]);
    expect(bodies).toEqual(['{"m":"héllo 😀"}']);
    expect(lengths).toEqual([Buffer.byteLength('{"m":"héllo 😀"}')]);
  });

  it('reads the header case-insensitively and ignores other headers', () => {
    expect(parseContentLength('content-length: 42')).toBe(42);
    expect(parseContentLength('Content-Type: x\r\nCONTENT-LENGTH:7')).toBe(7);
    expect(parseContentLength('Content-Type: x')).toBeUndefined();
    expect(parseContentLength('Content-Length: -1')).toBeUndefined();
    expect(parseContentLength('Content-Length: 12abc')).toBeUndefined();
  });

  it('skips a header without Content-Length and resynchronises on the next message', () => {
    const stream = Buffer.concat([Buffer.from('X-Bogus: 1\r\n\r\n', 'latin1'), frame('{"id":1}')]);
    const { bodies, problems } = collect(split(stream, [3, 17, 20]));
    expect(bodies).toEqual(['{"id":1}']);
    expect(problems).toEqual(['header without a valid Content-Length']);
  });

  it('gives up on a runaway header and still finds the next message', () => {
    const garbage = Buffer.alloc(MAX_HEADER_BYTES + 100, 'a');
    const { bodies, problems } = collect([garbage, Buffer.from('\r\n\r\n'), frame('{"id":2}')]);
    expect(problems[0]).toMatch(/no end of header/);
    expect(bodies).toEqual(['{"id":2}']);
  });

  it('hands over only the head of a body over the inspection limit, once the whole body has passed', () => {
    const big = `{"jsonrpc":"2.0","id":7,"result":"${'x'.repeat(HEAD_BYTES * 2)}"}`;
    const heads: [string, number, boolean][] = [];
    const framer = new MessageFramer(
      { onMessage: (body, length, truncated) => heads.push([body.toString('latin1', 0, 30), length, truncated]), onProblem: () => {} },
      1000,
    );
    for (const piece of split(Buffer.concat([frame(big), frame('{"id":3}')]), [10, 500, 900, HEAD_BYTES + 5, HEAD_BYTES * 2])) framer.push(piece);
    expect(heads).toEqual([
      [big.slice(0, 30), big.length, true],
      ['{"id":3}', 8, false],
    ]);
  });
});
