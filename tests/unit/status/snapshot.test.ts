import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { registryFamilies } from '../../../src/exporter/instrumentation.js';
import { colourOf, severityOf } from '../../../src/status/health.js';
import { RingBuffer } from '../../../src/status/ring-buffer.js';
import { extractSample } from '../../../src/status/sample.js';
import { buildHistory, buildSnapshot, makeEntry, trend, type Entry } from '../../../src/status/snapshot.js';
import { cpuBusy, lspWindows } from '../../../src/status/window.js';
import { DEFAULT_THRESHOLDS } from '../../../src/monitoring/thresholds.js';
import { hostFamilies, lspHistogram } from './support.js';

describe('extractSample', () => {
  it('keeps CPU seconds, the memory ratio and the fullest writable filesystem', () => {
    const s = extractSample(1000, hostFamilies({ busy: 30, idle: 70 }));
    expect(s.cpu?.busy).toBeCloseTo(30);
    expect(s.cpu?.total).toBeCloseTo(100);
    expect(s.memoryUsed).toBeCloseTo(0.6);
    // /media/cd is 100 % full but read-only: ignored, as the alert ignores it.
    expect(s.disk).toEqual({ ratio: 0.92, mountpoint: '/data' });
    expect(s.lsp.size).toBe(0);
  });

  it('leaves out what the scrape does not have', () => {
    const s = extractSample(1000, []);
    expect(s.cpu).toBeUndefined();
    expect(s.memoryUsed).toBeUndefined();
    expect(s.disk).toBeUndefined();
  });

  it('computes CPU busy from deltas between samples', () => {
    const a = extractSample(0, hostFamilies({ busy: 30, idle: 70 }));
    const b = extractSample(1000, hostFamilies({ busy: 31.5, idle: 70.5 }));
    expect(cpuBusy(b, a)).toBeCloseTo(0.75);
    expect(cpuBusy(b, undefined)).toBeNull();
  });
});

describe('LSP windows from the prom-client histogram', () => {
  it('sums servers per method, keeps cancelled requests out of the p95 and counts errors', async () => {
    const registry = new Registry();
    const h = lspHistogram(registry);
    const before = extractSample(0, await registryFamilies(registry));
    for (let i = 0; i < 90; i += 1) h.observe({ server: i % 2 ? 'ts' : 'py', method: 'textDocument/hover', outcome: 'ok' }, 0.02);
    for (let i = 0; i < 10; i += 1) h.observe({ server: 'ts', method: 'textDocument/hover', outcome: 'error' }, 0.4);
    // Cancelled ones are slow by nature (the editor gave up); they must not move the p95.
    for (let i = 0; i < 50; i += 1) h.observe({ server: 'ts', method: 'textDocument/hover', outcome: 'cancelled' }, 9);
    for (let i = 0; i < 5; i += 1) h.observe({ server: 'ts', method: 'textDocument/hover', outcome: 'short_circuited' }, 0);
    const after = extractSample(10_000, await registryFamilies(registry));
    const hover = lspWindows(after, before).get('textDocument/hover')!;
    expect(hover.requests).toBe(155);
    expect(hover.rate).toBeCloseTo(15.5);
    // errors / (all but short-circuited) = 10 / 150.
    expect(hover.errorRatio).toBeCloseTo(10 / 150);
    // 100 served: rank 95 is the 5th of the 10 in (0.25, 0.5].
    expect(hover.p95).toBeCloseTo(0.25 + 0.25 * 0.5, 9);
  });

  it('treats a counter that went down as reset, like rate()', async () => {
    const registry = new Registry();
    const h = lspHistogram(registry);
    for (let i = 0; i < 100; i += 1) h.observe({ server: 'ts', method: 'textDocument/completion', outcome: 'ok' }, 0.2);
    const before = extractSample(0, await registryFamilies(registry));
    h.reset();
    for (let i = 0; i < 4; i += 1) h.observe({ server: 'ts', method: 'textDocument/completion', outcome: 'ok' }, 0.02);
    const after = extractSample(2000, await registryFamilies(registry));
    const w = lspWindows(after, before).get('textDocument/completion')!;
    expect(w.requests).toBe(4);
    expect(w.p95).toBeLessThanOrEqual(0.025);
  });
});

describe('what a sample keeps', () => {
  // The page keeps one sample per second of history (900 by default): what repeats is shared, not copied.
  it('shares one bucket layout between samples, and one empty map for what a scrape lacks', async () => {
    const registry = new Registry();
    const h = lspHistogram(registry);
    h.observe({ server: 'ts', method: 'textDocument/hover', outcome: 'ok' }, 0.02);
    const a = extractSample(0, await registryFamilies(registry));
    h.observe({ server: 'ts', method: 'textDocument/hover', outcome: 'ok' }, 0.3);
    const b = extractSample(1000, await registryFamilies(registry));
    expect(b.lsp.get('textDocument/hover')!.bounds).toBe(a.lsp.get('textDocument/hover')!.bounds);
    expect(Object.isFrozen(a.lsp.get('textDocument/hover')!.bounds)).toBe(true);
    // Counts stay per sample.
    expect(a.lsp.get('textDocument/hover')!.served).not.toEqual(b.lsp.get('textDocument/hover')!.served);
    expect(a.apps.size).toBe(0);
    expect(b.apps).toBe(a.apps);
    expect(b.caches).toBe(a.apps);
  });
});

