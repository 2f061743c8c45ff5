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
      // An Origin is refused by the API's own check; a foreign Host first by the server-wide rebinding check.
      expect((JSON.parse(text) as { error: string }).error).toMatch(
        headers['Origin'] === undefined ? /must address this server as localhost, 127\.0\.0\.1 or \[::1\]/ : /without an Origin header/,
      );
    }
  });
});

it('keeps the alert API from a rebound page too', async () => {
  expect((await send('GET', '/api/v1/alerts', { Host: `evil.example:${exporter.port}` })).status).toBe(403);
  expect((await send('GET', '/api/v1/alerts', { Host: `localhost:${exporter.port}` })).status).toBe(200);
});

// With no credential at all, a rebound page could read every page route: the Host check covers them all.
describe.each(['/metrics', '/api/v1/snapshot', '/', '/-/healthy', '/no-such-page'])('GET %s with no credentials configured', (path) => {
  it('refuses a loopback caller naming another host (DNS rebinding)', async () => {
    for (const host of [`evil.example:${exporter.port}`, '127.0.0.1.evil.example', 'localhost.evil.example:80']) {
      const { status, text } = await send('GET', path, { Host: host });
      expect(status, `${host}: ${text.slice(0, 200)}`).toBe(403);
      expect(text).toContain('must address this server as localhost, 127.0.0.1 or [::1]');
    }
  });

  it('serves loopback host names, as Prometheus scraping over loopback sends them', async () => {
    for (const host of [`127.0.0.1:${exporter.port}`, `localhost:${exporter.port}`, `[::1]:${exporter.port}`, '127.0.0.2']) {
      expect((await send('GET', path, { Host: host })).status, host).not.toBe(403);
    }
  });
});

describe('with credentials configured', () => {
  let guarded: RunningExporter;
  beforeAll(async () => {
    guarded = await startExporter({
      args: ['--no-collector.hostinfo'],
      env: { IDE_MONITOR_INGEST_TOKEN: 'tok-ingest-1', IDE_MONITOR_WEBHOOK_TOKEN: 'tok-webhook-1' },
    });
  });
  afterAll(async () => {
    await guarded?.stop();
  });

  it('serves /metrics to any host name (the tokens guard the APIs; basic auth, when set, the pages)', async () => {
    const res = await new Promise<number>((resolve, reject) => {
      request({ host: '127.0.0.1', port: guarded.port, path: '/metrics', headers: { Host: 'monitor.example:443' } }, (r) => {
        r.resume();
        resolve(r.statusCode ?? 0);
      })
        .on('error', reject)
        .end();
    });
    expect(res).toBe(200);
  });
});
