import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../src/monitoring/config.js';
import { runGenerate, type GenerateOptions } from '../../../src/monitoring/generate.js';
import { renderAll } from '../../../src/monitoring/render/index.js';
import { ruleAreas } from '../../../src/monitoring/rules/index.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ide-monitor-generate-'));
  dirs.push(dir);
  return dir;
}

async function generate(options: Partial<GenerateOptions> & { outDir: string }): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  // The placeholder-runbook warning is node-exporter.test.ts' subject; here it would only clutter stderr.
  const code = await runGenerate({ check: false, warn: () => {}, ...options }, (line) => lines.push(line));
  return { code, lines };
}

const readYaml = (dir: string, path: string) => load(readFileSync(join(dir, path), 'utf8')) as Record<string, unknown>;

describe('generate', () => {
  let out: string;
  beforeAll(async () => {
    out = tempDir();
    expect((await generate({ outDir: out })).code).toBe(0);
  });

  it('writes every output the issue lists', () => {
    const list = (dir: string) => readdirSync(join(out, dir)).sort();
    expect(list('prometheus/rules')).toEqual(['app.yml', 'host.yml', 'lsp.yml', 'predictive.yml', 'self.yml']);
    expect(list('prometheus/tests')).toEqual(['app.yml', 'clusters.yml', 'host.yml', 'lsp.yml', 'predictive-weekly.yml', 'predictive.yml', 'self.yml']);
    expect(list('grafana/dashboards')).toHaveLength(6);
    expect(list('deploy/kubernetes')).toContain('prometheus-rule.yaml');
    for (const path of [
      'prometheus/prometheus.yml',
      'grafana/provisioning/datasources/prometheus.yml',
      'grafana/provisioning/dashboards/ide-monitor.yml',
      'docs/alerts.md',
    ]) {
      expect(existsSync(join(out, path)), path).toBe(true);
    }
  });

  it('is deterministic: no timestamps, same bytes every time', () => {
    const a = renderAll(DEFAULT_CONFIG, { tests: true });
    const b = renderAll(structuredClone(DEFAULT_CONFIG), { tests: true });
    expect([...a.entries()]).toEqual([...b.entries()]);
    for (const text of a.values()) expect(text).not.toMatch(/20\d\d-\d\d-\d\dT/);
  });

  it('--check passes on fresh output and names what differs, is missing or is stale', async () => {
    expect((await generate({ outDir: out, check: true })).code).toBe(0);
    const dir = tempDir();
    await generate({ outDir: dir });
    appendFileSync(join(dir, 'prometheus/rules/host.yml'), '# edited\n');
    unlinkSync(join(dir, 'grafana/dashboards/ide-monitor-host.json'));
    writeFileSync(join(dir, 'prometheus/rules/old.yml'), 'groups: []\n');
    const { code, lines } = await generate({ outDir: dir, check: true });
    expect(code).toBe(1);
    expect(lines).toContain('differs: prometheus/rules/host.yml');
    expect(lines).toContain('missing: grafana/dashboards/ide-monitor-host.json');
    expect(lines).toContain('stale: prometheus/rules/old.yml');
  });

  it('fails with 2 and the file and path of an invalid override', async () => {
    const config = join(tempDir(), 'thresholds.yml');
    writeFileSync(config, '_config:\n  thresholds:\n    hostLoadHigh: { levels: [] }\n');
    const { code, lines } = await generate({ outDir: tempDir(), configFile: config });
    expect(code).toBe(2);
    expect(lines.join('\n')).toContain(`${config}:3 _config.thresholds.hostLoadHigh.levels: needs at least one level`);
  });

  it('renders user thresholds everywhere, and leaves the default-only promtool tests out', async () => {
    const dir = tempDir();
    const config = join(dir, 'thresholds.yml');
    writeFileSync(config, '_config:\n  thresholds:\n    hostLoadHigh: { levels: [{ severity: high, value: 3.5, for: 20m }] }\n');
    expect((await generate({ outDir: dir, configFile: config })).code).toBe(0);
    expect(readFileSync(join(dir, 'prometheus/rules/host.yml'), 'utf8')).toContain('expr: instance:ide_host_load1_per_cpu:ratio > 3.5');
    expect(readFileSync(join(dir, 'grafana/dashboards/ide-monitor-host.json'), 'utf8')).toContain('"value": 3.5');
    expect(readFileSync(join(dir, 'docs/alerts.md'), 'utf8')).toContain('| high | 1-minute load per core > 3.5 | 20m |');
    expect(existsSync(join(dir, 'prometheus/tests'))).toBe(false);
  });

  it('writes the test profile with every for at a few seconds', async () => {
    const dir = tempDir();
    expect((await generate({ outDir: dir, profile: 'test' })).code).toBe(0);
    const fors = readdirSync(join(dir, 'prometheus/rules')).flatMap((f) => readFileSync(join(dir, 'prometheus/rules', f), 'utf8').match(/^ +for: .*$/gm) ?? []);
    expect(new Set(fors.map((l) => l.trim()))).toEqual(new Set(['for: 5s']));
  });

  it('keeps the datasource and Prometheus intervals in step', () => {
    const prometheus = readYaml(out, 'prometheus/prometheus.yml') as { global: { scrape_interval: string } };
    const datasources = readYaml(out, 'grafana/provisioning/datasources/prometheus.yml') as {
      datasources: { uid: string; type: string; jsonData: { timeInterval?: string } }[];
    };
    const prom = datasources.datasources.find((d) => d.type === 'prometheus');
    expect(prom?.uid).toBe(DEFAULT_CONFIG.grafana.datasourceUid);
    expect(prom?.jsonData.timeInterval).toBe(prometheus.global.scrape_interval);
    expect(prometheus).toMatchObject({
      rule_files: ['rules/*.yml'],
      alerting: { alertmanagers: [{ static_configs: [{ targets: ['alertmanager:9093'] }] }] },
    });
  });

  it('wraps the same rule groups and dashboards in the Kubernetes manifests', () => {
    const rule = readYaml(out, 'deploy/kubernetes/prometheus-rule.yaml') as { kind: string; spec: { groups: unknown[] } };
    const files = ruleAreas(DEFAULT_CONFIG).map((area) => `prometheus/rules/${area.file}.yml`);
    expect(rule.kind).toBe('PrometheusRule');
    expect(rule.spec.groups).toEqual(files.flatMap((f) => (readYaml(out, f) as { groups: unknown[] }).groups));
    const map = readYaml(out, 'deploy/kubernetes/grafana-dashboard-host.yaml') as {
      metadata: { labels: Record<string, string> };
      data: Record<string, string>;
    };
    expect(map.metadata.labels['grafana_dashboard']).toBe('1');
    expect(map.data['ide-monitor-host.json']).toBe(readFileSync(join(out, 'grafana/dashboards/ide-monitor-host.json'), 'utf8'));
    const kustomization = readYaml(out, 'deploy/kubernetes/kustomization.yaml') as { resources: string[] };
    // bridge/ is its own kustomization (a Deployment needing a Secret and PostgreSQL), applied on purpose only.
    expect([...kustomization.resources, 'kustomization.yaml'].sort()).toEqual(
      readdirSync(join(out, 'deploy/kubernetes'))
        .filter((f) => f !== 'bridge')
        .sort(),
    );
  });

  it('renders the bridge as a 2-replica Deployment with a PDB, a Service, Secret references and readiness on its store', () => {
    const dir = 'deploy/kubernetes/bridge';
    const kustomization = readYaml(out, `${dir}/kustomization.yaml`) as { resources: string[] };
    expect([...kustomization.resources, 'kustomization.yaml'].sort()).toEqual(readdirSync(join(out, dir)).sort());
    const deployment = readYaml(out, `${dir}/deployment.yaml`) as any;
    expect(deployment.spec.replicas).toBe(2);
    const container = deployment.spec.template.spec.containers[0];
    expect(container.readinessProbe.httpGet.path).toBe('/api/v1/bridge/ready');
    const fromSecret = container.env.filter((e: any) => e.valueFrom?.secretKeyRef).map((e: any) => e.name);
    expect(fromSecret).toEqual(expect.arrayContaining(['IDE_MONITOR_BRIDGE_DATABASE_URL', 'IDE_MONITOR_WEBHOOK_TOKEN', 'IDE_MONITOR_SLACK_WEBHOOK_URL']));
    const pdb = readYaml(out, `${dir}/pod-disruption-budget.yaml`) as any;
    expect(pdb.spec).toEqual({ minAvailable: 1, selector: deployment.spec.selector });
    const service = readYaml(out, `${dir}/service.yaml`) as any;
    expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
    // The bridge pod runs `serve` with every collector, ingest and the status page off.
    const config = load((readYaml(out, `${dir}/configmap.yaml`) as any).data['ide-monitor.yml']) as any;
    expect(Object.values(config.collectors).every((c: any) => c.enabled === false)).toBe(true);
    expect(config).toMatchObject({ ingest: { enabled: false }, status: { enabled: false }, bridge: { enabled: true } });
  });

  it('deploys the exporter that the ServiceMonitor scrapes, applied alone', () => {
    const doc = (name: string) => readYaml(out, `deploy/kubernetes/${name}`) as any; // a manifest, read loosely: the assertions below check its shape
    const ds = doc('daemonset.yaml');
    const svc = doc('service.yaml');
    const sm = doc('service-monitor.yaml');
    const pod = ds.spec.template;
    // DaemonSet selects its pods; the Service routes to them by the same labels and a port they name.
    expect(pod.metadata.labels).toMatchObject(ds.spec.selector.matchLabels);
    expect(pod.metadata.labels).toMatchObject(svc.spec.selector);
    const container = pod.spec.containers[0];
    expect(container.ports.map((p: { name: string }) => p.name)).toContain(svc.spec.ports[0].targetPort);
    // The ServiceMonitor selects that Service, in its namespace, by the port's name.
    expect(svc.metadata.labels).toMatchObject(sm.spec.selector.matchLabels);
    expect(sm.spec.namespaceSelector.matchNames).toEqual([svc.metadata.namespace]);
    expect(sm.spec.endpoints[0].port).toBe(svc.spec.ports[0].name);
    // job = the Service's app.kubernetes.io/name, which the rules select on.
    expect(`job="${svc.metadata.labels[sm.spec.jobLabel]}"`).toBe(DEFAULT_CONFIG.selector);
    // instance = the node, not the pod IP: a restarted pod continues the same series.
    expect(sm.spec.endpoints[0].relabelings).toEqual([{ action: 'replace', sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'instance' }]);
    // node_exporter's shape: the host's pid namespace and network, /proc and / read-only, flags pointing at them.
    expect(pod.spec).toMatchObject({ hostPID: true, hostNetwork: true, automountServiceAccountToken: false, serviceAccountName: 'ide-monitor' });
    expect(pod.spec.volumes).toEqual(
      expect.arrayContaining([
        { name: 'proc', hostPath: { path: '/proc' } },
        { name: 'root', hostPath: { path: '/' } },
      ]),
    );
    expect(container.volumeMounts).toEqual(
      expect.arrayContaining([
        { name: 'proc', mountPath: '/host/proc', readOnly: true },
        { name: 'root', mountPath: '/host/root', readOnly: true, mountPropagation: 'HostToContainer' },
      ]),
    );
    expect(container.args).toEqual(expect.arrayContaining(['serve', '--path.procfs=/host/proc', '--path.rootfs=/host/root']));
    // Optional tokens: the pod starts without the Secret.
    for (const env of container.env) expect(env.valueFrom.secretKeyRef.optional).toBe(true);
    // Files only: bridge/ is its own kustomization (docs/ha.md).
    for (const name of readdirSync(join(out, 'deploy/kubernetes')).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')) {
      expect(doc(name).metadata.namespace, name).toBe(DEFAULT_CONFIG.kubernetes.namespace);
    }
  });

  // What CI's `ide-monitor generate --check` does, so a forgotten regeneration fails `npm test` too.
  it('matches the checked-in files', async () => {
    const { code, lines } = await generate({ outDir: repo, check: true });
    expect(lines.filter((l) => !l.startsWith('all '))).toEqual([]);
    expect(code).toBe(0);
  });
});
