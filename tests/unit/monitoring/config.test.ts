import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/problems.js';
import { DEFAULT_CONFIG, loadMonitoringConfig, monitoringConfigSchema, TEST_PROFILE_FOR } from '../../../src/monitoring/config.js';

const dir = mkdtempSync(join(tmpdir(), 'ide-monitor-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function errorOf(path: string): string {
  let error: unknown;
  try {
    loadMonitoringConfig(path);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ConfigError);
  return (error as Error).message;
}

describe('monitoring config', () => {
  it('has valid defaults', () => {
    expect(monitoringConfigSchema.parse(DEFAULT_CONFIG)).toEqual(DEFAULT_CONFIG);
  });

  it('merges a _config override into the defaults, replacing lists', async () => {
    const path = file(
      'override.yml',
      [
        '_config:',
        '  grafanaUrl: https://grafana.example.com',
        '  thresholds:',
        '    hostCpuHighUsage:',
        '      levels: [{ severity: critical, value: 0.97, for: 10m }]',
        '    lspLatencyBudgets:',
        '      textDocument/codeAction: { levels: [{ severity: low, value: 1, for: 10m }] }',
      ].join('\n'),
    );
    const config = loadMonitoringConfig(path);
    expect(config.grafanaUrl).toBe('https://grafana.example.com');
    expect(config.thresholds.hostCpuHighUsage.levels).toEqual([{ severity: 'critical', value: 0.97, for: '10m' }]);
    expect(config.thresholds.hostMemoryHighUsage).toEqual(DEFAULT_CONFIG.thresholds.hostMemoryHighUsage);
    expect(Object.keys(config.thresholds.lspLatencyBudgets)).toContain('textDocument/completion');
    expect(Object.keys(config.thresholds.lspLatencyBudgets)).toContain('textDocument/codeAction');
  });

  it('accepts an empty file', async () => {
    expect(loadMonitoringConfig(file('empty.yml', '# nothing to override\n'))).toEqual(DEFAULT_CONFIG);
    expect(loadMonitoringConfig(file('empty-config.yml', '_config:\n'))).toEqual(DEFAULT_CONFIG);
  });

  it('names the file and the path of a wrong value', async () => {
    const path = file('bad-value.yml', '_config:\n  thresholds:\n    hostCpuHighUsage:\n      levels: [{ severity: critical, value: high, for: 5m }]\n');
    expect(errorOf(path)).toMatch(new RegExp(`^${path}:4 _config\\.thresholds\\.hostCpuHighUsage\\.levels\\.0\\.value: .*number`));
  });

  it('rejects unknown keys, bad durations, bad severities and duplicate levels', async () => {
    const message = errorOf(
      file(
        'bad-many.yml',
        [
          '_config:',
          '  thresholds:',
          '    hostCpuHighUsge: {}',
          '    hostMemoryHighUsage:',
          '      levels: [{ severity: urgent, value: 0.9, for: 5 minutes }]',
        ].join('\n'),
      ),
    );
    expect(message).toContain('bad-many.yml:3 _config.thresholds.hostCpuHighUsge: unknown setting');
    expect(message).toContain('bad-many.yml:5 _config.thresholds.hostMemoryHighUsage.levels.0.severity: ');
    expect(message).toContain('bad-many.yml:5 _config.thresholds.hostMemoryHighUsage.levels.0.for: expected a Prometheus duration');
    const duplicate = file(
      'duplicate.yml',
      '_config:\n  thresholds:\n    hostLoadHigh:\n      levels: [{ severity: high, value: 2, for: 5m }, { severity: high, value: 3, for: 5m }]\n',
    );
    expect(errorOf(duplicate)).toContain('_config.thresholds.hostLoadHigh.levels: each severity may appear once');
  });

  it('rejects a file without _config at the top', async () => {
    expect(errorOf(file('no-config.yml', 'thresholds: {}\n'))).toMatch(/no-config\.yml:1 thresholds: unknown setting/);
  });

  it('reports invalid YAML and a missing file with the file name', async () => {
    expect(errorOf(file('broken.yml', '_config: [\n'))).toMatch(/broken\.yml:\d+: YAML syntax error/);
    expect(errorOf(file('two.yml', '_config: {}\n---\n_config: {}\n'))).toMatch(/two\.yml: expected one YAML document, found 2/);
    expect(errorOf(join(dir, 'absent.yml'))).toMatch(/absent\.yml: cannot read/);
  });

  it('shortens every for, minAge and minHistory in the test profile, and nothing else', async () => {
    const config = loadMonitoringConfig(undefined, 'test');
    const fors = JSON.stringify(config.thresholds).match(/"for":"[^"]+"/g) ?? [];
    expect(fors.length).toBeGreaterThan(30);
    expect(new Set(fors)).toEqual(new Set([`"for":"${TEST_PROFILE_FOR}"`]));
    expect(config.thresholds.hostFilesystemFillingUp.window).toBe(DEFAULT_CONFIG.thresholds.hostFilesystemFillingUp.window);
    // Minimum ages and histories hold an alert back as `for` does: an end-to-end test cannot wait an hour.
    expect(config.thresholds.processMemoryLeak.minAge).toBe(TEST_PROFILE_FOR);
    expect(config.thresholds.lspLatencyAnomaly.minHistory).toBe(TEST_PROFILE_FOR);
  });
});

describe('docs/generate.md', () => {
  const doc = readFileSync(fileURLToPath(new URL('../../../docs/generate.md', import.meta.url)), 'utf8');
  /** Every key a user can set: the members of the nested mappings (thresholds by name, and as a whole). */
  const keys = [
    'thresholds',
    ...Object.entries(DEFAULT_CONFIG).flatMap(([key, value]) =>
      typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.keys(value).map((k) => `${key}.${k}`) : [key],
    ),
  ];

  it.each(keys)('documents _config.%s', (key) => {
    expect(doc).toMatch(new RegExp(`^\\| \`${key.replace(/\./g, '\\.')}\` \\|`, 'm'));
  });

  it('documents nothing that does not exist', () => {
    const documented = [...doc.matchAll(/^\| `([\w.]+)` \|/gm)].map((m) => m[1]);
    expect(documented.filter((k) => !keys.includes(k ?? ''))).toEqual([]);
  });
});
