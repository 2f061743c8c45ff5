import { PassThrough, Writable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log.js';
import { runProxy } from '../../../src/lsp/proxy.js';

function frame(body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'latin1'), body]);
}

/**
 * Runs the proxy in-process with `cat` as the server: whatever goes in must come out, byte for byte,
 * having crossed the proxy twice (editor → server, then server → editor).
 */
async function throughCat(chunks: readonly Buffer[]): Promise<{ out: Buffer; exitCode: number; malformed: number }> {
  const input = new PassThrough();
  const received: Buffer[] = [];
  const output = new Writable({
    write(chunk: Buffer, _e, cb) {
      received.push(chunk);
      cb();
    },
  });
  const done = runProxy({ command: 'cat', args: [], server: 'cat', logger: silentLogger, input, output });
  for (const c of chunks) {
    input.write(c);
    // Let some chunks cross on their own, others coalesce.
    if (c.length % 3 === 0) await new Promise((r) => setImmediate(r));
  }
  input.end();
  const result = await done;
  return { out: Buffer.concat(received), exitCode: result.exitCode, malformed: result.traffic.malformed.client_to_server };
}

const body = fc.oneof(
  fc.json().map((j) => Buffer.from(j, 'utf8')),
  fc
    .record({ jsonrpc: fc.constant('2.0'), id: fc.oneof(fc.integer(), fc.string()), method: fc.string(), params: fc.jsonValue() })
    .map((m) => Buffer.from(JSON.stringify(m), 'utf8')),
  fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)), // not JSON at all
);

describe('lsp-proxy relay', () => {
  it('passes any stream through unchanged in both directions, however it is chunked (including garbage between frames)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof({ weight: 5, arbitrary: body.map(frame) }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 50 }).map((a) => Buffer.from(a)) }), {
          minLength: 1,
          maxLength: 15,
        }),
        fc.array(fc.nat(), { maxLength: 10 }),
        async (pieces, cuts) => {
          const stream = Buffer.concat(pieces);
          const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
          const chunks: Buffer[] = [];
          let from = 0;
          for (const p of [...points, stream.length]) {
            if (p > from) chunks.push(stream.subarray(from, p));
            from = p;
          }
          const { out, exitCode } = await throughCat(chunks);
          expect(exitCode).toBe(0);
          expect(out.equals(stream)).toBe(true);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('forwards a non-JSON body byte-identical and counts it', async () => {
    // Damage before the point where the message is classified (the proxy reads no further than that).
    const bad = [frame(Buffer.from('hello, \u00ff not json {', 'latin1')), frame(Buffer.from('{"jsonrpc":"2.0","id":1,"meth'))];
    const good = frame(Buffer.from('{"jsonrpc":"2.0","method":"ok"}'));
    const { out, malformed } = await throughCat([bad[0]!, good, bad[1]!]);
    expect(out.equals(Buffer.concat([bad[0]!, good, bad[1]!]))).toBe(true);
    expect(malformed).toBe(2);
  });

  it('relays a 4 MB message intact', async () => {
    const big = frame(Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 1, result: 'x'.repeat(4 * 1024 * 1024) })));
    const { out } = await throughCat([big]);
    expect(out.equals(big)).toBe(true);
  });
});
