import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { registryFamilies } from '../../../src/exporter/instrumentation.js';
import { counter, gauge, sample, type MetricFamily } from '../../../src/exporter/metric-family.js';
import { RingBuffer } from '../../../src/status/ring-buffer.js';
import { extractSample } from '../../../src/status/sample.js';
import { buildSnapshot, makeEntry, type Entry } from '../../../src/status/snapshot.js';

/** The process collector's families for one group. */
function processFamilies(group: string, p: { count: number; rss: number; user: number; system: number; restarts: number }): MetricFamily[] {
  return [
    gauge('ide_process_count', 'c', [sample(p.count, { group })]),
    gauge('ide_process_resident_memory_bytes', 'r', [sample(p.rss, { group })]),
    counter('ide_process_cpu_seconds_total', 'cpu', [sample(p.user, { group, mode: 'user' }), sample(p.system, { group, mode: 'system' })]),
    counter('ide_process_restarts_total', 'r', [sample(p.restarts, { group })]),
  ];
}

describe('the status page panels from one minute of samples', () => {
  it('application operations, caches, process groups and language servers, as windows over the last minute', async () => {
    const registry = new Registry();
    const ops = new Histogram({
      name: 'ide_app_operation_duration_seconds',
      help: 'h',
      labelNames: ['operation', 'outcome'],
      buckets: [0.01, 0.05, 0.1, 1],
      registers: [registry],
    });
    const caches = new Counter({ name: 'ide_app_cache_requests_total', help: 'c', labelNames: ['cache', 'result'], registers: [registry] });
    const starts = new Counter({ name: 'ide_lsp_server_starts_total', help: 's', labelNames: ['server'], registers: [registry] });
    // Before the window: history the last-minute figures must leave out (but "since start" keeps).
    ops.observe({ operation: 'index', outcome: 'ok' }, 0.5);
    caches.inc({ cache: 'symbols', result: 'miss' }, 10);
    starts.inc({ server: 'rust' });
    const ring = new RingBuffer<Entry>(100);
    const push = async (t: number, procs: Parameters<typeof processFamilies>[1]) =>
      ring.push(makeEntry(extractSample(t, [...processFamilies('rust', procs), ...(await registryFamilies(registry))]), ring));
    await push(0, { count: 1, rss: 100 * 2 ** 20, user: 10, system: 5, restarts: 0 });
    for (let i = 0; i < 60; i += 1) ops.observe({ operation: 'index', outcome: i < 6 ? 'error' : 'ok' }, 0.03);
    caches.inc({ cache: 'symbols', result: 'hit' }, 30);
    caches.inc({ cache: 'symbols', result: 'miss' }, 10);
    starts.inc({ server: 'rust' });
    await push(60_000, { count: 2, rss: 300 * 2 ** 20, user: 40, system: 5, restarts: 1 });

    const s = buildSnapshot(1, ring, 1000, undefined);
    expect(s.applications).toHaveLength(1);
    expect(s.applications[0]).toMatchObject({ operation: 'index', rate: 1, errorRatio: 0.1 });
    // 60 in (10 ms, 50 ms]: rank 57 of 60 interpolates to 0.01 + 0.04 × 57/60.
    expect(s.applications[0]!.p95).toBeCloseTo(0.01 + 0.04 * 0.95, 9);
    expect(s.caches).toEqual([{ cache: 'symbols', hitRatio: 0.75, rate: 40 / 60, lifetimeHitRatio: 30 / 50 }]);
    // 30 CPU seconds in 60 s: half a core; one restart within the minute.
    expect(s.processes).toEqual([{ group: 'rust', count: 2, residentBytes: 300 * 2 ** 20, cpuCores: 0.5, restarts: 1, recentRestarts: 1 }]);
    // The server's memory is its same-named process group's.
    expect(s.servers).toEqual([{ server: 'rust', up: null, starts: 2, exits: 0, residentBytes: 300 * 2 ** 20 }]);
  });

  it('says "collector off" (null) without process families, and shows empty panels before any report', () => {
    const ring = new RingBuffer<Entry>(10);
    ring.push(makeEntry(extractSample(0, []), ring));
    const s = buildSnapshot(1, ring, 1000, undefined);
    expect([s.applications, s.caches, s.processes, s.servers]).toEqual([[], [], null, []]);
  });
});
