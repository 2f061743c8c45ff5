import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, resolveConfig } from '../../../src/monitoring/config.js';
import { seconds } from '../../../src/monitoring/promql.js';
import { identityLabels, renderAlertmanagerConfig, SEVERITY_TIMING } from '../../../src/monitoring/render/alertmanager.js';
import { ruleAreas } from '../../../src/monitoring/rules/index.js';
import { SEVERITIES } from '../../../src/monitoring/thresholds.js';

interface Route {
  readonly receiver: string;
  readonly matchers?: string[];
  readonly group_by?: string[];
  readonly group_wait: string;
  readonly group_interval: string;
  readonly repeat_interval: string;
  readonly routes?: Route[];
}
interface Inhibit {
  readonly source_matchers: string[];
  readonly target_matchers: string[];
  readonly equal: string[];
}
interface AmConfig {
  readonly route: Route;
  readonly inhibit_rules: Inhibit[];
  readonly receivers: { name: string; webhook_configs: { url: string; send_resolved: boolean; http_config: { authorization: Record<string, string> } }[] }[];
}

const areas = ruleAreas(DEFAULT_CONFIG);
const render = (config = DEFAULT_CONFIG) => load(renderAlertmanagerConfig(config, ruleAreas(config))) as AmConfig;

/** Alertmanager's matcher semantics for the two forms the generator writes: `l="v"` and anchored `l=~"re"`. */
function matches(matcher: string, labels: Record<string, string>): boolean {
  const m = /^(\w+)(=~|=)"(.*)"$/.exec(matcher);
  if (m === null) throw new Error(`unexpected matcher ${matcher}`);
  const value = labels[m[1]!] ?? '';
  return m[2] === '=' ? value === m[3] : new RegExp(`^(?:${m[3]})$`).test(value);
}
function inhibited(rules: readonly Inhibit[], target: Record<string, string>, firing: readonly Record<string, string>[]): boolean {
  return rules.some(
    (rule) =>
      rule.target_matchers.every((m) => matches(m, target)) &&
      firing.some(
        (source) =>
          source !== target && rule.source_matchers.every((m) => matches(m, source)) && rule.equal.every((l) => (source[l] ?? '') === (target[l] ?? '')),
      ),
  );
}

describe('alertmanager/alertmanager.yml', () => {
  it('routes every severity of thresholds.ts to the bridge, the more severe the sooner', () => {
    const { route } = render();
    expect(route.receiver).toBe('ide-monitor');
    expect(route.group_by).toEqual(['alertname', 'cluster', 'job', 'instance']);
    expect(route.routes?.map((r) => r.matchers)).toEqual(SEVERITIES.map((s) => [`severity="${s}"`]));
    for (const r of route.routes ?? []) expect(r.receiver).toBe('ide-monitor');
    const waits = (route.routes ?? []).map((r) => seconds(r.group_wait));
    const repeats = (route.routes ?? []).map((r) => seconds(r.repeat_interval));
    expect(waits).toEqual([...waits].sort((a, b) => a - b));
    expect(repeats).toEqual([...repeats].sort((a, b) => a - b));
    expect(route.routes?.[0]).toMatchObject(SEVERITY_TIMING.critical);
  });

  it('sends resolved notifications to the bridge webhook with a bearer token from a file', () => {
    const [receiver, ...others] = render().receivers;
    expect(others).toEqual([]);
    expect(receiver?.webhook_configs).toEqual([
      {
        url: 'http://ide-monitor:10451/api/v1/alertmanager/webhook',
        send_resolved: true,
        max_alerts: 0,
        http_config: { authorization: { type: 'Bearer', credentials_file: '/run/secrets/ide-monitor-webhook-token' } },
      },
    ]);
  });

  it('inhibits each lower severity of the same alert and instance, and never a higher one', () => {
    const rules = render().inhibit_rules;
    const alert = (severity: string, extra: Record<string, string> = {}) => ({
      alertname: 'IdeHostCpuHighUsage',
      job: 'ide-monitor',
      instance: 'a:10451',
      severity,
      ...extra,
    });
    for (const [i, higher] of SEVERITIES.entries()) {
      for (const lower of SEVERITIES.slice(i + 1)) {
        expect(inhibited(rules, alert(lower), [alert(higher)]), `${higher} inhibits ${lower}`).toBe(true);
        expect(inhibited(rules, alert(higher), [alert(lower)]), `${lower} must not inhibit ${higher}`).toBe(false);
      }
    }
    expect(inhibited(rules, alert('high'), [alert('critical', { instance: 'b:10451' })])).toBe(false);
    expect(inhibited(rules, alert('high'), [{ ...alert('critical'), alertname: 'IdeHostMemoryHighUsage' }])).toBe(false);
  });

  it('keeps alerts that differ in a label their description names apart (mountpoint, server, method, …)', () => {
    const equal = identityLabels(areas, DEFAULT_CONFIG.clusterLabel);
    expect(equal).toContain(DEFAULT_CONFIG.clusterLabel);
    const described = new Set(
      areas.flatMap((a) => a.alerts.flatMap(({ rule }) => [...rule.annotations.description.matchAll(/\$labels\.(\w+)/g)].map((m) => m[1]!))),
    );
    expect(described.has('mountpoint') && described.has('server')).toBe(true);
    for (const label of described) expect(equal, label).toContain(label);
    const rules = render().inhibit_rules;
    for (const rule of rules) expect(rule.equal).toEqual(equal);
    const disk = (severity: string, mountpoint: string) => ({ alertname: 'IdeHostFilesystemAlmostFull', instance: 'a', severity, mountpoint });
    expect(inhibited(rules, disk('high', '/home'), [disk('critical', '/')])).toBe(false);
    expect(inhibited(rules, disk('high', '/'), [disk('critical', '/')])).toBe(true);
    // Two clusters may reuse an instance address; one cluster's critical must not hide the other's high.
    expect(inhibited(rules, { ...disk('high', '/'), cluster: 'b' }, [{ ...disk('critical', '/'), cluster: 'a' }])).toBe(false);
  });

  it('follows _config overrides for the webhook, credentials file and grouping', () => {
    const config = resolveConfig(
      { alertmanager: { webhookUrl: 'https://bridge.example.com/api/v1/alertmanager/webhook', credentialsFile: '/etc/am/token', groupBy: ['alertname'] } },
      'test.yml',
    );
    const rendered = render(config);
    expect(rendered.route.group_by).toEqual(['alertname']);
    expect(rendered.receivers[0]?.webhook_configs[0]?.url).toBe('https://bridge.example.com/api/v1/alertmanager/webhook');
    expect(rendered.receivers[0]?.webhook_configs[0]?.http_config.authorization['credentials_file']).toBe('/etc/am/token');
  });
});
