import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExporter, type RunningExporter } from '../../support/exporter.js';
import { ENDPOINTS, validBody, type Endpoint } from './hostile.js';

// Without tokens the write APIs trust loopback callers. A web page in a local browser is one too: these
// are the requests it can make (a cross-site POST carries Origin; DNS rebinding names the attacker's host).
let exporter: RunningExporter;

beforeAll(async () => {
  exporter = await startExporter({ args: ['--no-collector.hostinfo'] });
});
afterAll(async () => {
  await exporter?.stop();
});

/** A request with exactly these headers (fetch would not let a test choose Host). */
function send(method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: exporter.port, method, path, headers, timeout: 5000 }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject).on('timeout', () => req.destroy(new Error('timed out')));
    req.end(body);
  });
}

const post = (endpoint: Endpoint, headers: Record<string, string>) =>
  send('POST', endpoint.path, { 'Content-Type': 'application/json', ...headers }, JSON.stringify(validBody(endpoint)));

describe.each(ENDPOINTS)('$path without a token', (endpoint: Endpoint) => {
  it('serves local tools that name a loopback host', async () => {
    for (const host of ['127.0.0.1', `127.0.0.1:${exporter.port}`, `localhost:${exporter.port}`, 'LOCALHOST']) {
      const { status, text } = await post(endpoint, { Host: host });
      expect(status, `${host}: ${text}`).toBeLessThan(300);
    }
  });

  it('refuses a web page: a request with an Origin, or for a host name that is not loopback (DNS rebinding)', async () => {
    const attempts: Array<Record<string, string>> = [
      { Host: `127.0.0.1:${exporter.port}`, Origin: 'http://evil.example' },
      { Host: `127.0.0.1:${exporter.port}`, Origin: 'null' },
      { Host: `evil.example:${exporter.port}` },
      { Host: '127.0.0.1.evil.example' },
    ];
    for (const headers of attempts) {
      const { status, text } = await post(endpoint, headers);
      expect(status, JSON.stringify(headers)).toBe(403);
      expect(JSON.parse(text).error).toContain('without an Origin header');
    }
  });
});

it('keeps the alert API from a rebound page too, and still serves /metrics to any host name', async () => {
  expect((await send('GET', '/api/v1/alerts', { Host: `evil.example:${exporter.port}` })).status).toBe(403);
  expect((await send('GET', '/api/v1/alerts', { Host: `localhost:${exporter.port}` })).status).toBe(200);
  expect((await send('GET', '/metrics', { Host: `evil.example:${exporter.port}` })).status).toBe(200);
});
