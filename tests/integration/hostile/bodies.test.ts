import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningExporter } from '../../support/exporter.js';
import {
  chunk,
  ENDPOINTS,
  moved,
  outcomes,
  post,
  postHead,
  RawClient,
  reason,
  REQUEST_TIMEOUT_MS,
  startHostileExporter,
  TIMEOUT_SLACK_MS,
  underWatch,
  UNREAD_BODY_CUT_MS,
  validBody,
  type Endpoint,
} from './hostile.js';

const MiB = 2 ** 20;
const SPACES = Buffer.alloc(64 * 1024, ' ');

/** A valid body but for one field whose value is `json`: where a schema walks into the structure. */
function inField(endpoint: Endpoint, json: string): string {
  if (endpoint.name === 'ingest') return `{"version":1,"observations":[{"kind":"cache","cache":${json},"result":"hit"}]}`;
  return JSON.stringify(validBody(endpoint)).replace('"commonAnnotations":{}', `"commonAnnotations":${json}`);
}

let exporter: RunningExporter;

beforeAll(async () => {
  exporter = await startHostileExporter();
});
afterAll(async () => {
  await exporter?.stop();
});

describe.each(ENDPOINTS)('hostile bodies on $path', (endpoint: Endpoint) => {
  let before: Record<string, number>;

  beforeAll(async () => {
    before = await outcomes(exporter, endpoint);
  });

  it('answers 413 to a declared 50 MB body after its first 64 KiB, then cuts the sender off', async () => {
    const client = new RawClient(exporter.port);
    try {
      await underWatch(exporter, async () => {
        client.write(postHead(endpoint, { 'Content-Length': 50 * MiB }));
        client.write(SPACES);
        expect(await client.until(() => client.received.includes('\r\n\r\n{'), 2000)).toBe(true);
        expect(client.status).toBe(413);
        expect(client.received).toContain(`body is larger than the limit of ${endpoint.limit}`);
        // Paced so that the whole 50 MB would take 8 s: the server must hang up long before.
        await client.pump(() => SPACES, 10, 8000);
      });
    } finally {
      client.destroy();
    }
    expect(client.sentAtAnswer).toBeLessThanOrEqual(SPACES.length + 1024);
    expect(client.lifetimeMs).toBeLessThan(UNREAD_BODY_CUT_MS + 1000);
    expect(client.sent).toBeLessThan(50 * MiB);
  });

  it('answers 413 to a chunked body once it passes the limit, without reading the rest', async () => {
    const client = new RawClient(exporter.port);
    try {
      await underWatch(exporter, async () => {
        client.write(postHead(endpoint, { 'Transfer-Encoding': 'chunked' }));
        await client.pump(() => chunk(SPACES), 2, 15_000);
      });
    } finally {
      client.destroy();
    }
    expect(client.status).toBe(413);
    // Answered when the limit was passed (give or take what the socket buffers held), not whenever the
    // client would have stopped.
    expect(client.sentAtAnswer).toBeGreaterThan(endpoint.limit);
    expect(client.sentAtAnswer).toBeLessThan(endpoint.limit + 16 * MiB);
    expect(client.lifetimeMs).toBeLessThan(UNREAD_BODY_CUT_MS + 2000);
  });

  it('keeps the connection of a body just over the limit that arrives in full', async () => {
    // A client that sends the whole body at once is answered and may reuse its connection.
    const client = new RawClient(exporter.port);
    try {
      const body = Buffer.alloc(endpoint.limit + 10, ' ');
      client.write(Buffer.concat([Buffer.from(postHead(endpoint, { 'Transfer-Encoding': 'chunked' })), chunk(body), Buffer.from('0\r\n\r\n')]));
      expect(await client.until(() => client.received.includes('"}'), 3000)).toBe(true);
      expect(client.status).toBe(413);
      client.received = '';
      client.write('GET /-/healthy HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      expect(await client.until(() => client.received.includes('Healthy'), 3000)).toBe(true);
      expect(client.status).toBe(200);
    } finally {
      client.destroy();
    }
  });

  it('answers 408 and hangs up on a body shorter than its Content-Length, at the request timeout', async () => {
    const client = new RawClient(exporter.port);
    try {
      await underWatch(exporter, async () => {
        client.write(postHead(endpoint, { 'Content-Length': 1000 }));
        client.write('{"version":');
        await Promise.race([client.closed, new Promise((r) => setTimeout(r, REQUEST_TIMEOUT_MS + TIMEOUT_SLACK_MS + 2000))]);
      });
    } finally {
      client.destroy();
    }
    expect(client.status).toBe(408);
    expect(client.lifetimeMs).toBeGreaterThan(REQUEST_TIMEOUT_MS - 100);
    expect(client.lifetimeMs).toBeLessThan(REQUEST_TIMEOUT_MS + TIMEOUT_SLACK_MS);
  });

  it('answers 400 with a reason to JSON nested 100,000 deep, never 5xx', async () => {
    const depth = 100_000;
    const bodies = {
      arrays: '['.repeat(depth) + ']'.repeat(depth),
      objects: '{"a":'.repeat(depth) + '1' + '}'.repeat(depth),
      'in a field': inField(endpoint, '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)),
      unterminated: '['.repeat(depth),
    };
    await underWatch(exporter, async () => {
      for (const [name, body] of Object.entries(bodies)) {
        expect(body.length, name).toBeLessThan(endpoint.limit);
        const res = await post(exporter, endpoint, body);
        expect(res.status, name).toBe(400);
        expect(await reason(res), name).toMatch(/^(body is not valid JSON|invalid batch|not an Alertmanager webhook payload)/);
      }
    });
  });

  it('answers 415 to a non-JSON or non-UTF-8 content type, and reads a missing one as JSON', async () => {
    const valid = JSON.stringify(validBody(endpoint));
    const ok = endpoint.name === 'ingest' ? 204 : 200;
    const cases: Array<[string | undefined, number, RegExp?]> = [
      ['text/plain', 415, /expected Content-Type: application\/json, got "text\/plain"/],
      ['application/x-www-form-urlencoded', 415, /expected Content-Type/],
      ['multipart/form-data; boundary=xyz', 415, /expected Content-Type/],
      ['application/json-seq', 415, /expected Content-Type/],
      ['application/jsonp', 415, /expected Content-Type/],
      ['application/json; charset=utf-16', 415, /JSON must be UTF-8; got charset "utf-16"/],
      ['application/json; charset=iso-8859-1', 415, /JSON must be UTF-8/],
      [undefined, ok],
      ['application/json', ok],
      ['APPLICATION/JSON; CHARSET="UTF-8"', ok],
      ['application/vnd.alertmanager+json; charset=utf-8', ok],
    ];
    await underWatch(exporter, async () => {
      for (const [type, status, why] of cases) {
        // A Uint8Array body, unlike a string, makes fetch send no Content-Type of its own.
        const res = await post(exporter, endpoint, Buffer.from(valid), { 'content-type': type });
        expect(res.status, String(type)).toBe(status);
        if (why !== undefined) expect(await reason(res), String(type)).toMatch(why);
      }
      const gzipped = await post(exporter, endpoint, gzipSync(valid), { 'content-encoding': 'gzip' });
      expect(gzipped.status).toBe(ok);
      const unknown = await post(exporter, endpoint, Buffer.from(valid), { 'content-encoding': 'snappy' });
      expect(unknown.status).toBe(415);
      expect(await reason(unknown)).toMatch(/unsupported content encoding "snappy"/);
    });
  });

  it('is still up after all of it, and counted each refusal by its outcome', async () => {
    expect(exporter.process.child.exitCode).toBeNull();
    const delta = moved(before, await outcomes(exporter, endpoint));
    const accepted = endpoint.name === 'ingest' ? { accepted: 5 } : { accepted: 1, duplicate: 4 };
    // too_large: 50 MB, chunked, just-over; invalid: the truncated body, 4 deep, 7 content types + 1 encoding.
    expect(delta).toEqual({ too_large: 3, invalid: 1 + 4 + 7 + 1, ...accepted });
    expect(exporter.process.output()).not.toMatch(/level=error/);
  });

  it('answers 400, not 500, to a 100,000-deep array where the version belongs', async () => {
    // A reason that quotes the bad value must not serialise it whole: the webhook's version message
    // JSON.stringify()d it, and deep nesting overflowed the stack (500, "Maximum call stack size exceeded").
    const res = await post(exporter, endpoint, `{"version":${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
    expect(res.status).toBe(400);
    expect(await reason(res)).toMatch(/^(invalid batch|not an Alertmanager webhook payload): version: /);
    expect(exporter.process.child.exitCode).toBeNull();
  });
});
