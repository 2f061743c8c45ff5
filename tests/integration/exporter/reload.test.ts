import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { CLI, startExporter } from '../../support/exporter.js';
import { parseSamples, single } from '../../support/exposition.js';
import { freePort, StopWaiting, waitFor } from '../../support/ports.mjs';
import { startProcess } from '../../support/process.mjs';

/** Reloads as Prometheus does them: SIGHUP and POST /-/reload read the file again; a bad one changes nothing. */
describe('ide-monitor serve reloading its configuration', () => {
  it('applies a changed file on SIGHUP and POST /-/reload, keeps the running one on a bad file, and never dies of SIGHUP', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ide-monitor-reload-'));
    const file = path.join(dir, 'config.yml');
    writeFileSync(file, 'collectors:\n  hostinfo: { enabled: false }\n  cpu: { enabled: true }\nstatus: { enabled: false }\n');
    const exporter = await startExporter({ args: [`--config.file=${file}`] });
    const scrape = async () => (await fetch(`${exporter.url}/metrics`)).text();
    try {
      expect(await scrape()).toContain('ide_host_cpu_seconds_total');
      const firstLoad = single(parseSamples(await scrape()), 'ide_exporter_config_last_reload_success_timestamp_seconds');

      // SIGHUP: the cpu collector goes, the process stays.
      writeFileSync(file, 'collectors:\n  hostinfo: { enabled: false }\n  cpu: { enabled: false }\nstatus: { enabled: false }\n');
      exporter.process.child.kill('SIGHUP');
      await waitFor('the SIGHUP reload', async () => exporter.process.output().includes('msg="configuration reloaded" trigger=SIGHUP'));
      const afterHup = await scrape();
      expect(afterHup).not.toContain('ide_host_cpu_seconds_total');
      expect(afterHup).toContain('ide_exporter_config_last_reload_successful 1');
      expect(single(parseSamples(afterHup), 'ide_exporter_config_last_reload_success_timestamp_seconds')).toBeGreaterThan(firstLoad);
      expect(exporter.process.child.exitCode).toBeNull();

      // A bad file: logged in one line, 500 with the reason, the running configuration stays (cpu still off).
      writeFileSync(file, 'collectors:\n  cpu: { enabled: maybe }\n');
      const bad = await fetch(`${exporter.url}/-/reload`, { method: 'POST' });
      expect(bad.status).toBe(500);
      expect(await bad.text()).toBe(`${file}:2 collectors.cpu.enabled: expected boolean, got string "maybe"\n`);
      exporter.process.child.kill('SIGHUP');
      await waitFor('the failed SIGHUP reload', async () =>
        exporter.process.output().includes('msg="configuration reload failed; keeping the running configuration" trigger=SIGHUP'),
      );
      const afterBad = await scrape();
      expect(afterBad).toContain('ide_exporter_config_last_reload_successful 0');
      expect(afterBad).not.toContain('ide_host_cpu_seconds_total');
      expect(afterBad).toContain('ide_exporter_collector_success{collector="memory"} 1');

      // Fixed again through the HTTP endpoint; a web page (Origin header) may not trigger it.
      writeFileSync(file, 'collectors:\n  hostinfo: { enabled: false }\nstatus: { enabled: false }\nlog: { level: debug }\n');
      expect((await fetch(`${exporter.url}/-/reload`, { method: 'POST', headers: { Origin: 'https://evil.example' } })).status).toBe(403);
      const good = await fetch(`${exporter.url}/-/reload`, { method: 'POST' });
      expect([good.status, await good.text()]).toEqual([200, 'configuration reloaded\n']);
      const fixed = await scrape();
      expect(fixed).toContain('ide_exporter_config_last_reload_successful 1');
      expect(fixed).toContain('ide_host_cpu_seconds_total');

      // A setting read only at start is named in the log; the rest applies.
      writeFileSync(file, 'web: { telemetry_path: /other }\ncollectors:\n  hostinfo: { enabled: false }\nstatus: { enabled: false }\n');
      expect((await fetch(`${exporter.url}/-/reload`, { method: 'POST' })).status).toBe(200);
      expect(exporter.process.output()).toContain(
        'msg="these settings change only on restart; the rest of the new configuration is applied" settings=web.telemetry_path',
      );
      expect(exporter.process.output()).not.toContain('    at ');
    } finally {
      expect(await exporter.stop()).toBe(0);
    }
  });

  it('reloads the web config (basic-auth users, headers) and names the sections that need a restart', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ide-monitor-reload-web-'));
    const web = path.join(dir, 'web.yml');
    const file = path.join(dir, 'config.yml');
    writeFileSync(web, 'http_server_config: { headers: { X-Test: one } }\n');
    writeFileSync(file, `web: { config_file: ${web} }\ncollectors: { hostinfo: { enabled: false } }\nstatus: { enabled: false }\n`);
    const exporter = await startExporter({ args: [`--config.file=${file}`] });
    try {
      const before = await fetch(`${exporter.url}/metrics`);
      expect([before.status, before.headers.get('x-test')]).toEqual([200, 'one']);

      writeFileSync(web, `basic_auth_users: { prometheus: '${bcrypt.hashSync('s3cret', 4)}' }\nhttp_server_config: { headers: { X-Test: two } }\n`);
      writeFileSync(
        file,
        `web: { config_file: ${web} }\ncollectors: { hostinfo: { enabled: false } }\nstatus: { enabled: false }\ningest: { max_label_values: 7 }\n`,
      );
      expect((await fetch(`${exporter.url}/-/reload`, { method: 'POST' })).status).toBe(200);
      const refused = await fetch(`${exporter.url}/metrics`);
      expect([refused.status, refused.headers.get('x-test')]).toEqual([401, 'two']);
      const allowed = await fetch(`${exporter.url}/metrics`, { headers: { Authorization: `Basic ${Buffer.from('prometheus:s3cret').toString('base64')}` } });
      expect(allowed.status).toBe(200);
      // The ingestion API applies its token live; a limit read at start is named by its setting, not silently ignored.
      expect(exporter.process.output()).toContain(
        'msg="these settings change only on restart; the rest of the new configuration is applied" settings=ingest.max_label_values\n',
      );
      // Now /-/reload itself needs the credentials.
      expect((await fetch(`${exporter.url}/-/reload`, { method: 'POST' })).status).toBe(401);
    } finally {
      expect(await exporter.stop()).toBe(0);
    }
  });

  it('survives SIGHUPs that arrive while it is still starting', async () => {
    const port = await freePort();
    const proc = startProcess(process.execPath, [CLI, 'serve', `--web.listen-address=127.0.0.1:${port}`, '--no-bridge.enabled', '--no-status.enabled']);
    try {
      // Node's default for SIGHUP is to exit (code 129). While Node itself boots nothing can catch it; from
      // the first log line (config read, collectors created) until it listens, one every 20 ms.
      await waitFor('the first log line', async () => proc.output().includes('collectors enabled'), 15_000, 5);
      await waitFor(
        'the exporter to listen despite SIGHUPs',
        async () => {
          if (proc.child.exitCode !== null || proc.child.signalCode !== null)
            throw new StopWaiting(`exited (${proc.child.exitCode ?? proc.child.signalCode}): ${proc.output()}`);
          proc.child.kill('SIGHUP');
          return proc.output().includes('ide-monitor listening');
        },
        15_000,
        20,
      );
      expect(proc.output()).toContain('SIGHUP during startup ignored');
      proc.child.kill('SIGHUP');
      await waitFor('a reload', async () => proc.output().includes('trigger=SIGHUP'));
      expect(proc.child.exitCode).toBeNull();
    } finally {
      const code = await proc.stop();
      expect(code, proc.output()).toBe(0);
    }
  });
});
