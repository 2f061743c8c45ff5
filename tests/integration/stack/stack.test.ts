import type { ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../../support/binaries.js';
import { waitFor } from '../../support/ports.mjs';
import { startProcess, type RunningProcess } from '../../support/process.mjs';

// `npm run stack` end to end: the real script, real Prometheus and Alertmanager, the built ide-monitor.
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const prometheus = requireBinary('prometheus', 'prometheus');
const alertmanager = requireBinary('prometheus-alertmanager', 'prometheus-alertmanager');

interface Stack {
  readonly child: ChildProcess;
  readonly urls: Record<string, string>;
  readonly pids: Record<string, number>;
  readonly files: string;
  readonly tokenFile: string;
  readonly exit: Promise<number | null>;
  output(): string;
}

const started: RunningProcess[] = [];
afterAll(() => {
  for (const proc of started) if (proc.exitReason() === undefined) proc.child.kill('SIGKILL');
});

/** Starts scripts/stack.mjs and resolves once it printed `stack: ready`, with the URLs and pids it printed. */
async function startStack(): Promise<Stack> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(IDE_MONITOR_|GRAFANA_)/.test(name)));
  const proc = startProcess(process.execPath, ['scripts/stack.mjs', '--free-ports', '--scrape-interval=1s'], { cwd: repo, env, name: 'the stack' });
  started.push(proc);
  await proc.waitReady('to print "stack: ready"', () => proc.output().includes('stack: ready\n'), 30_000);
  // The programs' own lines go to stderr prefixed with their name, so these patterns match only the stack's.
  const printed = proc.output();
  const urls: Record<string, string> = {};
  const pids: Record<string, number> = {};
  for (const [, name, url, pid] of printed.matchAll(/^ {2}(\S+) +(http:\/\/\S+?)\/? +pid (\d+)/gm)) {
    urls[name!] = url!;
    pids[name!] = Number(pid);
  }
  const files = /^ {2}files +(\S+)/m.exec(printed)?.[1] ?? '';
  const tokenFile = /^ {2}webhook token (\S+)/m.exec(printed)?.[1] ?? '';
  return { child: proc.child, urls, pids, files, tokenFile, exit: proc.exited, output: proc.output };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

async function json<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** Rule group names of the checked-in rules files, which the stack's Prometheus must have loaded. */
function checkedInGroups(): string[] {
  const dir = join(repo, 'prometheus/rules');
  return readdirSync(dir)
    .flatMap((file) => (load(readFileSync(join(dir, file), 'utf8')) as { groups: { name: string }[] }).groups.map((g) => g.name))
    .sort();
}

async function withDeadline<T>(what: string, promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms)));
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

