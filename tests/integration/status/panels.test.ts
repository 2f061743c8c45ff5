import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../../support/binaries.js';
import { startExporter, type RunningExporter } from '../../support/exporter.js';

const chromiumPath = requireBinary('chromium', 'chromium');
const OUTPUT_DIR = fileURLToPath(new URL('../../../test-output/', import.meta.url));

interface PageElement {
  readonly textContent: string | null;
  readonly hidden: boolean;
}
declare const document: {
  getElementById(id: string): PageElement | null;
  readonly documentElement: { readonly scrollWidth: number; readonly clientWidth: number };
};

/** The rows of a panel's table as the visitor reads them: one array of cell texts per row. */
const rowsOf = (page: Page, id: string) =>
  page
    .locator(`#${id}-body tr`)
    .evaluateAll((trs) =>
      trs.map((tr) => Array.from((tr as unknown as { children: ArrayLike<{ textContent: string | null }> }).children, (td) => td.textContent ?? '')),
    );
const waitText = (page: Page, id: string, needle: string) =>
  page.waitForFunction(([i, n]) => document.getElementById(i)?.textContent?.includes(n) === true, [id, needle] as const, { timeout: 15_000 });

/**
 * The status page's panels beyond host and LSP health, each fed for real: application operations and
 * caches through the ingestion API, a process group matched by the process collector (a `sleep` the test
 * starts), and a language server's start, state and exit as a proxy reports them.
 */
describe.skipIf(chromiumPath === undefined)('status page panels in a real browser', () => {
  let exporter: RunningExporter;
  let browser: Browser;
  let page: Page;
  let sleeper: ChildProcess;
  const dir = mkdtempSync(join(tmpdir(), 'ide-monitor-panels-'));

  beforeAll(async () => {
    mkdirSync(OUTPUT_DIR, { recursive: true });
    // A process the group matches by its command line: the language server "typescript" for this page.
    sleeper = spawn('sleep', ['31415'], { stdio: 'ignore' });
    const config = join(dir, 'config.yml');
    writeFileSync(config, "collectors:\n  process:\n    groups:\n      - { name: typescript, cmdline: 'sleep 31415' }\n");
    exporter = await startExporter({ args: [`--config.file=${config}`, '--no-collector.hostinfo'] });
    const observations = [
      ...Array.from({ length: 20 }, (_, i) => ({ kind: 'operation', operation: 'ui_refresh', outcome: i < 5 ? 'error' : 'ok', duration_seconds: 0.03 })),
      { kind: 'cache', cache: 'symbols', result: 'hit', count: 3 },
      { kind: 'cache', cache: 'symbols', result: 'miss', count: 1 },
      { kind: 'lsp_server', server: 'typescript', event: 'start' },
      {
        kind: 'lsp_state',
        server: 'typescript',
        up: true,
        in_flight: { client_to_server: 0, server_to_client: 0 },
        diagnostics: { error: 0, warning: 0, information: 0, hint: 0 },
      },
    ];
    const res = await fetch(`${exporter.url}/api/v1/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ version: 1, observations }),
    });
    expect(res.status).toBe(204);
    browser = await chromium.launch({
      executablePath: chromiumPath!,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
    await page.goto(`${exporter.url}/`);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await exporter?.stop();
    sleeper?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows application operations with p95, rate and errors', async () => {
    await waitText(page, 'apps-body', 'ui_refresh');
    const [row] = await rowsOf(page, 'apps');
    // 20 observations of 30 ms: p95 interpolates inside the (25 ms, 50 ms] bucket; 5 of 20 failed.
    expect(row![0]).toBe('ui_refresh');
    expect(row![1]).toMatch(/^(2[5-9]|[34]\d|50) ms$/);
    expect(row![3]).toBe('25.0 %');
  });

  it('shows cache hit ratios, for the last minute and since start', async () => {
    await waitText(page, 'caches-body', 'symbols');
    expect(await rowsOf(page, 'caches')).toEqual([['symbols', '75.0 %', expect.stringMatching(/^\d+\.\d\d$/), '75.0 %']]);
  });

  it('shows the process group the collector found, with its memory', async () => {
    await waitText(page, 'procs-body', 'typescript');
    const [row] = await rowsOf(page, 'procs');
    expect(row!.slice(0, 2)).toEqual(['typescript', '1']);
    expect(row![2]).toMatch(/^\d+(\.\d)? (KiB|MiB)$/);
    expect(row![4]).toBe('0');
  });

  it('shows the language server up, its starts, and its memory from the process group of the same name; down after an abnormal exit', async () => {
    await waitText(page, 'servers-body', 'typescript');
    const [row] = await rowsOf(page, 'servers');
    expect(row!.slice(0, 4)).toEqual(['typescript', 'up', '1', '0']);
    expect(row![4]).toMatch(/^\d+(\.\d)? (KiB|MiB)$/);
    const exit = [
      { kind: 'lsp_server', server: 'typescript', event: 'exit', code: 1 },
      {
        kind: 'lsp_state',
        server: 'typescript',
        up: false,
        in_flight: { client_to_server: 0, server_to_client: 0 },
        diagnostics: { error: 0, warning: 0, information: 0, hint: 0 },
      },
    ];
    const res = await fetch(`${exporter.url}/api/v1/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ version: 1, observations: exit }),
    });
    expect(res.status).toBe(204);
    await page.waitForFunction(() => document.getElementById('servers-body')?.textContent?.includes('down') === true, null, { timeout: 5000 });
    expect((await rowsOf(page, 'servers'))[0]!.slice(0, 4)).toEqual(['typescript', 'down', '1', '1']);
  });

  it('fits the new panels on a 390 px phone without horizontal scrolling', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    try {
      await phone.goto(`${exporter.url}/`);
      await waitText(phone, 'servers-body', 'typescript');
      const { scrollWidth, clientWidth } = await phone.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        clientWidth: document.documentElement.clientWidth,
      }));
      expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
      // Nor does any table scroll sideways inside its card: every column is readable at once.
      const clipped = await phone
        .locator('.table-wrap')
        .evaluateAll(
          (wraps) =>
            wraps.filter(
              (w) => (w as unknown as { scrollWidth: number; clientWidth: number }).scrollWidth > (w as unknown as { clientWidth: number }).clientWidth + 1,
            ).length,
        );
      expect(clipped).toBe(0);
      await phone.screenshot({ path: join(OUTPUT_DIR, 'status-panels-phone.png'), fullPage: true });
    } finally {
      await phone.close();
    }
    await page.screenshot({ path: join(OUTPUT_DIR, 'status-panels.png'), fullPage: true });
  });
});
