import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { alertmanagerFingerprint } from '../../../src/bridge/fingerprint.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../../support/binaries.js';
import { startExporter, type RunningExporter } from '../../support/exporter.js';
import { freePort } from '../../support/ports.mjs';
import { distinctColours } from './png.js';

const chromiumPath = requireBinary('chromium', 'chromium');
const OUTPUT_DIR = fileURLToPath(new URL('../../../test-output/', import.meta.url));
const SCREENSHOT = join(OUTPUT_DIR, 'status.png');
const PHONE_SCREENSHOT = join(OUTPUT_DIR, 'status-phone.png');

/** The real `serve` on a fixed port (the page reconnects to the same address after a restart) and one outbox. */
const serve = (port: number, dataDir: string) => startExporter({ port, env: { IDE_MONITOR_DATA_DIR: dataDir } });

const text = (page: Page, selector: string) => page.locator(selector).first().innerText();

// Page functions run in the browser (Playwright passes them over CDP, which the page's CSP allows; strings
// would need eval). The tests' tsconfig has no DOM types, so the few globals they touch are declared here.
interface PageElement {
  readonly textContent: string | null;
  readonly dataset: Record<string, string | undefined>;
}
interface PageCanvas {
  readonly width: number;
  readonly height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
}
declare const document: {
  getElementById(id: string): PageElement | null;
  querySelector(selector: string): PageCanvas | null;
  readonly body: PageElement;
  readonly documentElement: { readonly scrollWidth: number; readonly clientWidth: number };
};
declare function getComputedStyle(element: unknown): { backgroundColor: string };

const connIs = (page: Page, state: string, timeout: number) =>
  page.waitForFunction((s) => document.getElementById('conn-text')?.textContent === s, state, { timeout });
const textIncludes = (page: Page, id: string, needle: string) =>
  page.waitForFunction(([i, n]) => document.getElementById(i)?.textContent?.includes(n) === true, [id, needle] as const, { timeout: 3000 });
const seqOf = (page: Page) => page.evaluate(() => Number(document.body.dataset['seq'] ?? 0));