describe('health colours follow the alert thresholds', () => {
  const cpu = DEFAULT_THRESHOLDS.hostCpuHighUsage.levels; // low 0.9, medium 0.95
  const memory = DEFAULT_THRESHOLDS.hostMemoryHighUsage.levels; // medium 0.9, high 0.95
  it.each([
    ['CPU', cpu, 0.5, null, 'green'],
    ['CPU', cpu, 0.9, null, 'green'], // alerts fire on >, not >=
    ['CPU', cpu, 0.92, 'low', 'yellow'],
    ['CPU', cpu, 0.99, 'medium', 'yellow'],
    ['memory', memory, 0.92, 'medium', 'yellow'],
    ['memory', memory, 0.99, 'high', 'red'],
  ] as const)('%s %s → %s (%s)', (_, levels, value, severity, colour) => {
    expect(severityOf(value, levels)).toBe(severity);
    expect(colourOf(value, severityOf(value, levels))).toBe(colour);
  });

  it('greys out a missing value', () => {
    expect(colourOf(null, null)).toBe('grey');
  });
});

describe('snapshot and history', () => {
  async function filledRing() {
    const registry = new Registry();
    const h = lspHistogram(registry);
    const ring = new RingBuffer<Entry>(900);
    // 3 minutes at 1 s: completion gets slower in the last minute, with errors.
    for (let t = 0; t <= 180; t += 1) {
      const slow = t > 120;
      for (let i = 0; i < 10; i += 1)
        h.observe({ server: 'ts', method: 'textDocument/completion', outcome: slow && i === 0 ? 'error' : 'ok' }, slow ? 0.8 : 0.1);
      const families = [...hostFamilies({ busy: t * 1.94, idle: t * 0.06 }), ...(await registryFamilies(registry))];
      ring.push(makeEntry(extractSample(t * 1000, families), ring));
    }
    return ring;
  }

  it('builds bars, the operations table with trend, and the alerts block', async () => {
    const ring = await filledRing();
    const alerts = {
      summary: () => ({
        counts: { critical: 1, page: 1 },
        items: [
          { fingerprint: 'a', alertname: 'IdeHostCpuHighUsage', severity: 'critical', summary: 'CPU usage is high.', startsAt: '2026-01-01T00:00:00Z' },
          {
            fingerprint: 'b',
            alertname: 'Custom',
            severity: 'page',
            summary: 'x',
            startsAt: '2026-01-01T00:00:00Z',
            acknowledged: { by: 'alice', at: '2026-01-01T00:10:00Z' },
          },
        ],
      }),
    };
    const s = buildSnapshot(7, ring, 1000, alerts);
    expect(s.seq).toBe(7);
    expect(s.health.cpu.value).toBeCloseTo(0.97);
    expect(s.health.cpu).toMatchObject({ severity: 'medium', colour: 'yellow' });
    expect(s.health.memory).toMatchObject({ colour: 'green' });
    // 92 % full is under IdeHostFilesystemAlmostFull's lowest level (95 %, node-mixin's 5 % available).
    expect(s.health.disk).toMatchObject({ value: 0.92, severity: null, colour: 'green', detail: 'fullest: /data' });
    // completion p95 over the last minute sits in (0.5, 1]: above its 0.5 s budget; 10 % errors is not > 10 %.
    expect(s.health.lsp.colour).toBe('yellow');
    expect(s.health.lsp.value).toBeGreaterThan(1);
    const [row] = s.operations;
    expect(row).toMatchObject({ method: 'textDocument/completion', trend: 'up', slow: true, failing: false });
    expect(row!.rate).toBeCloseTo(10);
    expect(row!.errorRatio).toBeCloseTo(0.1);
    expect(row!.previousP95).toBeCloseTo(0.1 * 0.95, 2);
    expect(s.alerts).toMatchObject({ enabled: true, counts: { critical: 1, high: 0, medium: 0, low: 0, other: 1 } });
    expect(s.alerts.items.map((a) => a.alertname)).toEqual(['IdeHostCpuHighUsage', 'Custom']);
    // The acknowledged state passes through when the bridge gives it.
    expect(s.alerts.items.map((a) => a.acknowledged)).toEqual([null, { by: 'alice', at: '2026-01-01T00:10:00Z' }]);
  });

  it('says the bridge is disabled when there is no alerts view', async () => {
    const s = buildSnapshot(1, await filledRing(), 1000, undefined);
    expect(s.alerts.enabled).toBe(false);
  });

  it('serves history as columns for the requested range', async () => {
    const ring = await filledRing();
    const h = buildHistory(ring, 60_000, 1000);
    expect(h.t).toHaveLength(61);
    expect(h.t[0]).toBe(120_000);
    expect(h.cpu).toHaveLength(61);
    expect(h.cpu[60]).toBeCloseTo(0.97);
    expect(Object.keys(h.lsp)).toEqual(['textDocument/completion']);
    // The chart's 15 s window: slow from t=121 on, so by t=180 every recent request is 0.8 s.
    expect(h.lsp['textDocument/completion']![60]).toBeGreaterThan(0.5);
    expect(h.lsp['textDocument/completion']![0]).toBeLessThan(0.25);
  });

  it('calls a p95 change of 10 % or under 1 ms flat', () => {
    expect(trend(0.105, 0.1)).toBe('flat');
    expect(trend(0.0015, 0.001)).toBe('flat');
    expect(trend(0.2, 0.1)).toBe('up');
    expect(trend(0.05, 0.1)).toBe('down');
    expect(trend(null, 0.1)).toBeNull();
  });
});
