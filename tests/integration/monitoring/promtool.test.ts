import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { dump } from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, resolveConfig, type MonitoringConfig } from '../../../src/monitoring/config.js';
import { dashboards } from '../../../src/monitoring/dashboards/index.js';
import { runGenerate } from '../../../src/monitoring/generate.js';
import { renderAll } from '../../../src/monitoring/render/index.js';
import { ruleAreas } from '../../../src/monitoring/rules/index.js';
import { requireBinary } from '../../support/binaries.js';

const promtool = requireBinary('promtool', 'prometheus');
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

interface Run {
  code: number;
  output: string;
}

async function run(args: string[], cwd = repo): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)(promtool ?? 'promtool', args, { cwd, maxBuffer: 16 << 20 });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ide-monitor-promtool-'));
  dirs.push(dir);
  return dir;
}

describe.skipIf(promtool === undefined)('promtool', () => {
  const areas = ruleAreas(DEFAULT_CONFIG);

  // An empty or truncated file also says SUCCESS: the count is what proves the rules are all there.
  it.each(areas.map((a) => [a.file, a.recording.length + a.alerts.length] as const))(
    'check rules prometheus/rules/%s.yml finds %i rules',
    async (file, count) => {
      const result = await run(['check', 'rules', `prometheus/rules/${file}.yml`]);
      expect(result.output).toContain(`SUCCESS: ${count} rules found`);
      expect(result.code).toBe(0);
    },
  );

  it('check config accepts prometheus/prometheus.yml and loads every rules file', async () => {
    const result = await run(['check', 'config', 'prometheus/prometheus.yml']);
    expect(result.output).toContain(`SUCCESS: ${areas.length} rule files found`);
    expect(result.code).toBe(0);
  });

  it('test rules passes for every test file', async () => {
    const files = readdirSync(join(repo, 'prometheus/tests')).filter((f) => f.endsWith('.yml'));
    expect(files.length).toBeGreaterThan(0);
    // One promtool per file, concurrently: the week-long scenario dominates and the rest hide behind it.
    const results = await Promise.all(files.map((f) => run(['test', 'rules', `prometheus/tests/${f}`])));
    results.forEach((result, i) => expect(result.code, `${files[i]}:\n${result.output}`).toBe(0));
  });

  it('accepts the test profile\u2019s rules', async () => {
    const dir = tempDir();
    expect(await runGenerate({ outDir: dir, check: false, profile: 'test', warn: () => {} }, () => {})).toBe(0);
    for (const area of areas) {
      const result = await run(['check', 'rules', join(dir, 'prometheus/rules', `${area.file}.yml`)]);
      expect(result.output).toContain(`SUCCESS: ${area.recording.length + area.alerts.length} rules found`);
    }
  });

  // lezer's grammar is a port; Prometheus' own parser has the last word on every dashboard query.
  it('parses every dashboard query with Prometheus\u2019 own parser', async () => {
    await parsesDashboardQueries(DEFAULT_CONFIG);
  });
});

/**
 * `hostMetrics: node_exporter`: the same promtool scenarios, fed node_exporter's series (job="node"). The
 * test files whose scenarios read no host series must come out byte for byte as the checked-in ones.
 */
describe.skipIf(promtool === undefined)('promtool, node_exporter mode', () => {
  const config = resolveConfig({ hostMetrics: 'node_exporter' }, 'node-exporter.yml');
  const areas = ruleAreas(config);
  const dir = tempDir();
  const files = renderAll(config, { tests: true });
  for (const [path, text] of files) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const HOST_TESTS = ['host', 'predictive', 'clusters'];

  it.each(areas.map((a) => [a.file, a.recording.length + a.alerts.length] as const))(
    'check rules prometheus/rules/%s.yml finds %i rules',
    async (file, count) => {
      const result = await run(['check', 'rules', join(dir, `prometheus/rules/${file}.yml`)]);
      expect(result.output).toContain(`SUCCESS: ${count} rules found`);
      expect(result.code).toBe(0);
    },
  );

  it('test rules passes for the host scenarios on node_* series', async () => {
    const results = await Promise.all(HOST_TESTS.map((f) => run(['test', 'rules', `prometheus/tests/${f}.yml`], dir)));
    results.forEach((result, i) => {
      expect(result.code, `${HOST_TESTS[i]}:\n${result.output}`).toBe(0);
      expect(result.output).toContain('SUCCESS');
    });
    for (const f of HOST_TESTS) expect(readFileSync(join(dir, `prometheus/tests/${f}.yml`), 'utf8')).toContain('node_');
  });

  it('leaves the other test files as they are checked in', () => {
    const others = [...files.keys()].filter((p) => p.startsWith('prometheus/tests/') && !HOST_TESTS.some((f) => p.endsWith(`/${f}.yml`)));
    expect(others.length).toBeGreaterThan(0);
    for (const path of others) expect(files.get(path), path).toBe(readFileSync(join(repo, path), 'utf8'));
  });

  it('parses every dashboard query with Prometheus\u2019 own parser', async () => {
    await parsesDashboardQueries(config);
  });
});

async function parsesDashboardQueries(config: MonitoringConfig): Promise<void> {
  const exprs = dashboards(config).flatMap(
    ({ dashboard }) =>
      JSON.stringify(dashboard)
        .match(/"expr":"(?:[^"\\]|\\.)*"/g)
        ?.map((m) => JSON.parse(m.slice(7)) as string) ?? [],
  );
  expect(exprs.length).toBeGreaterThan(100);
  const rules = exprs.map((expr, i) => ({ record: `dashboard:query_${i}:check`, expr: expr.replaceAll('$__rate_interval', '1m') }));
  const file = join(tempDir(), 'dashboard-queries.yml');
  writeFileSync(file, dump({ groups: [{ name: 'dashboard-queries', rules }] }, { lineWidth: -1 }));
  const result = await run(['check', 'rules', file]);
  expect(result.output).toContain(`SUCCESS: ${rules.length} rules found`);
}
