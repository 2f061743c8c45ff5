import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, startExporter, type RunningExporter } from '../../support/exporter.js';
import { parseSamples, type ParsedSample } from '../../support/exposition.js';
import { waitFor } from '../../support/ports.mjs';
import { PROJECT, TSLS } from './support/lsp-session.js';

const SCRIPT = fileURLToPath(new URL('./neovim/session.lua', import.meta.url));

interface NeovimResult {
  steps: string[];
  hover?: string;
  hover_checked?: string;
  completion_items?: number;
  diagnostics?: string[];
  exit_code?: number;
  error?: string;
}

// Headless Neovim (Debian's neovim, 0.7.2 on the CI image) as the editor: its own LSP client speaks to
// typescript-language-server through the proxy, the proxy reports to the real exporter, and the metrics
// must say what Neovim did.
describe('Neovim through lsp-proxy to typescript-language-server', () => {
  let exporter: RunningExporter;
  let result: NeovimResult;
  let samples: ParsedSample[];

  beforeAll(async () => {
    execFileSync('nvim', ['--version']); // a clear failure when Neovim is missing: scripts/install-test-deps.sh
    exporter = await startExporter({ args: ['--no-bridge.enabled'] });
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'nvim-lsp-')), 'result.json');
    const nvim = spawn('nvim', ['--headless', '--clean', '-n', '-c', `luafile ${SCRIPT}`], {
      cwd: PROJECT,
      env: { ...process.env, RESULT: out, PROJECT: PROJECT.replace(/\/$/, ''), NODE: process.execPath, CLI, TSLS, EXPORTER: exporter.url },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    nvim.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => nvim.kill('SIGKILL'), 110_000);
    const code = await new Promise<number | null>((resolve) => nvim.once('exit', resolve));
    clearTimeout(timer);
    result = JSON.parse(readFileSync(out, 'utf8')) as NeovimResult;
    if (code !== 0) throw new Error(`nvim exited ${code}: ${result.error ?? ''} ${stderr}`);
    const scrape = async () => parseSamples(await (await fetch(`${exporter.url}/metrics`)).text());
    // The proxy's final batch (exit, up=0) is sent before it exits; the scrape sees it.
    await waitFor(
      'the session in the metrics',
      async () => (samples = await scrape()).some((s) => s.name === 'ide_lsp_server_exits_total' && s.labels['server'] === 'typescript'),
      10_000,
      200,
    );
  }, 120_000);

  afterAll(async () => {
    await exporter?.stop();
  });

  it('works for Neovim: open, hover, completion, edit, diagnostics, close, stop', () => {
    expect(result.steps).toEqual(['initialized', 'hover', 'completion_items', 'diagnostics', 'hover_checked', 'closed', 'stopped']);
    expect(result.hover).toContain('```typescript');
    expect(result.hover_checked).toContain('area(): number');
    expect(result.completion_items).toBeGreaterThan(10);
    expect(result.diagnostics).toEqual(["Type 'string' is not assignable to type 'number'."]);
    expect(result.exit_code).toBe(0);
  });

  it('reports what Neovim did', () => {
    const sum = (name: string, labels: Record<string, string>) =>
      samples
        .filter((s) => s.name === name && s.labels['server'] === 'typescript' && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
        .reduce((n, s) => n + s.value, 0);
    const c2s = { direction: 'client_to_server' };
    expect(sum('ide_lsp_request_duration_seconds_count', { method: 'initialize', outcome: 'ok' })).toBe(1);
    expect(sum('ide_lsp_request_duration_seconds_count', { method: 'textDocument/hover', outcome: 'ok' })).toBe(2);
    expect(sum('ide_lsp_request_duration_seconds_count', { method: 'textDocument/completion', outcome: 'ok' })).toBe(1);
    expect(sum('ide_lsp_request_duration_seconds_count', { method: 'shutdown', outcome: 'ok' })).toBe(1);
    expect(sum('ide_lsp_notifications_total', { method: 'textDocument/didOpen', ...c2s })).toBe(1);
    expect(sum('ide_lsp_notifications_total', { method: 'textDocument/didChange', ...c2s })).toBe(1);
    expect(sum('ide_lsp_notifications_total', { method: 'textDocument/didClose', ...c2s })).toBe(1);
    expect(sum('ide_lsp_notifications_total', { method: 'exit', ...c2s })).toBe(1);
    expect(sum('ide_lsp_notifications_total', { method: 'textDocument/publishDiagnostics', direction: 'server_to_client' })).toBeGreaterThanOrEqual(1);
    expect(sum('ide_lsp_server_starts_total', {})).toBe(1);
    expect(sum('ide_lsp_server_exits_total', { code: '0' })).toBe(1);
    expect(sum('ide_lsp_request_errors_total', {})).toBe(0);
  });
});
