import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertmanagerFingerprint } from '../../../src/bridge/fingerprint.js';
import { startExporter, type RunningExporter } from '../../support/exporter.js';
import { batchOf, EXAMPLES } from '../../unit/ingest/examples.js';

// A self-signed certificate for 127.0.0.1, committed so the test needs no openssl at run time.
const TLS_DIR = path.resolve('tests/fixtures/tls');
const CA = readFileSync(path.join(TLS_DIR, 'server.crt'));

function httpsGet(
  url: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const method = body === undefined ? 'GET' : 'POST';
    const req = request(url, { ca: CA, method, headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const basic = (user: string, password: string) => ({ Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

describe('--web.config.file (exporter-toolkit format): TLS and basic auth', () => {
  let exporter: RunningExporter;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'ide-monitor-web-'));
    const hash = bcrypt.hashSync('s3cret', 10);
    // Certificate paths are relative to the web config file, as exporter-toolkit resolves them.
    writeFileSync(path.join(dir, 'server.crt'), CA);
    writeFileSync(path.join(dir, 'server.key'), readFileSync(path.join(TLS_DIR, 'server.key')));
    writeFileSync(
      path.join(dir, 'web.yml'),
      `tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\nbasic_auth_users:\n  prometheus: ${hash}\nhttp_server_config:\n  headers:\n    X-Frame-Options: deny\n`,
    );
    exporter = await startExporter({ args: [`--web.config.file=${path.join(dir, 'web.yml')}`] });
  });
  afterAll(async () => {
    await exporter?.stop();
  });

  it('serves metrics over TLS to the right user only', async () => {
    const url = `https://127.0.0.1:${exporter.port}/metrics`;
    const ok = await httpsGet(url, basic('prometheus', 's3cret'));
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('ide_host_memory_total_bytes ');
    expect(ok.headers['x-frame-options']).toBe('deny');
    const wrong = await httpsGet(url, basic('prometheus', 'guess'));
    expect(wrong.status).toBe(401);
    expect(wrong.headers['www-authenticate']).toBe('Basic realm="ide-monitor"');
    expect((await httpsGet(url, basic('nobody', 's3cret'))).status).toBe(401);
    expect((await httpsGet(url)).status).toBe(401);
  });

  it('leaves the webhook and ingest to their own auth: a loopback caller without a scrape password gets 200 and 204', async () => {
    const labels = { alertname: 'WebConfigProbe', severity: 'low' };
    const alert = { status: 'firing', labels, annotations: {}, startsAt: new Date().toISOString(), endsAt: '0001-01-01T00:00:00Z', generatorURL: '' };
    const payload = {
      version: '4',
      groupKey: '{}:{}',
      status: 'firing',
      receiver: 'bridge',
      groupLabels: {},
      commonLabels: labels,
      commonAnnotations: {},
      externalURL: '',
    };
    const webhook = await httpsGet(
      `https://127.0.0.1:${exporter.port}/api/v1/alertmanager/webhook`,
      {},
      JSON.stringify({ ...payload, alerts: [{ ...alert, fingerprint: alertmanagerFingerprint(labels) }] }),
    );
    expect(webhook.status, webhook.body).toBe(200);
    const ingest = await httpsGet(`https://127.0.0.1:${exporter.port}/api/v1/ingest`, {}, JSON.stringify(batchOf([EXAMPLES.cache])));
    expect(ingest.status, ingest.body).toBe(204);
  });

  it('refuses plain HTTP on the TLS port', async () => {
    await expect(fetch(`http://127.0.0.1:${exporter.port}/metrics`)).rejects.toThrow();
  });

  it('rejects a web config with a bad hash, naming the file and path', async () => {
    const bad = path.join(dir, 'bad-web.yml');
    writeFileSync(bad, 'basic_auth_users:\n  alice: plaintext\n');
    await expect(startExporter({ args: [`--web.config.file=${bad}`] })).rejects.toThrow(`${bad}:2 basic_auth_users.alice: must be a bcrypt hash`);
  });
});
