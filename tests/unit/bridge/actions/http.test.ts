import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareHttp, sendHttp } from '../../../../src/bridge/actions/http.js';
import { ActionRunner } from '../../../../src/bridge/actions/runner.js';
import { silentLogger } from '../../../../src/log.js';
import { alert, definition } from './fixtures.js';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A local sink on 127.0.0.1: records requests; the path decides the answer. */
let server: Server;
let base: string;
const received: Received[] = [];
const openResponses = new Set<ServerResponse>();

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      if (req.url?.startsWith('/slow')) {
        openResponses.add(res); // never answered: the client's timeout must end it
        return;
      }
      if (req.url?.startsWith('/trickle')) {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('started');
        openResponses.add(res);
        return;
      }
      if (req.url?.startsWith('/fail')) {
        res.writeHead(503, { 'content-type': 'text/plain' });
        res.end(`autoscaler unavailable: ${'x'.repeat(10_000)}`);
        return;
      }
      if (req.url?.startsWith('/echo')) {
        // An error page that echoes the request line, as many servers' 4xx pages do.
        res.writeHead(400, { 'content-type': 'text/plain' });
        res.end(`cannot ${req.method} ${req.url}`);
        return;
      }
      if (req.url?.startsWith('/redirect')) {
        res.writeHead(302, { location: '/ok' });
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"accepted":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const res of openResponses) res.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const last = (): Received => {
  const request = received.at(-1);
  if (request === undefined) throw new Error('the server received nothing');
  return request;
};

/** Label text that would break or inject into JSON if it were spliced into JSON text. */
const HOSTILE = [
  'say "hi"',
  'back\\slash \\" \\u0000',
  'line1\nline2\r\n\ttab',
  '{{ labels.severity }} {{',
  '", "injected": true, "x": "',
  'ünïcødé ✓ 日本語 😀',
  '</script><script>alert(1)</script>',
];

