import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { createAccessGuard } from '../../../src/access/create.js';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../../src/config/schema.js';
import { ScrapeRunner, type Collector } from '../../../src/exporter/collector.js';
import type { MetricFamily } from '../../../src/exporter/metric-family.js';
import type { Snapshot } from '../../../src/status/snapshot.js';
import { silentLogger } from '../../../src/log.js';
import { createStatusFeature } from '../../../src/status/feature.js';
import { hostFamilies } from './support.js';

/** A collector named like a real one that records each run and emits its part of `hostFamilies`. */
function recording(name: string, runs: string[], families: (n: number) => MetricFamily[] = () => []): Collector {
  let n = 0;
  return {
    name,
    async collect() {
      runs.push(name);
      n += 1;
      return families(n);
    },
  };
}

describe('status sampler as serve wires it', () => {
  it('runs only the collectors the page reads, not the whole /metrics set, every tick; the process scan at most every 10 s', async () => {
    const config = configSchema.parse({});
    const runs: string[] = [];
    const host = (prefix: string) => (n: number) => hostFamilies({ busy: n * 0.5, idle: n * 1.5 }).filter((f) => f.name.startsWith(prefix));
    const collectors = [
      recording('cpu', runs, host('ide_host_cpu_')),
      recording('load', runs),
      recording('memory', runs, host('ide_host_memory_')),
      recording('filesystem', runs, host('ide_host_filesystem_')),
      recording('network', runs),
      recording('process', runs),
    ];
    const runner = new ScrapeRunner(collectors, { timeoutMs: 1000, paths: config.paths, logger: silentLogger });
    const registry = new Registry();
    const feature = createStatusFeature({
      config,
      registry,
      access: createAccessGuard(
        () => config,
        () => ({ headers: {} }),
        registry,
        silentLogger,
      ),
      build: { version: '9.9.9', revision: 'abc123', nodeVersion: process.version },
      logger: silentLogger,
      runner,
    });
    expect(await feature.sampler.tick()).toBe(true);
    expect(await feature.sampler.tick()).toBe(true);
    // Two ticks within 10 s: the host collectors twice, the process-group scan once (its result reused).
    expect(runs.sort()).toEqual(['cpu', 'cpu', 'filesystem', 'filesystem', 'memory', 'memory', 'process']);
    // What the page shows still comes from those three: 25 % busy, 60 % memory, /data the fullest disk.
    const snapshot = JSON.parse(feature.update().json) as Snapshot;
    expect(snapshot.health.cpu.value).toBeCloseTo(0.25);
    expect(snapshot.health.memory.value).toBeCloseTo(0.6);
    expect(snapshot.health.disk.detail).toBe('fullest: /data');
    // /metrics itself still runs every collector.
    runs.length = 0;
    await runner.scrape();
    expect(runs.sort()).toEqual(['cpu', 'filesystem', 'load', 'memory', 'network', 'process']);
  });

  it('colours the bars by the thresholds of the generate config file it is given, and follows a reload', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ide-monitor-status-thresholds-'));
    const file = join(dir, 'monitoring.yml');
    writeFileSync(file, '_config:\n  thresholds:\n    hostCpuHighUsage:\n      levels: [{ severity: high, value: 0.2, for: 5m }]\n');
    const runs: string[] = [];
    const cpu = recording('cpu', runs, (n) => hostFamilies({ busy: n * 0.5, idle: n * 1.5 }).filter((f) => f.name.startsWith('ide_host_cpu_')));
    const config = configSchema.parse({ status: { monitoring_config_file: file } });
    const runner = new ScrapeRunner([cpu], { timeoutMs: 1000, paths: config.paths, logger: silentLogger });
    const feature = createStatusFeature({
      config,
      registry: new Registry(),
      build: { version: '1', revision: 'r', nodeVersion: process.version },
      logger: silentLogger,
      runner,
    });
    await feature.sampler.tick();
    await feature.sampler.tick();
    // 25 % busy: green by the defaults (75 % is their lowest level), red by this file's 20 % high level.
    const bar = () => (JSON.parse(feature.update().json) as Snapshot).health.cpu;
    expect(bar()).toMatchObject({ colour: 'red', severity: 'high', marks: [{ severity: 'high', value: 0.2 }] });
    // The public view is the same snapshot with details left out: the same thresholds colour it.
    expect((JSON.parse(feature.publicUpdate().json) as Snapshot).health.cpu).toMatchObject({ colour: 'red', severity: 'high', detail: '' });
    feature.reload!(configSchema.parse({}));
    await feature.sampler.tick();
    expect(bar()).toMatchObject({ colour: 'green', severity: null });
  });
});
