import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { observationSchema, type ObservationInput } from '../../../src/ingest/schema.js';
import { HEAD_BYTES, MAX_HEADER_BYTES, MessageFramer } from '../../../src/lsp/framing.js';
import { scanMessage } from '../../../src/lsp/json-scan.js';
import { LSP_METHODS } from '../../../src/lsp/methods.js';
import { DIRECTIONS, MAX_PENDING_PER_DIRECTION, type Direction } from '../../../src/lsp/pending-requests.js';
import { TrafficMonitor } from '../../../src/lsp/traffic-monitor.js';
import { HEAP_GROWTH_LIMIT, retainedBytes, watchHeap, watchProcessErrors, type HeapWatch, type ProcessErrorWatch } from './guards.js';
import { fuzzParams, timeoutFor } from './runs.js';

/** Small, so the body-buffer bound is exercised by ordinary cases, not only by 16 MiB ones. */
const MAX_INSPECTED = 4096;

const frame = (body: Buffer, extraHeader = '') => Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n${extraHeader}\r\n`, 'latin1'), body]);
const utf8 = (text: string) => Buffer.from(text, 'utf8');

/** Bodies a language server or an editor might send, and some neither should. */
const messageBody: fc.Arbitrary<Buffer> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .record({
        jsonrpc: fc.constant('2.0'),
        id: fc.oneof(fc.integer({ min: -3, max: 20 }), fc.string({ maxLength: 3 })),
        method: fc.oneof(fc.constantFrom(...LSP_METHODS), fc.string({ maxLength: 250 })),
        params: fc.jsonValue({ maxDepth: 2 }),
      })
      .map((m) => utf8(JSON.stringify(m))),
  },
  {
    weight: 4,
    arbitrary: fc
      .record({
        jsonrpc: fc.constant('2.0'),
        id: fc.oneof(fc.integer({ min: -3, max: 20 }), fc.string({ maxLength: 3 }), fc.constant(null)),
        result: fc.jsonValue({ maxDepth: 2 }),
      })
      .map((m) => utf8(JSON.stringify(m))),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({
        jsonrpc: fc.constant('2.0'),
        id: fc.integer({ min: 0, max: 20 }),
        error: fc.record({ code: fc.oneof(fc.integer(), fc.double(), fc.constant(-32800)), message: fc.string() }, { requiredKeys: [] }),
      })
      .map((m) => utf8(JSON.stringify(m))),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({
        method: fc.constant('$/cancelRequest'),
        params: fc.record({ id: fc.oneof(fc.integer({ min: 0, max: 20 }), fc.jsonValue()) }, { requiredKeys: [] }),
      })
      .map((m) => utf8(JSON.stringify(m))),
  },
  {
    weight: 2,
    arbitrary: fc
      .record(
        {
          uri: fc.oneof(fc.constantFrom('file:///a.ts', 'file:///b.ts'), fc.jsonValue()),
          diagnostics: fc.oneof(
            fc.array(fc.record({ severity: fc.oneof(fc.integer({ min: -1, max: 5 }), fc.jsonValue()) }, { requiredKeys: [] }), { maxLength: 5 }),
            fc.jsonValue(),
          ),
        },
        { requiredKeys: [] },
      )
      .chain((params) =>
        fc
          .constantFrom('textDocument/publishDiagnostics', 'textDocument/didClose')
          .map((method) => ({ jsonrpc: '2.0', method, params: method === 'textDocument/didClose' ? { textDocument: { uri: params.uri } } : params })),
      )
      .map((m) => utf8(JSON.stringify(m))),
  },
  {
    weight: 1,
    arbitrary: fc
      .array(fc.record({ id: fc.nat(5), method: fc.string({ maxLength: 5 }) }, { requiredKeys: [] }), { maxLength: 4 })
      .map((batch) => utf8(JSON.stringify(batch))),
  },
  // Not JSON, or JSON the byte scanner must not trust: bad escapes, lone surrogates, truncation, raw bytes.
  {
    weight: 2,
    arbitrary: fc
      .constantFrom(
        '{"\\x":1}',
        '{"id":"\\q","result":1}',
        '{"method":"a\\u12","id":1}',
        '{"id":1,"error":{"\\c":1}}',
        '{"id":1,"method":"\\ud800"}',
        '{"id":',
        '{"id":1e999,"result":0}',
        '[',
        '',
      )
      .map(utf8),
  },
  { weight: 2, arbitrary: fc.json({ maxDepth: 3 }).chain((text) => fc.nat(text.length).map((cut) => utf8(text.slice(0, cut)))) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)) },
  { weight: 1, arbitrary: fc.integer({ min: MAX_INSPECTED - 2, max: MAX_INSPECTED * 3 }).map((n) => Buffer.alloc(n, 0x7b)) },
);

const validFrame = fc
  .tuple(messageBody, fc.constantFrom('', 'Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n', 'content-length: ignored-dup\r\n'))
  .map(([body, extra]) =>
    // A duplicate Content-Length line must come first, so the real one (last wins) still frames the body.
    extra.startsWith('content-length') ? Buffer.concat([Buffer.from(`content-length: 1\r\n`, 'latin1'), frame(body)]) : frame(body, extra),
  );

/** Bytes with no CR, LF or colon: never a header on their own, so the framer must skip them as one bad header. */
const headerlessGarbage = fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 400 }), fc.nat(MAX_HEADER_BYTES * 2)).map(([bytes, pad]) => {
  const clean = Buffer.from(bytes.filter((b) => b !== 0x0d && b !== 0x0a && b !== 0x3a));
  // Sometimes longer than a header may be, to take the runaway-header path too.
  return Buffer.concat([clean, pad > MAX_HEADER_BYTES ? Buffer.alloc(pad, 0x61) : Buffer.alloc(0), Buffer.from('x')]);
});

const badHeader = fc.constantFrom(
  'Content-Length: -1',
  'Content-Length: -0',
  'Content-Length: abc',
  'Content-Length: 1e3',
  'Content-Length: 0x10',
  'Content-Length: 1.5',
  'Content-Length: 9999999999999999',
  'Content-Length:',
  'Content-Length: ',
  'Content-Length 5',
  'X-Other: 1',
  'Content-Type: a\r\nbroken',
  'Content-Length: 12\r\nContent-Length: x',
  ':',
  '\u00ff\u00fe: \u0000',
);

/** Anything at all on the wire: garbage, broken headers, headers without their bodies, absurd lengths. */
const segment: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 6, arbitrary: validFrame },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)) },
  { weight: 2, arbitrary: badHeader.map((h) => Buffer.from(`${h}\r\n\r\n`, 'latin1')) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 50_000 }).map((n) => Buffer.from(`Content-Length: ${n}\r\n\r\n`, 'latin1')) },
  { weight: 1, arbitrary: fc.constantFrom(999_999_999_999_999, 2 ** 31, MAX_INSPECTED + 1).map((n) => Buffer.from(`Content-Length: ${n}\r\n\r\n`, 'latin1')) },
  { weight: 1, arbitrary: fc.integer({ min: MAX_HEADER_BYTES - 4, max: MAX_HEADER_BYTES * 3 }).map((n) => Buffer.alloc(n, 0x43)) },
  { weight: 1, arbitrary: fc.constantFrom('\r\n', '\r\n\r\n', '\r', '\n\n').map((s) => Buffer.from(s, 'latin1')) },
);

/** Pushes per case at most: byte-by-byte framing of a 30 KB runaway header costs seconds, not coverage. */
const MAX_CHUNKS = 1500;

/** A stream cut into chunks of the given sizes (cycled), as pipes deliver it; empty sizes: one chunk. */
function chunked(stream: Buffer, sizes: readonly number[]): Buffer[] {
  const floor = Math.ceil(stream.length / MAX_CHUNKS);
  const chunks: Buffer[] = [];
  for (let offset = 0, i = 0; offset < stream.length; i += 1) {
    const size = sizes.length === 0 ? stream.length : Math.max(sizes[i % sizes.length]!, floor);
    chunks.push(stream.subarray(offset, offset + size));
    offset += size;
  }
  return chunks;
}

const chunkSizes = fc.oneof(fc.constant<number[]>([]), fc.constant([1]), fc.array(fc.integer({ min: 1, max: 9000 }), { minLength: 1, maxLength: 8 }));

/**
 * Bytes the framer holds between pushes. Read through its private fields: the API exposes no count,
 * and the bound on exactly these buffers is what keeps a hostile stream from growing the proxy.
 */
function buffered(framer: MessageFramer): number {
  return (framer['headerCarry']?.length ?? 0) + (framer['bodyParts']?.length ?? 0) + (framer['head']?.length ?? 0);
}

function framed(chunks: readonly Buffer[]) {
  const messages: Array<{ body: string; length: number; truncated: boolean }> = [];
  const problems: number[] = [];
  let maxBuffered = 0;
  const framer = new MessageFramer(
    {
      onMessage: (body, length, truncated) => messages.push({ body: body.toString('latin1'), length, truncated }),
      onProblem: (_reason, skipped) => problems.push(skipped),
    },
    MAX_INSPECTED,
  );
  for (const chunk of chunks) {
    framer.push(chunk);
    maxBuffered = Math.max(maxBuffered, buffered(framer));
  }
  return { messages, problems, maxBuffered };
}

describe('fuzzing the LSP framing and the traffic monitor that consumes it', () => {
  let errors: ProcessErrorWatch;
  let heap: HeapWatch;
  beforeAll(() => {
    heap = watchHeap();
    errors = watchProcessErrors();
  });
  afterAll(() => errors?.dispose());

  it(
    'any byte stream, any chunking: push never throws, buffers stay within header + inspection limits, bodies match their lengths',
    () => {
      fc.assert(
        fc.property(fc.array(segment, { maxLength: 12 }), chunkSizes, (segments, sizes) => {
          const { messages, problems, maxBuffered } = framed(chunked(Buffer.concat(segments), sizes));
          // A body over the limit keeps only its head (HEAD_BYTES) for classification.
          expect(maxBuffered).toBeLessThanOrEqual(MAX_HEADER_BYTES + Math.max(MAX_INSPECTED, HEAD_BYTES));
          for (const m of messages) {
            expect(m.truncated).toBe(m.length > MAX_INSPECTED);
            expect(m.body.length).toBe(m.truncated ? Math.min(m.length, HEAD_BYTES) : m.length);
          }
          for (const skipped of problems) expect(skipped).toBeGreaterThanOrEqual(0);
        }),
        fuzzParams(1),
      );
    },
    timeoutFor(1, 5),
  );

  it(
    'after a bad header or runaway garbage, every following frame is recovered exactly',
    () => {
      const garbage = fc.oneof(
        headerlessGarbage,
        badHeader.map((h) => Buffer.from(h, 'latin1')),
      );
      fc.assert(
        fc.property(
          fc.array(garbage, { minLength: 1, maxLength: 3 }),
          fc.array(validFrame, { minLength: 1, maxLength: 6 }),
          chunkSizes,
          (junk, frames, sizes) => {
            // Each piece of garbage ends where a header would, so resynchronising means skipping exactly it.
            const stream = Buffer.concat([...junk.flatMap((g) => [g, Buffer.from('\r\n\r\n')]), ...frames]);
            const expected = framed([Buffer.concat(frames)]).messages;
            const { messages, problems } = framed(chunked(stream, sizes));
            expect(messages).toEqual(expected);
            expect(problems.length).toBeGreaterThanOrEqual(junk.length);
          },
        ),
        fuzzParams(1),
      );
    },
    timeoutFor(1, 5),
  );

  it(
    'the traffic monitor: no internal error, every frame counted, every observation it emits is one the ingest API accepts',
    () => {
      fc.assert(
        fc.property(fc.array(fc.tuple(fc.constantFrom<Direction>(...DIRECTIONS), validFrame), { maxLength: 16 }), chunkSizes, (frames, sizes) => {
          const { monitor, recorded, warnings } = monitorOf();
          const expected = { client_to_server: 0, server_to_client: 0 };
          for (const direction of DIRECTIONS) {
            const mine = frames.filter(([d]) => d === direction).map(([, f]) => f);
            expected[direction] = mine.length;
            for (const chunk of chunked(Buffer.concat(mine), sizes)) monitor.feed(direction, chunk);
          }
          expectHealthy(monitor, recorded, warnings);
          expect(monitor.stats.messages).toEqual(expected);
          expect(monitor.stats.framingProblems).toBe(0);
        }),
        fuzzParams(1),
      );
    },
    timeoutFor(1, 5),
  );

  it(
    'the traffic monitor on garbage interleaved in both directions: no internal error, bounded state, valid observations',
    () => {
      fc.assert(
        fc.property(fc.array(fc.tuple(fc.constantFrom<Direction>(...DIRECTIONS), segment), { maxLength: 16 }), chunkSizes, (segments, sizes) => {
          const { monitor, recorded, warnings } = monitorOf();
          for (const [direction, bytes] of segments) for (const chunk of chunked(bytes, sizes)) monitor.feed(direction, chunk);
          expectHealthy(monitor, recorded, warnings);
        }),
        fuzzParams(1),
      );
    },
    timeoutFor(1, 5),
  );

  it('a string with a bad escape is "not scannable", not an exception (and the frames after it still count)', () => {
    // Regression (found by this suite, fixed): json-scan decodes escaped keys and strings with JSON.parse and
    // lets its SyntaxError escape scanMessage. In the proxy, TrafficMonitor.feed catches it, but only
    // after the framer's push loop was torn down: every later message in the same chunk is lost, and a
    // frame cut at the chunk's end loses the framing.
    for (const text of ['{"\\x":1}', '{"id":"\\q","result":1}', '{"method":"a\\u12","id":1}', '{"id":1,"error":{"\\c":1}}']) {
      expect(() => scanMessage(utf8(text)), text).not.toThrow();
      expect(scanMessage(utf8(text)), text).toBeUndefined();
    }
    const { monitor, recorded, warnings } = monitorOf();
    monitor.feed('client_to_server', Buffer.concat([frame(utf8('{"\\x":1}')), frame(utf8('{"jsonrpc":"2.0","id":7,"method":"textDocument/hover"}'))]));
    monitor.feed('server_to_client', frame(utf8('{"jsonrpc":"2.0","id":7,"result":null}')));
    expect(warnings.filter((w) => w.includes('monitor error'))).toEqual([]);
    expect(monitor.stats.messages.client_to_server).toBe(2);
    expect(monitor.stats.malformed.client_to_server).toBe(1);
    expect(recorded).toMatchObject([{ kind: 'lsp_request', method: 'textDocument/hover', outcome: 'ok' }]);
  });

  it('nothing escaped as an unhandled error, and the heap retained over the suite stays bounded', () => {
    expect(errors.seen).toEqual([]);
    const bytes = retainedBytes(heap);
    if (bytes !== undefined) expect(bytes).toBeLessThan(HEAP_GROWTH_LIMIT);
  });
});

function monitorOf() {
  const recorded: ObservationInput[] = [];
  const warnings: string[] = [];
  let clock = 0;
  // A clock that moves per chunk, so durations are real numbers rather than all zero.
  const monitor = new TrafficMonitor({
    server: 'fuzz',
    record: (o) => recorded.push(o),
    now: () => (clock += 0.25),
    logger: { warn: (m) => warnings.push(m) },
  });
  return { monitor, recorded, warnings };
}

/** What a reporter would send for this monitor must pass the ingest schema, or the whole batch is lost. */
function expectHealthy(monitor: TrafficMonitor, recorded: readonly ObservationInput[], warnings: readonly string[]): void {
  expect(warnings.filter((w) => w.includes('monitor error'))).toEqual([]);
  for (const observation of [...recorded, ...monitor.drainAggregates(), monitor.state(true)]) {
    const parsed = observationSchema.safeParse(observation);
    expect(parsed.success, JSON.stringify(observation).slice(0, 300)).toBe(true);
  }
  for (const direction of DIRECTIONS) expect(monitor.pending.inFlight(direction)).toBeLessThanOrEqual(MAX_PENDING_PER_DIRECTION);
  const totals = monitor.diagnostics.totals();
  for (const count of Object.values(totals)) expect(count).toBeGreaterThanOrEqual(0);
}