describe('http actions', () => {
  it.each(HOSTILE)('inserts label text JSON-safely: %j', async (hostile) => {
    const step = definition({
      name: 'scale',
      trigger: {
        http: {
          url: `${base}/scale/{{ labels.instance }}?reason={{ labels.instance }}`,
          body: {
            instance: '{{ labels.instance }}',
            message: 'scale {{ labels.instance }} because {{ annotations.summary }} ({{ status }}, {{ phase }})',
            fingerprint: '{{ fingerprint }}',
            nested: { list: ['{{ labels.instance }}', 3, true, null] },
          },
        },
      },
    }).trigger;
    if (!('http' in step)) throw new Error('expected an http step');
    const result = await sendHttp(
      prepareHttp(step.http, { alert: alert({ labels: { instance: hostile }, annotations: { summary: hostile } }), phase: 'trigger' }),
      5000,
    );
    expect(result.outcome).toBe('succeeded');
    expect(result.httpStatus).toBe(200);
    expect(result.outputExcerpt).toBe('{"accepted":true}');

    const request = last();
    expect(request.method).toBe('POST');
    expect(request.headers['content-type']).toBe('application/json');
    const body = JSON.parse(request.body) as Record<string, unknown>;
    expect(body).toEqual({
      instance: hostile,
      message: `scale ${hostile} because ${hostile} (firing, trigger)`,
      fingerprint: 'fp-1',
      nested: { list: [hostile, 3, true, null] },
    });
    // The URL placeholder stays inside its path segment and query value.
    const url = new URL(request.url, base);
    expect(url.pathname).toBe(`/scale/${encodeURIComponent(hostile)}`);
    expect(decodeURIComponent(url.pathname.slice('/scale/'.length))).toBe(hostile);
    expect(url.searchParams.get('reason')).toBe(hostile);
    expect([...url.searchParams.keys()]).toEqual(['reason']);
  });

  it('shows method and URL without credentials or query in the audit target', () => {
    const step = definition({
      name: 't',
      trigger: { http: { method: 'PUT', url: 'https://user:secret@breaker.internal:8443/open/{{ labels.job }}?token=abc#x' } },
    }).trigger;
    if (!('http' in step)) throw new Error('expected an http step');
    const prepared = prepareHttp(step.http, { alert: alert({ labels: { job: 'ide lsp' } }), phase: 'trigger' });
    expect(prepared.target).toBe('PUT https://breaker.internal:8443/open/ide%20lsp');
    expect(prepared.url).toBe('https://user:secret@breaker.internal:8443/open/ide%20lsp?token=abc#x');
  });

  it.each(['.', '..'])('refuses %j as a URL value instead of letting it walk the path', async (value) => {
    const runner = new ActionRunner({ definitions: [], dryRun: false, maxConcurrent: 1, logger: silentLogger });
    const before = received.length;
    const record = await runner.run(
      definition({ name: 'walk', trigger: { http: { url: `${base}/breakers/{{ labels.server }}/open` } } }),
      'trigger',
      alert({ labels: { server: value } }),
    );
    expect(record).toMatchObject({ outcome: 'failed', target: `POST ${base}/breakers/{{ labels.server }}/open` });
    expect(record.error).toBe(`refusing to insert ${JSON.stringify(value)} into the url: it would change the path`);
    expect(received.length).toBe(before);
  });

  it('sends configured headers and no body when none is configured', async () => {
    const step = definition({
      name: 'h',
      trigger: { http: { method: 'DELETE', url: `${base}/cache`, headers: { Authorization: 'Bearer t0k', 'X-Reason': 'alert' } } },
    }).trigger;
    if (!('http' in step)) throw new Error('expected an http step');
    const result = await sendHttp(prepareHttp(step.http, { alert: alert(), phase: 'trigger' }), 5000);
    expect(result.outcome).toBe('succeeded');
    const request = last();
    expect(request.method).toBe('DELETE');
    expect(request.headers.authorization).toBe('Bearer t0k');
    expect(request.headers['x-reason']).toBe('alert');
    expect(request.body).toBe('');
  });

  it('records a non-2xx answer as failed with its status and a bounded body excerpt', async () => {
    const runner = new ActionRunner({ definitions: [], dryRun: false, maxConcurrent: 1, logger: silentLogger });
    const record = await runner.run(definition({ name: 'scale', trigger: { http: { url: `${base}/fail` } } }), 'trigger', alert());
    expect(record).toMatchObject({
      action: 'scale',
      kind: 'http',
      outcome: 'failed',
      httpStatus: 503,
      error: 'HTTP 503 Service Unavailable',
      target: `POST ${base}/fail`,
    });
    expect(record.outputExcerpt.startsWith('autoscaler unavailable: xxx')).toBe(true);
    expect(Buffer.byteLength(record.outputExcerpt)).toBeLessThan(4200);
    expect(record.outputExcerpt).toContain('bytes omitted');
  });

  it("keeps the URL's query out of a failed request's audit record, even when the receiver echoes it", async () => {
    const runner = new ActionRunner({ definitions: [], dryRun: false, maxConcurrent: 1, logger: silentLogger });
    const url = `${base}/echo/{{ labels.job }}?api_key=s3cr3t-k3y`;
    const record = await runner.run(definition({ name: 'echo', trigger: { http: { url } } }), 'trigger', alert({ labels: { job: 'indexer' } }));
    expect(record).toMatchObject({ outcome: 'failed', httpStatus: 400, error: 'HTTP 400 Bad Request', target: `POST ${base}/echo/indexer` });
    expect(last().url).toBe('/echo/indexer?api_key=s3cr3t-k3y');
    expect(record.outputExcerpt).toBe('cannot POST /echo/indexer[redacted]');
    expect(JSON.stringify(record)).not.toContain('s3cr3t');
  });

  it('does not follow redirects', async () => {
    const step = definition({ name: 'r', trigger: { http: { url: `${base}/redirect` } } }).trigger;
    if (!('http' in step)) throw new Error('expected an http step');
    const before = received.length;
    const result = await sendHttp(prepareHttp(step.http, { alert: alert(), phase: 'trigger' }), 5000);
    expect(result).toMatchObject({ outcome: 'failed', httpStatus: 302 });
    expect(received.length).toBe(before + 1);
  });

  it('times out a server that never answers, and one that never finishes its body', async () => {
    const runner = new ActionRunner({ definitions: [], dryRun: false, maxConcurrent: 2, logger: silentLogger });
    const started = Date.now();
    const [silent, trickle] = await Promise.all([
      runner.run(definition({ name: 'slow', trigger: { http: { url: `${base}/slow` } }, timeout: '300ms' }), 'trigger', alert()),
      runner.run(definition({ name: 'trickle', trigger: { http: { url: `${base}/trickle` } }, timeout: '300ms' }), 'trigger', alert()),
    ]);
    expect(silent).toMatchObject({ outcome: 'timed_out', error: 'no response within 300ms' });
    expect(trickle).toMatchObject({ outcome: 'timed_out', httpStatus: 200, outputExcerpt: 'started' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('records a refused connection as failed', async () => {
    const runner = new ActionRunner({ definitions: [], dryRun: false, maxConcurrent: 1, logger: silentLogger });
    const record = await runner.run(definition({ name: 'down', trigger: { http: { url: 'http://127.0.0.1:9/x' } } }), 'trigger', alert());
    expect(record.outcome).toBe('failed');
    expect(record.error).toMatch(/^request failed: .*ECONNREFUSED/);
  });
});
