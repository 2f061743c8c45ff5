import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startExporter, type RunningExporter } from '../../support/exporter.js';
import { parseSamples, valuesOf, type ParsedSample } from '../../support/exposition.js';
import { waitFor } from '../../support/ports.mjs';

/** Only processes started by this run carry it, so nothing else on the machine can join a group. */
const MARKER = `pg${process.pid}x${randomBytes(4).toString('hex')}`;

/** A child that says `ready`, and on `alloc N` allocates and touches N MiB, then says `ok`. */
const CHILD = `
import { createInterface } from 'node:readline';
const kept = [];
createInterface({ input: process.stdin }).on('line', (line) => {
  const [command, size] = line.split(' ');
  if (command === 'alloc') {
    const buffer = Buffer.alloc(Number(size) * 1024 * 1024);
    for (let i = 0; i < buffer.length; i += 4096) buffer[i] = 1;
    kept.push(buffer);
    process.stdout.write('ok\\n');
  }
});
process.stdin.on('end', () => process.exit(0));
process.stdout.write('ready\\n');
`;

const dir = mkdtempSync(path.join(tmpdir(), 'ide-monitor-process-groups-'));
const childScript = path.join(dir, 'child.mjs');
let exporter: RunningExporter;
const children = new Set<ChildProcess>();

/** Group names as the config knows them; each matches `child.mjs <group>-<marker>` and nothing else. */
const GROUPS = ['memory', 'restarts', 'pool', 'idle'] as const;
type Group = (typeof GROUPS)[number];

beforeAll(async () => {
  writeFileSync(childScript, CHILD);
  const config = path.join(dir, 'config.yml');
  const groups = GROUPS.map((g) => `      - name: ${g}\n        cmdline: 'child\\.mjs ${g}-${MARKER}$'`).join('\n');
  writeFileSync(config, `collectors:\n  process:\n    groups:\n${groups}\n`);
  exporter = await startExporter({ args: [`--config.file=${config}`] });
});

afterEach(async () => {
  await Promise.all([...children].map(stopChild));
});

afterAll(async () => {
  await Promise.all([...children].map(stopChild));
  await exporter?.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Child {
  readonly process: ChildProcess;
  /** Resolves with the next line the child writes. */
  next(): Promise<string>;
}

async function startChild(group: Group): Promise<Child> {
  const child = spawn(process.execPath, [childScript, `${group}-${MARKER}`], { stdio: ['pipe', 'pipe', 'inherit'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const lines = createInterface({ input: child.stdout });
  const queue: string[] = [];
  const waiting: Array<(line: string) => void> = [];
  lines.on('line', (line) => (waiting.shift() ?? ((l: string) => queue.push(l)))(line));
  const next = () =>
    new Promise<string>((resolve, reject) => {
      const queued = queue.shift();
      if (queued !== undefined) return resolve(queued);
      const timer = setTimeout(() => reject(new Error(`child ${group} said nothing within 10 s`)), 10_000);
      waiting.push((line) => {
        clearTimeout(timer);
        resolve(line);
      });
    });
  expect(await next()).toBe('ready');
  return { process: child, next };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

async function scrape(): Promise<ParsedSample[]> {
  const response = await fetch(`${exporter.url}/metrics`);
  expect(response.status).toBe(200);
  return parseSamples(await response.text());
}

function valueOf(samples: readonly ParsedSample[], name: string, group: Group, mode?: string): number | undefined {
  return valuesOf(samples, name).find((s) => s.labels['group'] === group && (mode === undefined || s.labels['mode'] === mode))?.value;
}

async function waitForCount(group: Group, count: number): Promise<ParsedSample[]> {
  let samples: ParsedSample[] = [];
  await waitFor(
    `${count} processes in group ${group}`,
    async () => {
      samples = await scrape();
      return valueOf(samples, 'ide_process_count', group) === count;
    },
    10_000,
    200,
  );
  return samples;
}

describe('ide-monitor serve: process groups against real processes', () => {
  it('exports every configured group, an empty one with count 0 and no gauges, from a successful collector', async () => {
    const samples = await scrape();
    for (const group of GROUPS) expect(valueOf(samples, 'ide_process_count', group)).toBe(0);
    expect(valueOf(samples, 'ide_process_restarts_total', 'idle')).toBe(0);
    expect(valueOf(samples, 'ide_process_cpu_seconds_total', 'idle', 'user')).toBe(0);
    expect(valueOf(samples, 'ide_process_resident_memory_bytes', 'idle')).toBeUndefined();
    expect(valuesOf(samples, 'ide_exporter_collector_success').find((s) => s.labels['collector'] === 'process')?.value).toBe(1);
  });

  it('sees resident memory rise when a member allocates and touches 50 MiB', async () => {
    const child = await startChild('memory');
    const before = await waitForCount('memory', 1);
    const rssBefore = valueOf(before, 'ide_process_resident_memory_bytes', 'memory')!;
    expect(rssBefore).toBeGreaterThan(10 * 1024 * 1024); // a node process
    expect(valueOf(before, 'ide_process_threads', 'memory')).toBeGreaterThanOrEqual(2);
    expect(valueOf(before, 'ide_process_open_fds', 'memory')).toBeGreaterThanOrEqual(3);
    expect(Math.abs(valueOf(before, 'ide_process_oldest_start_time_seconds', 'memory')! - Date.now() / 1000)).toBeLessThan(30);

    child.process.stdin!.write('alloc 50\n');
    expect(await child.next()).toBe('ok');
    const rssAfter = valueOf(await scrape(), 'ide_process_resident_memory_bytes', 'memory')!;
    expect(rssAfter - rssBefore).toBeGreaterThan(45 * 1024 * 1024);
  });

  it('counts a restart when a member is killed and replaced, keeping its CPU time', async () => {
    const first = await startChild('restarts');
    const before = await waitForCount('restarts', 1);
    const restartsBefore = valueOf(before, 'ide_process_restarts_total', 'restarts')!;
    const cpuBefore =
      valueOf(before, 'ide_process_cpu_seconds_total', 'restarts', 'user')! + valueOf(before, 'ide_process_cpu_seconds_total', 'restarts', 'system')!;
    expect(cpuBefore).toBeGreaterThan(0); // node's start-up costs CPU

    await stopChild(first.process);
    await startChild('restarts');
    const after = await scrape();
    expect(valueOf(after, 'ide_process_count', 'restarts')).toBe(1);
    expect(valueOf(after, 'ide_process_restarts_total', 'restarts')).toBe(restartsBefore + 1);
    const cpuAfter =
      valueOf(after, 'ide_process_cpu_seconds_total', 'restarts', 'user')! + valueOf(after, 'ide_process_cpu_seconds_total', 'restarts', 'system')!;
    expect(cpuAfter).toBeGreaterThan(cpuBefore);
  });

  it('drops the count to 0 when every member of a group is killed, and keeps its counters', async () => {
    const members = await Promise.all([startChild('pool'), startChild('pool')]);
    const running = await waitForCount('pool', 2);
    const cpu = valueOf(running, 'ide_process_cpu_seconds_total', 'pool', 'user')!;
    await Promise.all(members.map((m) => stopChild(m.process)));
    const after = await scrape();
    expect(valueOf(after, 'ide_process_count', 'pool')).toBe(0);
    expect(valueOf(after, 'ide_process_resident_memory_bytes', 'pool')).toBeUndefined();
    expect(valueOf(after, 'ide_process_cpu_seconds_total', 'pool', 'user')).toBeGreaterThanOrEqual(cpu);
    expect(valueOf(after, 'ide_process_restarts_total', 'pool')).toBe(0);
  });
});
