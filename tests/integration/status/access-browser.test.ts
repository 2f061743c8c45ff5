import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { dump } from 'js-yaml';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertmanagerFingerprint } from '../../../src/bridge/fingerprint.js';
import { requireBinary } from '../../support/binaries.js';
import { startExporter, type RunningExporter } from '../../support/exporter.js';

const chromiumPath = requireBinary('chromium', 'chromium');
const WEBHOOK = 'hook-token-browser';
const ALERT = 'PublicModeSecretAlert';

declare const document: { getElementById(id: string): { textContent: string | null } | null; readonly body: { innerText: string } };

/**
 * The status page in a real browser with access levels: a visitor who is not signed in sees the public
 * view (health and counts, no alert names); an operator signed in with basic auth sees the alert and can
 * acknowledge it from the page.
 */
describe.skipIf(chromiumPath === undefined)('the status page with access levels, in a real browser', () => {
  let dir: string;
  let exporter: RunningExporter;
  let browser: Browser;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ide-monitor-access-browser-'));
    writeFileSync(join(dir, 'web.yml'), dump({ basic_auth_users: { olive: bcrypt.hashSync('olive-pass', 4) } }));
    const config = join(dir, 'ide-monitor.yml');
    writeFileSync(
      config,
      dump({
        web: { config_file: join(dir, 'web.yml') },
        bridge: { webhook: { token: WEBHOOK } },
        access: { basic_auth_roles: { olive: 'operator' }, public_status: true },
      }),
    );
    exporter = await startExporter({ args: [`--config.file=${config}`, '--no-collector.hostinfo'], env: { IDE_MONITOR_DATA_DIR: join(dir, 'data') } });
    const labels = { alertname: ALERT, severity: 'high', instance: 'dev-1:10451' };
    const payload = {
      version: '4',
      groupKey: `{}:{alertname="${ALERT}"}`,
      status: 'firing',
      receiver: 'bridge',
      groupLabels: { alertname: ALERT },
      commonLabels: labels,
      commonAnnotations: { summary: 'Only signed-in people may read this.' },
      externalURL: 'http://alertmanager.invalid:9093',
      alerts: [
        {
          status: 'firing',
          labels,
          annotations: { summary: 'Only signed-in people may read this.' },
          startsAt: new Date().toISOString(),
          endsAt: '0001-01-01T00:00:00Z',
          generatorURL: '',
          fingerprint: alertmanagerFingerprint(labels),
        },
      ],
    };
    const res = await fetch(`${exporter.url}/api/v1/alertmanager/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${WEBHOOK}` },
      body: JSON.stringify(payload),
    });
    expect(res.status).toBe(200);
    browser = await chromium.launch({
      executablePath: chromiumPath!,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await exporter?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows a visitor the counts and no alert name; an operator the alert, and acks it from the page', async () => {
    const visitor = await browser.newPage();
    await visitor.goto(`${exporter.url}/`);
    await visitor.waitForFunction(() => document.getElementById('alerts-note')?.textContent === '1 firing', null, { timeout: 10_000 });
    const visitorText = await visitor.evaluate(() => document.body.innerText);
    expect(visitorText).not.toContain(ALERT);
    expect(visitorText).not.toContain('Only signed-in people');

    // The public view never asks for credentials: a person signs in at /login, which challenges.
    const context = await browser.newContext({ httpCredentials: { username: 'olive', password: 'olive-pass' } });
    const operator = await context.newPage();
    await operator.goto(`${exporter.url}/login`);
    expect(new URL(operator.url()).pathname).toBe('/');
    await operator.waitForFunction((name) => document.getElementById('alerts-list')?.textContent?.includes(name) === true, ALERT, { timeout: 10_000 });
    await operator.locator('#alerts-list button.ack').click();
    await operator.waitForFunction(() => document.getElementById('alerts-list')?.textContent?.includes('acked by olive') === true, null, { timeout: 10_000 });
    const audit = await (
      await fetch(`${exporter.url}/api/v1/audit?kind=ack`, { headers: { authorization: `Basic ${Buffer.from('olive:olive-pass').toString('base64')}` } })
    ).json();
    // olive is an operator, not an admin: the audit log is not hers to read.
    expect(audit).toEqual({ error: expect.stringContaining('needs the admin role') });
    await context.close();
  });
});
