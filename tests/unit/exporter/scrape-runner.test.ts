import { describe, expect, it } from 'vitest';
import { ScrapeRunner, type Collector } from '../../../src/exporter/collector.js';
import { gauge, sample, type MetricFamily } from '../../../src/exporter/metric-family.js';
import { DEFAULT_HOST_PATHS } from '../../../src/exporter/procfs.js';
import { pino } from 'pino';

function collector(name: string, collect: Collector['collect']): Collector {
  return { name, collect };
}

const ok = (name: string, value: number) => collector(name, async () => [gauge(`ide_test_${name}`, 'Test.', [sample(value)])]);

function runner(collectors: Collector[], timeoutMs = 200, lines: string[] = []) {
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
  return new ScrapeRunner(collectors, { timeoutMs, paths: DEFAULT_HOST_PATHS, logger });
}

function byName(families: MetricFamily[], name: string) {
  return families.find((f) => f.name === name)?.samples.map((s) => [s.labels['collector'], s.value]);
}

describe('ScrapeRunner', () => {
  it("emits every collector's families plus its duration and success", async () => {
    const families = await runner([ok('a', 1), ok('b', 2)]).scrape();
    expect(families.map((f) => f.name)).toEqual(['ide_test_a', 'ide_test_b', 'ide_exporter_collector_duration_seconds', 'ide_exporter_collector_success']);
    expect(byName(families, 'ide_exporter_collector_success')).toEqual([
      ['a', 1],
      ['b', 1],
    ]);
    for (const [, seconds] of byName(families, 'ide_exporter_collector_duration_seconds') ?? []) expect(seconds).toBeGreaterThanOrEqual(0);
  });

  it('isolates a failing collector: its success is 0, the others still report', async () => {
    const broken = collector('broken', async () => {
      throw new Error('boom');
    });
    const families = await runner([ok('a', 1), broken]).scrape();
    expect(families.some((f) => f.name === 'ide_test_a')).toBe(true);
    expect(byName(families, 'ide_exporter_collector_success')).toEqual([
      ['a', 1],
      ['broken', 0],
    ]);
  });

  it('times out a slow collector and aborts its signal, without delaying the scrape past the timeout', async () => {
    let aborted = false;
    const slow = collector('slow', (ctx) => {
      ctx.signal.addEventListener('abort', () => (aborted = true));
      return new Promise(() => {});
    });
    const started = Date.now();
    const families = await runner([ok('a', 1), slow], 100).scrape();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(aborted).toBe(true);
    expect(byName(families, 'ide_exporter_collector_success')).toEqual([
      ['a', 1],
      ['slow', 0],
    ]);
  });

  it('logs a failure once, not on every scrape, and logs the recovery', async () => {
    let fail = true;
    const flaky = collector('flaky', async () => {
      if (fail) throw new Error('nope');
      return [];
    });
    const lines: string[] = [];
    const r = runner([flaky], 200, lines);
    await r.scrape();
    await r.scrape();
    fail = false;
    await r.scrape();
    const messages = lines.map((l) => (JSON.parse(l) as { msg: string }).msg);
    expect(messages).toEqual(['collector failed; its metrics are missing until it recovers', 'collector recovered']);
  });

  it('treats a collector that finds nothing as a success', async () => {
    const empty = collector('empty', async () => []);
    const families = await runner([empty]).scrape();
    expect(byName(families, 'ide_exporter_collector_success')).toEqual([['empty', 1]]);
  });

  it('gives every scrape a fresh file reader, so nothing is served stale', async () => {
    const readers = new Set<unknown>();
    const spy = collector('spy', async (ctx) => {
      readers.add(ctx.files);
      return [];
    });
    const r = runner([spy]);
    await r.scrape();
    await r.scrape();
    expect(readers.size).toBe(2);
  });
});
