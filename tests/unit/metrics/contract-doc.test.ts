import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readMetricContract } from '../../support/metric-contract.js';

const SCRIPT = fileURLToPath(new URL('../../../scripts/metrics-doc.mjs', import.meta.url));

describe('the metric contract (src/metrics/contract.json)', () => {
  it('is well formed: unique ide_* names, a known type, labels and help for each', () => {
    const metrics = readMetricContract();
    expect(metrics.length).toBeGreaterThan(50);
    expect(new Set(metrics.map((m) => m.name)).size).toBe(metrics.length);
    for (const m of metrics) {
      expect(m.name, m.name).toMatch(/^ide_[a-z0-9_]+$/);
      expect(['counter', 'gauge', 'histogram', 'summary'], m.name).toContain(m.type);
      expect(m.help.length, m.name).toBeGreaterThan(10);
      for (const label of m.labels) expect(label, m.name).toMatch(/^[a-z_][a-z0-9_]*$/);
      if (m.type === 'counter') expect(m.name, 'counters end in _total').toMatch(/_total$/);
      // Prometheus' naming convention: the unit is the name's suffix (before _total).
      if (m.unit !== '') expect(m.name, m.name).toMatch(new RegExp(`_${m.unit}(_total)?$`));
    }
  });

  it('is what docs/metrics.md shows (node scripts/metrics-doc.mjs regenerates it)', () => {
    const check = spawnSync(process.execPath, [SCRIPT, '--check'], { encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });
});
