import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyResponse, createChannelHttp } from '../../../src/bridge/channels/delivery.js';
import { createOutboundClient, OutboundError } from '../../../src/http/outbound.js';

/** A loopback server whose behaviour each test picks by path. */
let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/trickle') {
      // Headers at once, then one byte every 200 ms: a body that never completes within a 1 s deadline.
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      const timer = setInterval(() => res.write('.'), 200);
      req.socket.on('close', () => clearInterval(timer));
      setTimeout(() => {
        clearInterval(timer);
        res.end();
      }, 5000);
      return;
    }
    if (req.url === '/slow-headers') return void setTimeout(() => res.end('late'), 3000);
    if (req.url === '/redirect') return void res.writeHead(302, { Location: '/ok' }).end();
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe('the outbound HTTP client', () => {
  it('bounds the whole exchange by one deadline: a body trickled after prompt headers fails at the deadline', async () => {
    const client = createOutboundClient({ timeoutMs: 1000 });
    const started = Date.now();
    await expect(client.request({ method: 'GET', url: `${base}/trickle` })).rejects.toBeInstanceOf(OutboundError);
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(950);
    expect(took).toBeLessThan(2000);
    client.close();
  });

  it('bounds slow headers the same way, and follows no redirect', async () => {
    const client = createOutboundClient({ timeoutMs: 500 });
    await expect(client.request({ method: 'GET', url: `${base}/slow-headers` })).rejects.toThrow(/no complete answer within 500 ms/);
    expect((await client.request({ method: 'GET', url: `${base}/redirect` })).status).toBe(302);
    client.close();
  });

  it('reports a refused connection as a transport error without the URL (webhook URLs are secrets)', async () => {
    const channel = createChannelHttp(1000);
    const result = await channel.send({ url: 'http://127.0.0.1:1/secret-path-abc' });
    expect(result).toEqual({ outcome: 'retry', reason: 'transport error: ECONNREFUSED' });
    channel.close();
  });
});

describe('which answers are retried', () => {
  const answer = (status: number, headers: Record<string, string> = {}, body = '') => classifyResponse({ status, headers, body });
  it.each([
    [200, {}, { outcome: 'delivered', status: 200 }],
    [202, {}, { outcome: 'delivered', status: 202 }],
    [204, {}, { outcome: 'delivered', status: 204 }],
    [400, {}, { outcome: 'give_up', reason: 'HTTP 400' }],
    [401, {}, { outcome: 'give_up', reason: 'HTTP 401' }],
    [403, {}, { outcome: 'give_up', reason: 'HTTP 403' }],
    [404, {}, { outcome: 'give_up', reason: 'HTTP 404' }],
    [408, {}, { outcome: 'retry', reason: 'HTTP 408' }],
    [429, {}, { outcome: 'retry', reason: 'HTTP 429' }],
    [429, { 'retry-after': '7' }, { outcome: 'retry', reason: 'HTTP 429', retryAfterMs: 7000 }],
    [429, { 'retry-after': '0.5' }, { outcome: 'retry', reason: 'HTTP 429', retryAfterMs: 500 }],
    [500, {}, { outcome: 'retry', reason: 'HTTP 500' }],
    [502, {}, { outcome: 'retry', reason: 'HTTP 502' }],
    [503, { 'retry-after': '2' }, { outcome: 'retry', reason: 'HTTP 503', retryAfterMs: 2000 }],
    [302, {}, { outcome: 'give_up', reason: 'HTTP 302' }],
  ] as const)('HTTP %i %j → %j', (status, headers, expected) => {
    expect(answer(status, headers)).toEqual(expected);
  });

  it('carries a short excerpt of the answer as the reason, for the dead-letter log', () => {
    expect(answer(400, {}, `  invalid_payload ${'x'.repeat(500)}`).outcome).toBe('give_up');
    expect((answer(400, {}, 'invalid_payload') as { reason: string }).reason).toBe('HTTP 400: invalid_payload');
  });

  it('lets a channel read its own rate-limit answer (Discord puts retry_after in the JSON body)', () => {
    expect(answer(429, {}, '{"retry_after": 1.5}')).toEqual({ outcome: 'retry', reason: 'HTTP 429: {"retry_after": 1.5}' });
    expect(classifyResponse({ status: 429, headers: {}, body: '' }, 1500)).toEqual({ outcome: 'retry', reason: 'HTTP 429', retryAfterMs: 1500 });
  });

  it('honours HTTP_PROXY and NO_PROXY from the environment, as SECURITY.md says', async () => {
    const names = ['http_proxy', 'HTTP_PROXY', 'no_proxy', 'NO_PROXY', 'npm_config_http_proxy', 'npm_config_proxy', 'all_proxy', 'ALL_PROXY'];
    const saved = Object.fromEntries(names.map((n) => [n, process.env[n]]));
    const seen: string[] = [];
    const proxy = createServer((req, res) => {
      seen.push(req.url ?? '');
      res.end('via proxy');
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const client = createOutboundClient({ timeoutMs: 2000 });
    try {
      for (const n of names) delete process.env[n];
      process.env['HTTP_PROXY'] = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      // A name that resolves nowhere: only the proxy can answer it.
      const viaProxy = await client.request({ method: 'GET', url: 'http://ide-monitor-proxy-test.invalid/x' });
      expect(viaProxy.body.toString()).toBe('via proxy');
      expect(seen).toEqual(['http://ide-monitor-proxy-test.invalid/x']);
      process.env['NO_PROXY'] = '127.0.0.1';
      expect((await client.request({ method: 'GET', url: `${base}/ok` })).body.toString()).toBe('ok');
      expect(seen).toHaveLength(1);
    } finally {
      for (const n of names)
        if (saved[n] === undefined) delete process.env[n];
        else process.env[n] = saved[n];
      client.close();
      proxy.close();
    }
  });
});
