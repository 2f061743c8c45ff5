import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningExporter } from '../../support/exporter.js';
import {
  ENDPOINTS,
  INGEST,
  moved,
  outcomes,
  post,
  postHead,
  RawClient,
  reason,
  startHostileExporter,
  underWatch,
  UNREAD_BODY_CUT_MS,
  validBody,
  type Endpoint,
} from './hostile.js';

let exporter: RunningExporter;

beforeAll(async () => {
  exporter = await startHostileExporter();
});
afterAll(async () => {
  await exporter?.stop();
});

/** The status of a POST whose Authorization header goes on the wire byte for byte. */
async function rawStatus(endpoint: Endpoint, authorization: string): Promise<number | undefined> {
  const body = JSON.stringify(validBody(endpoint));
  const client = new RawClient(exporter.port);
  try {
    client.write(postHead(endpoint, { Authorization: authorization, 'Content-Length': Buffer.byteLength(body) }) + body);
    await client.until(() => client.status !== undefined, 3000);
    return client.status;
  } finally {
    client.destroy();
  }
}

describe.each(ENDPOINTS)('Authorization headers on $path with a token configured', (endpoint: Endpoint) => {
  let before: Record<string, number>;

  beforeAll(async () => {
    before = await outcomes(exporter, endpoint);
  });

  it('answers 401 with WWW-Authenticate to every missing or wrong credential, never 5xx', async () => {
    const { token } = endpoint;
    const refused: Record<string, string | undefined> = {
      'no header': undefined,
      'Basic scheme': `Basic ${Buffer.from(`user:${token}`).toString('base64')}`,
      'scheme only': 'Bearer',
      'wrong token': 'Bearer not-the-token',
      'token minus its last character': `Bearer ${token.slice(0, -1)}`,
      'token plus one character': `Bearer ${token}0`,
      'token then more words': `Bearer ${token} ${token}`,
      'token without a scheme': token,
      'token as a Token scheme': `Token ${token}`,
      'a 15 KB token, just under the header limit': `Bearer ${'x'.repeat(15_000)}`,
    };
    const body = JSON.stringify(validBody(endpoint));
    await underWatch(exporter, async () => {
      for (const [name, authorization] of Object.entries(refused)) {
        const res = await post(exporter, endpoint, body, { authorization });
        expect(res.status, name).toBe(401);
        expect(res.headers.get('www-authenticate'), name).toBe('Bearer realm="ide-monitor"');
        expect(await reason(res), name).toContain('missing or wrong bearer token');
      }
    });
    // fetch trims header values; these bytes go on the wire as written.
    for (const authorization of ['Bearer ', 'Bearer \t', `Bearer\t${token}x`])
      expect(await rawStatus(endpoint, authorization), JSON.stringify(authorization)).toBe(401);
    expect(exporter.process.output()).not.toContain(token);
  });

  it('answers 431 from Node to a 1 MB Authorization header, before any handler sees it', async () => {
    const res = await post(exporter, endpoint, '{}', { authorization: `Bearer ${'x'.repeat(2 ** 20)}` });
    expect(res.status).toBe(431);
  });

  it('accepts the token however HTTP lets it be written: scheme in any case, extra spaces, trailing whitespace', async () => {
    const ok = endpoint.name === 'ingest' ? 204 : 200;
    const { token } = endpoint;
    for (const authorization of [`bearer ${token}`, `BEARER ${token}`, `Bearer  ${token}`]) {
      const res = await post(exporter, endpoint, JSON.stringify(validBody(endpoint)), { authorization });
      expect(res.status, JSON.stringify(authorization)).toBe(ok);
    }
    // RFC 9110 §5.5: whitespace around a field value is not part of it (Node's parser strips it), so
    // "Bearer <token> " on the wire is the same credential as "Bearer <token>".
    for (const authorization of [`Bearer ${token} `, `Bearer ${token}\t \t`])
      expect(await rawStatus(endpoint, authorization), JSON.stringify(authorization)).toBe(ok);
  });

  it('refuses an unauthenticated 50 MB upload without reading it: 401 at once, then hangs up', async () => {
    const client = new RawClient(exporter.port);
    const spaces = Buffer.alloc(64 * 1024, ' ');
    try {
      client.write(postHead(endpoint, { Authorization: 'Bearer wrong', 'Content-Length': 50 * 2 ** 20 }));
      client.write(spaces);
      expect(await client.until(() => client.status !== undefined, 2000)).toBe(true);
      expect(client.status).toBe(401);
      await client.pump(() => spaces, 10, 8000);
      expect(client.lifetimeMs).toBeLessThan(UNREAD_BODY_CUT_MS + 1000);
      expect(client.sent).toBeLessThan(50 * 2 ** 20);
    } finally {
      client.destroy();
    }
  });

  it('counted each refusal as unauthorized and each accepted request once', async () => {
    const delta = moved(before, await outcomes(exporter, endpoint));
    const accepted = endpoint.name === 'ingest' ? { accepted: 5 } : { accepted: 1, duplicate: 4 };
    // 10 + 3 wrong credentials and the unread upload; the 431 never reached the handler.
    expect(delta).toEqual({ unauthorized: 10 + 3 + 1, ...accepted });
  });
});

/** One POST with this Authorization header over `agent`; resolves with its duration in ms. */
function timedPost(agent: Agent, authorization: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = request(
      { agent, host: '127.0.0.1', port: exporter.port, path: INGEST.path, method: 'POST', headers: { authorization, 'content-length': 0 } },
      (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode !== 401) reject(new Error(`expected 401, got ${res.statusCode}`));
          else resolve(Number(process.hrtime.bigint() - started) / 1e6);
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

describe('bearer token comparison timing, measured on the live server', () => {
  it('takes the same time for a wrong token sharing a long prefix, one sharing none, and one of another length', async () => {
    const token = INGEST.token;
    const variants = {
      'long shared prefix': `${token.slice(0, -1)}${token.endsWith('0') ? '1' : '0'}`,
      'no shared prefix': token.replace(/./g, (c) => (c === 'z' ? 'y' : 'z')),
      'other length': token.slice(0, 8),
    };
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const times: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
    const ROUNDS = 2000;
    const started = Date.now();
    try {
      // Interleaved, so drift in machine load hits every variant alike; the first rounds warm up the JIT.
      for (let round = 0; round < ROUNDS + 100; round += 1) {
        for (const [name, wrong] of Object.entries(variants)) {
          const ms = await timedPost(agent, `Bearer ${wrong}`);
          if (round >= 100) times[name]!.push(ms);
        }
      }
    } finally {
      agent.destroy();
    }
    const medians = Object.fromEntries(Object.entries(times).map(([name, list]) => [name, median(list)]));
    const spread = Math.max(...Object.values(medians)) - Math.min(...Object.values(medians));
    const context = `medians ms ${JSON.stringify(medians)}, ${ROUNDS * 3} requests in ${Date.now() - started} ms`;
    // Loopback noise is tens of microseconds; a byte-wise compare would differ by nanoseconds. Only a
    // gross leak (an early exit costing real work) could pass this bound, so it is robust, not a proof;
    // the proof is sameSecret hashing both sides before timingSafeEqual.
    expect(spread, context).toBeLessThan(Math.max(0.2, 0.2 * Math.min(...Object.values(medians))));
  });
});
