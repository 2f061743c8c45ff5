import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bridgeWarnings, loadRuleAlerts } from '../../../src/bridge/config-check.js';
import { resolveServeConfig } from '../../../src/commands/serve.js';

const EXAMPLES = fileURLToPath(new URL('../../../examples/actions/', import.meta.url));
const RULES = fileURLToPath(new URL('../../../prometheus/rules/', import.meta.url));

describe('the example actions', () => {
  const rules = loadRuleAlerts(RULES);
  it.each(readdirSync(EXAMPLES).filter((f) => f.endsWith('.yml')))('%s: every action can fire with the shipped rules and routes', (file) => {
    const resolved = resolveServeConfig([`--config.file=${EXAMPLES}${file}`], {});
    if (resolved.help) throw new Error('unreachable');
    const actionWarnings = bridgeWarnings(resolved.config.bridge, rules).filter((w) => w.startsWith('bridge.actions'));
    expect(actionWarnings).toEqual([]);
  });

  it('warn when an action matches a severity its alert never has', () => {
    const resolved = resolveServeConfig([`--config.file=${EXAMPLES}scale-resources.yml`], {});
    if (resolved.help) throw new Error('unreachable');
    const [definition] = resolved.config.bridge.actions.definitions;
    const broken = {
      ...resolved.config.bridge,
      actions: { ...resolved.config.bridge.actions, definitions: [{ ...definition!, match: { alertname: 'IdeHostCpuHighUsage', severity: 'critical' } }] },
    };
    expect(bridgeWarnings(broken, rules)).toEqual([expect.stringContaining('bridge.actions scale-ide-backend: no alerting rule can trigger it')]);
  });
});
