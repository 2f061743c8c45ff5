import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../../..', import.meta.url));
const work = mkdtempSync(path.join(tmpdir(), 'ide-monitor-pack-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * What `npm pack` ships, from a clean clone of the committed tree (no dist/): the `prepack` build must
 * produce dist/, the Apache-2.0 LICENSE must be there, sources and tests must not. node_modules is linked
 * from the checkout, since the clone has none and the build needs TypeScript.
 */
describe('the npm package', () => {
  it('packs the built dist/, LICENSE, docs and the systemd units from a clean clone, and no sources or tests', () => {
    const clone = path.join(work, 'clone');
    execFileSync('git', ['clone', '--quiet', '--no-hardlinks', repo, clone]);
    symlinkSync(path.join(repo, 'node_modules'), path.join(clone, 'node_modules'));
    const out = execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: clone, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    // The prepack build writes its own lines to stdout before npm's JSON.
    const [packed] = JSON.parse(out.slice(out.indexOf('\n[') + 1)) as { files: { path: string }[]; unpackedSize: number }[];
    const files = packed!.files.map((f) => f.path);
    for (const expected of [
      'LICENSE',
      'README.md',
      'package.json',
      'dist/cli.js',
      'dist/client.js',
      'dist/client.d.ts',
      'dist/index.js',
      'dist/build-info.json',
      'dist/status/assets/index.html',
      'docs/remote-write.md',
      'deploy/systemd/ide-monitor.service',
      'deploy/systemd/ide-monitor-user.service',
    ]) {
      expect(files).toContain(expected);
    }
    expect(files.filter((f) => f.startsWith('src/') || f.startsWith('tests/') || f.endsWith('.map'))).toEqual([]);
    expect(execFileSync('head', ['-4', path.join(clone, 'LICENSE')], { encoding: 'utf8' })).toContain(
      'Apache License\n                           Version 2.0, January 2004',
    );
  }, 120_000);

  it('imports ide-monitor/client without loading express, better-sqlite3, the Grafana SDK or prom-client', () => {
    // Node's loader hooks see every module the import resolves (ESM and CommonJS alike).
    const script = `
      import { register } from 'node:module';
      import { MessageChannel } from 'node:worker_threads';
      const { port1, port2 } = new MessageChannel();
      const seen = new Set();
      port1.on('message', (url) => seen.add(url));
      const hooks = 'data:text/javascript,' + encodeURIComponent('let p; export function initialize(d) { p = d.port; } export async function resolve(s, c, n) { const r = await n(s, c); p.postMessage(r.url); return r; }');
      register(hooks, { data: { port: port2 }, transferList: [port2] });
      const client = await import('ide-monitor/client');
      await new Promise((r) => setTimeout(r, 200));
      port1.close();
      const packages = [...new Set([...seen].filter((u) => u.includes('/node_modules/')).map((u) => u.split('/node_modules/').at(-1).split('/')[0]))];
      console.log(JSON.stringify({ exports: Object.keys(client).sort(), packages }));`;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: repo, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    const { exports, packages } = JSON.parse(result.stdout) as { exports: string[]; packages: string[] };
    expect(exports).toEqual(['INGEST_VERSION', 'IngestReporter', 'MAX_OBSERVATIONS_PER_BATCH']);
    expect(packages).toEqual(['zod']);
  });
});
