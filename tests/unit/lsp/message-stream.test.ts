import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HEAD_BYTES } from '../../../src/lsp/framing.js';
import { frameMessage, MessageStream, ROUTE_HEAD_BYTES, type Route } from '../../../src/lsp/message-stream.js';

/** Cuts `bytes` at the given offsets. */
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

function run(chunks: readonly Buffer[], decide: (head: string) => Route = () => 'forward', eager?: () => boolean) {
  const out: Buffer[] = [];
  const collected: string[] = [];
  let writingAtBoundary = false;
  const stream: MessageStream = new MessageStream(
    {
      route: (head) => decide(head.toString('utf8')),
      forward: (b) => out.push(Buffer.from(b)),
      collected: (b) => collected.push(b === undefined ? '(too large)' : b.toString('utf8')),
      boundary: () => (writingAtBoundary ||= stream.writing),
    },
    undefined,
    eager,
  );
  for (const c of chunks) stream.push(c);
  stream.finish();
  return { out: Buffer.concat(out), collected, writingAtBoundary, writes: out.length };
}

describe('MessageStream', () => {
  it('passes any byte stream through unchanged, however it is cut (frames, garbage, binary)', () => {
    const piece = fc.oneof(
      fc.json().map((j) => frameMessage(JSON.parse(j))),
      fc.uint8Array({ maxLength: 50 }).map((a) => Buffer.from(a)),
      fc.constantFrom(Buffer.from('Content-Length: 2\r\n\r\n{}'), Buffer.from('Content-Length: x\r\n\r\n'), Buffer.from('\r\n\r\n')),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 10 }), fc.array(fc.nat(), { maxLength: 12 }), (pieces, cuts) => {
        const stream = Buffer.concat(pieces);
        expect(run(split(stream, cuts)).out.equals(stream)).toBe(true);
        expect(run(split(stream, cuts), undefined, () => true).out.equals(stream)).toBe(true);
        let flip = false;
        expect(run(split(stream, cuts), undefined, () => (flip = !flip)).out.equals(stream)).toBe(true);
      }),
    );
  });

  it('eager: passes bytes on as they arrive, a header without its end or a line that is no header at all', () => {
    const out: string[] = [];
    const stream = new MessageStream({ route: () => 'drop', forward: (b) => out.push(b.toString('latin1')) }, undefined, () => true);
    stream.push(Buffer.from('1700000000000\n'));
    expect(out).toEqual(['1700000000000\n']);
    const framed: string[] = [];
    const second = new MessageStream({ route: () => 'drop', forward: (b) => framed.push(b.toString('latin1')) }, undefined, () => true);
    second.push(Buffer.from('Content-Len'));
    expect(framed).toEqual(['Content-Len']);
    expect(second.writing).toBe(true);
    second.push(Buffer.from('gth: 2\r\n\r\n{}'));
    expect(framed.join('')).toBe('Content-Length: 2\r\n\r\n{}');
    expect(second.writing).toBe(false);
  });

  it('drops and collects whole messages, and forwards the rest in order', () => {
    const messages = [
      { id: 1, method: 'a' },
      { id: 2, method: 'drop' },
      { id: 3, method: 'mine' },
      { id: 4, method: 'b' },
    ];
    const stream = Buffer.concat(messages.map(frameMessage));
    const decide = (head: string): Route => (head.includes('drop') ? 'drop' : head.includes('mine') ? 'collect' : 'forward');
    for (const chunks of [[stream], [...stream].map((b) => Buffer.from([b]))]) {
      const { out, collected } = run(chunks, decide);
      expect(out.equals(Buffer.concat([frameMessage(messages[0]), frameMessage(messages[3])]))).toBe(true);
      expect(collected).toEqual([JSON.stringify(messages[2])]);
    }
  });

  it('writes consecutive forwarded messages of one chunk at once', () => {
    const stream = Buffer.concat([1, 2, 3].map((id) => frameMessage({ id, method: 'x' })));
    expect(run([stream]).writes).toBe(1);
  });

  it('routes a body larger than the head on its first ROUTE_HEAD_BYTES and streams the rest, never half-written at a boundary', () => {
    const big = frameMessage({ jsonrpc: '2.0', id: 1, result: 'x'.repeat(HEAD_BYTES * 3) });
    const heads: number[] = [];
    const out: Buffer[] = [];
    let writingAtBoundary = false;
    const stream: MessageStream = new MessageStream({
      route: (head) => {
        heads.push(head.length);
        return 'forward';
      },
      forward: (b) => out.push(Buffer.from(b)),
      boundary: () => (writingAtBoundary ||= stream.writing),
    });
    let sawWriting = false;
    for (const c of split(big, [100, HEAD_BYTES + 200, HEAD_BYTES * 2])) {
      stream.push(c);
      sawWriting ||= stream.writing;
    }
    expect(heads).toEqual([ROUTE_HEAD_BYTES]);
    expect(Buffer.concat(out).equals(big)).toBe(true);
    expect(sawWriting).toBe(true);
    expect(writingAtBoundary).toBe(false);
    expect(stream.writing).toBe(false);
  });

  it('collects at most its limit: a larger message is reported as too large', () => {
    const out: string[] = [];
    const stream = new MessageStream({ route: () => 'collect', forward: () => {}, collected: (b) => out.push(b === undefined ? 'too large' : 'ok') }, 10);
    stream.push(Buffer.concat([frameMessage({ a: 'x'.repeat(20) }), frameMessage(1)]));
    expect(out).toEqual(['too large', 'ok']);
  });
});