describe.skipIf(prometheus === undefined || alertmanager === undefined)('npm run stack', () => {
  it('runs the checked-in configs on loopback (targets up, rules loaded, inhibition), delivers Alertmanager → bridge with the shared token, stops everything on SIGINT', async () => {
    const stack = await startStack();
    const { urls, pids } = stack;
    expect(Object.keys(pids).sort(), stack.output()).toEqual(['alertmanager', 'ide-monitor', 'prometheus']);
    expect(stack.output()).toContain('grafana       not started');
    for (const url of Object.values(urls)) expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // Read back at the end: it must be removed at exit, which an unparsed (empty) path would pass vacuously.
    expect(existsSync(stack.files), stack.output()).toBe(true);

    // Critical: the shortest group_wait of the generated route tree (10 s); it runs while we check the rest.
    const alert = { labels: { alertname: 'IdeStackSmokeTest', severity: 'critical', instance: 'stack-test' }, annotations: { summary: 'Stack smoke test.' } };
    const posted = await fetch(`${urls['alertmanager']}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify([alert]),
    });
    expect(posted.status).toBe(200);

    // Prometheus: every job of prometheus.yml, rewritten to the stack's ports, is up.
    type Target = { labels: { job: string }; scrapeUrl: string; health: string };
    await waitFor(
      'every Prometheus target up',
      async () => {
        const targets = (await json<{ data: { activeTargets: Target[] } }>(`${urls['prometheus']}/api/v1/targets`)).data.activeTargets;
        return targets.length === 3 && targets.every((t) => t.health === 'up');
      },
      15_000,
      250,
    );
    const targets = (await json<{ data: { activeTargets: Target[] } }>(`${urls['prometheus']}/api/v1/targets`)).data.activeTargets;
    const byJob = Object.fromEntries(targets.map((t) => [t.labels.job, t.scrapeUrl]));
    expect(byJob).toEqual({
      'ide-monitor': `${urls['ide-monitor']}/metrics`,
      prometheus: `${urls['prometheus']}/metrics`,
      alertmanager: `${urls['alertmanager']}/metrics`,
    });
    const rules = await json<{ data: { groups: { name: string; rules: unknown[] }[] } }>(`${urls['prometheus']}/api/v1/rules`);
    expect(rules.data.groups.map((g) => g.name).sort()).toEqual(checkedInGroups());
    const ams = await json<{ data: { activeAlertmanagers: { url: string }[] } }>(`${urls['prometheus']}/api/v1/alertmanagers`);
    expect(ams.data.activeAlertmanagers.map((a) => a.url)).toEqual([`${urls['alertmanager']}/api/v2/alerts`]);

    // Alertmanager: ready, with the generated route tree pointing at this bridge and the temporary token file.
    expect((await fetch(`${urls['alertmanager']}/-/ready`)).status).toBe(200);
    const status = await json<{ config: { original: string } }>(`${urls['alertmanager']}/api/v2/status`);
    expect(status.config.original).toContain(`url: ${urls['ide-monitor']}/api/v1/alertmanager/webhook`);
    expect(status.config.original).toContain(`credentials_file: ${stack.tokenFile}`);

    // The generated inhibition: a critical silences the high of the same alert and mountpoint, not of another.
    const disk = (severity: string, mountpoint: string) => ({
      labels: { alertname: 'IdeHostFilesystemAlmostFull', severity, instance: 'stack-test', mountpoint },
    });
    const levels = [disk('critical', '/'), disk('high', '/'), disk('high', '/home')];
    expect(
      (await fetch(`${urls['alertmanager']}/api/v2/alerts`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(levels) }))
        .status,
    ).toBe(200);
    type AmAlert = { labels: Record<string, string>; status: { state: string } };
    const states = (await json<AmAlert[]>(`${urls['alertmanager']}/api/v2/alerts?filter=alertname%3D%22IdeHostFilesystemAlmostFull%22`))
      .map((a) => `${a.labels['severity']} ${a.labels['mountpoint']} ${a.status.state}`)
      .sort();
    expect(states).toEqual(['critical / active', 'high / suppressed', 'high /home active']);

    // The bridge: token required, and the alert arrived through Alertmanager carrying the same token.
    const token = readFileSync(stack.tokenFile, 'utf8');
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect((await fetch(`${urls['ide-monitor']}/api/v1/alerts`)).status).toBe(401);
    type Alerts = { alerts: { alertname: string; severity: string }[] };
    await waitFor(
      'the alert to reach the bridge through Alertmanager',
      async () => {
        const body = await json<Alerts>(`${urls['ide-monitor']}/api/v1/alerts`, { headers: { Authorization: `Bearer ${token}` } });
        return body.alerts.some((a) => a.alertname === 'IdeStackSmokeTest' && a.severity === 'critical');
      },
      25_000,
      250,
    );

    stack.child.kill('SIGINT');
    expect(await withDeadline('stack shutdown', stack.exit, 20_000)).toBe(0);
    for (const [name, pid] of Object.entries(pids)) expect(alive(pid), `${name} (pid ${pid}) is still running`).toBe(false);
    expect(existsSync(stack.files)).toBe(false);
  });

  it('stops the rest and exits 1 when one program dies', async () => {
    const stack = await startStack();
    process.kill(stack.pids['alertmanager']!, 'SIGKILL');
    expect(await withDeadline('stack shutdown after a crash', stack.exit, 20_000)).toBe(1);
    expect(stack.output()).toContain('alertmanager exited unexpectedly (SIGKILL)');
    for (const [name, pid] of Object.entries(stack.pids)) expect(alive(pid), `${name} (pid ${pid}) is still running`).toBe(false);
  });
});