describe.skipIf(chromiumPath === undefined)('status page in a real browser', () => {
  let port: number;
  let url: string;
  let dataDir: string;
  let exporter: RunningExporter | undefined;
  let browser: Browser | undefined;
  let page: Page;
  /** Script errors and console errors (a CSP violation shows up here) while the server is up. */
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(OUTPUT_DIR, { recursive: true });
    dataDir = mkdtempSync(join(tmpdir(), 'ide-monitor-status-'));
    port = await freePort();
    url = `http://127.0.0.1:${port}`;
    exporter = await serve(port, dataDir);
    browser = await chromium.launch({
      executablePath: chromiumPath!,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    await page.goto(`${url}/`);
  });

  afterAll(async () => {
    await browser?.close();
    await exporter?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('goes live and shows values that change within 3 s', async () => {
    await connIs(page, 'live', 5000);
    await page.waitForFunction(() => Number(document.body.dataset['seq'] ?? 0) > 0, null, { timeout: 3000 });
    const seq = await seqOf(page);
    const updated = await text(page, '#updated');
    await page.waitForFunction(
      ([s, u]) => Number(document.body.dataset['seq']) > s && document.getElementById('updated')?.textContent !== u,
      [seq, updated] as const,
      { timeout: 3000 },
    );
    expect(await text(page, '#h-memory .value')).toMatch(/^\d+\.\d %$/);
    expect(await text(page, '#h-disk .detail')).toMatch(/fullest: \//);
    expect(['green', 'yellow', 'red']).toContain(await page.getAttribute('#h-memory', 'data-colour'));
    // The landing page's links are still on the page.
    for (const href of ['metrics', '-/healthy', '-/ready']) expect(await page.locator(`nav a[href="${href}"]`).count()).toBe(1);
  });

  it('shows LSP operations posted to the ingestion API', async () => {
    const observations = Array.from({ length: 40 }, (_, i) => ({
      kind: 'lsp_request',
      server: 'typescript',
      method: 'textDocument/hover',
      outcome: i < 2 ? 'error' : 'ok',
      duration_seconds: 0.02,
    }));
    const res = await fetch(`${url}/api/v1/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ version: 1, observations }),
    });
    expect(res.status).toBeLessThan(300);
    await textIncludes(page, 'ops-body', 'hover');
    const row = await text(page, '#ops-body tr');
    expect(row).toContain('textDocument/');
    expect(row).toMatch(/5\.0 %/);
    expect(await page.getAttribute('#h-lsp', 'data-colour')).toBe('green');
  });

  it('shows an alert posted to the bridge webhook', async () => {
    const startsAt = new Date().toISOString();
    const payload = {
      version: '4',
      groupKey: '{}:{alertname="IdeHostCpuHighUsage"}',
      truncatedAlerts: 0,
      status: 'firing',
      receiver: 'ide-monitor',
      groupLabels: { alertname: 'IdeHostCpuHighUsage' },
      commonLabels: { alertname: 'IdeHostCpuHighUsage', severity: 'high' },
      commonAnnotations: { summary: 'CPU usage is high.' },
      externalURL: 'http://alertmanager.invalid:9093',
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'IdeHostCpuHighUsage', severity: 'high', instance: 'dev-1' },
          annotations: { summary: 'CPU usage is high.' },
          startsAt,
          endsAt: '0001-01-01T00:00:00Z',
          generatorURL: 'http://prometheus.invalid/graph',
          fingerprint: alertmanagerFingerprint({ alertname: 'IdeHostCpuHighUsage', severity: 'high', instance: 'dev-1' }),
        },
      ],
    };
    const res = await fetch(`${url}/api/v1/alertmanager/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    });
    expect(res.status).toBe(200);
    await textIncludes(page, 'alerts-list', 'IdeHostCpuHighUsage');
    expect(await text(page, '#alerts .chip[data-severity="high"] b')).toBe('1');
    expect(await page.getAttribute('#alerts .chip[data-severity="high"]', 'class')).toContain('on');
  });

  it('draws charts and a screenshot that is not blank', async () => {
    // uPlot has drawn into its canvas: more than a background colour.
    const canvasColours = await page.evaluate(() => {
      const canvas = document.querySelector('#chart-memory canvas');
      if (!canvas) return 0;
      const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      const seen = new Set<number>();
      for (let i = 0; i < data.length; i += 4) seen.add((data[i]! << 24) | (data[i + 1]! << 16) | (data[i + 2]! << 8) | data[i + 3]!);
      return seen.size;
    });
    expect(canvasColours).toBeGreaterThan(3);
    const shot = await page.screenshot({ path: SCREENSHOT, fullPage: true });
    const blank = await (async () => {
      const empty = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
      const buffer = await empty.screenshot();
      await empty.close();
      return buffer;
    })();
    const decoded = distinctColours(shot);
    expect(decoded.width).toBe(1280);
    expect(decoded.colours).toBeGreaterThan(100);
    expect(distinctColours(blank).colours).toBeLessThan(3);
    expect(pageErrors).toEqual([]);
  });

  it('follows prefers-color-scheme', async () => {
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const light = await background();
    await page.emulateMedia({ colorScheme: 'dark' });
    const dark = await background();
    await page.emulateMedia({ colorScheme: 'light' });
    expect(light).not.toBe(dark);
    expect(dark).toBe('rgb(14, 17, 23)');
  });

  it('fits a phone without horizontal scrolling', async () => {
    const phone = await browser!.newPage({ viewport: { width: 390, height: 844 }, colorScheme: 'dark', isMobile: true, hasTouch: true });
    try {
      await phone.goto(`${url}/`);
      await connIs(phone, 'live', 5000);
      await phone.waitForTimeout(300);
      const { scrollWidth, clientWidth } = await phone.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        clientWidth: document.documentElement.clientWidth,
      }));
      expect(clientWidth).toBe(390);
      expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
      await phone.screenshot({ path: PHONE_SCREENSHOT, fullPage: true });
    } finally {
      await phone.close();
    }
  });

  it('survives a server restart on the same port: reconnecting, then live again', async () => {
    await exporter!.stop();
    exporter = undefined;
    await connIs(page, 'reconnecting', 5000);
    exporter = await serve(port, dataDir);
    await connIs(page, 'live', 10_000);
    const seq = await seqOf(page);
    // A fresh process counts from 1 again, and keeps pushing.
    await page.waitForFunction((s) => Number(document.body.dataset['seq']) !== s, seq, { timeout: 3000 });
  });
});
