import type { AddressInfo } from 'node:net';
import { Authenticator } from '../../../src/access/authenticator.js';
import { AccessGuard } from '../../../src/access/guard.js';
import { createServer, type Server } from 'node:http';
import express from 'express';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { LspControl } from '../../../src/ingest/control.js';
import { mountIngestRoutes, mountLspControlRoutes } from '../../../src/ingest/routes.js';
import { INGEST_PATH } from '../../../src/ingest/schema.js';
import { IngestSink } from '../../../src/ingest/sink.js';
import { silentLogger } from '../../../src/log.js';
import { batchOf, EXAMPLES } from './examples.js';

const CONFIG = { max_label_values: 100, allowlists: {}, instance_stale_after: 60_000, server_retention: 900_000 };
const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** The routes on an in-process server; `remoteAddress` pretends the caller came from elsewhere. */
async function serve(options: { token?: string; maxBodySize?: number; remoteAddress?: string } = {}) {
  const registry = new Registry();
  const sink = new IngestSink({ registry, config: CONFIG });
  const app = express();
  if (options.remoteAddress !== undefined) {
    app.use((req, _res, next) => {
      Object.defineProperty(req.socket, 'remoteAddress', { value: options.remoteAddress, configurable: true });
      next();
    });
  }
  const control = new LspControl({ states: sink.states });
  mountIngestRoutes(app, {
    sink,
    control,
    auth: { token: options.token, tokenSetting: 'ingest.token (IDE_MONITOR_INGEST_TOKEN)' },
    maxBodySize: options.maxBodySize ?? 1 << 20,
    logger: silentLogger,
  });
  // The old single-token mode: the token that guards ingest here also stands for the shared webhook token.
  const access = new AccessGuard(
    new Authenticator({
      access: () => ({ principals: [], basic_auth_roles: {}, public_status: false }),
      basicAuthUsers: () => undefined,
      webhookToken: () => options.token,
    }),
    registry,
    silentLogger,
  );
  mountLspControlRoutes(app, { control, access, logger: silentLogger });
  const server = createServer(app);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${INGEST_PATH}`;
  const outcomes = async () => {
    const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === 'ide_ingest_batches_total')!;
    return Object.fromEntries(metric.values.map((v) => [String(v.labels.outcome), v.value] as const));
  };
  const post = (body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) => fetch(url, { method: 'POST', body, headers });
  return { url, post, outcomes, registry };
}

describe('POST /api/v1/ingest', () => {
  it('answers 204 for a good batch from loopback and counts it', async () => {
    const { post, outcomes } = await serve();
    const res = await post(JSON.stringify(batchOf(Object.values(EXAMPLES), 'p')));
    expect(res.status).toBe(204);
    expect(await outcomes()).toEqual({ accepted: 1, invalid: 0, unauthorized: 0, too_large: 0 });
  });

  it('answers 400 with the reason for a bad batch and for malformed JSON', async () => {
    const { post, outcomes } = await serve();
    const bad = await post(JSON.stringify(batchOf([{ ...EXAMPLES.lsp_bytes, bytes: -5 }])));
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: string; issues: { path: string }[] };
    expect(body.error).toMatch(/^invalid batch: observations\.0\.bytes: /);
    expect(body.issues[0]!.path).toBe('observations.0.bytes');
    const malformed = await post('{"version": 1,');
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: string }).error).toMatch(/not valid JSON/);
    expect((await outcomes()).invalid).toBe(2);
  });

  it('answers 415 for a non-JSON content type', async () => {
    const { post, outcomes } = await serve();
    const res = await post('version=1', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(415);
    expect((await outcomes()).invalid).toBe(1);
  });

  it('answers 413 over the body limit', async () => {
    const { post, outcomes } = await serve({ maxBodySize: 1024 });
    const many = batchOf(Array.from({ length: 50 }, () => EXAMPLES.cache));
    const res = await post(JSON.stringify(many));
    expect(res.status).toBe(413);
    expect((await outcomes()).too_large).toBe(1);
  });

  it('with a token: 401 without it or with a wrong one, 204 with it', async () => {
    const { post, outcomes } = await serve({ token: 's3cret' });
    const body = JSON.stringify(batchOf([EXAMPLES.cache]));
    const none = await post(body);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await post(body, { 'content-type': 'application/json', authorization: 'Bearer nope' })).status).toBe(401);
    expect((await post(body, { 'content-type': 'application/json', authorization: 'Bearer s3cret' })).status).toBe(204);
    expect(await outcomes()).toMatchObject({ accepted: 1, unauthorized: 2 });
  });

  it('without a token: 403 for a caller beyond loopback, counted as unauthorized', async () => {
    const { post, outcomes } = await serve({ remoteAddress: '192.0.2.10' });
    const res = await post(JSON.stringify(batchOf([EXAMPLES.cache])));
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: string }).error).toMatch(/ingest\.token/);
    expect(await outcomes()).toMatchObject({ accepted: 0, unauthorized: 1 });
  });

  it('takes loopback from the socket only: X-Forwarded-For naming loopback does not let a remote caller in', async () => {
    const { post, outcomes } = await serve({ remoteAddress: '192.0.2.10' });
    for (const forwarded of ['127.0.0.1', '::1', '127.0.0.1, 192.0.2.10']) {
      const res = await post(JSON.stringify(batchOf([EXAMPLES.cache])), {
        'content-type': 'application/json',
        'x-forwarded-for': forwarded,
        forwarded: 'for=127.0.0.1',
      });
      expect(res.status, forwarded).toBe(403);
    }
    expect(await outcomes()).toMatchObject({ accepted: 0, unauthorized: 3 });
  });

  it('answers 405 with Allow: POST to other methods', async () => {
    const { url } = await serve();
    const res = await fetch(url);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });
});
