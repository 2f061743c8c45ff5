import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { validateStructural, type StructuralSchema } from '../../support/structural-schema.js';

/**
 * Every manifest of deploy/kubernetes validated against the Kubernetes and prometheus-operator schemas, as
 * the API server would before admitting it (no cluster here: CI has none). The operator's kinds are checked
 * against its CRD schemas, vendored in tests/fixtures/kubernetes. All kinds, Kubernetes' own included, are
 * checked with kubernetes-models and @kubernetes-models/prometheus-operator (the upstream OpenAPI and CRD
 * schemas, compiled with ajv) when installed; without them that suite skips with a visible line, and fails in CI.
 */
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const dir = join(repo, 'deploy/kubernetes');

interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata?: { readonly name?: string };
}

interface Model {
  validate(): void;
}
type ModelClass = new (data: unknown) => Model;

/** The package module that holds a kind's model: core and apps from kubernetes-models, CRDs from their own package. */
function modulePath({ apiVersion, kind }: Manifest): string {
  if (apiVersion.startsWith('monitoring.coreos.com/')) return `@kubernetes-models/prometheus-operator/${apiVersion}/${kind}`;
  return `kubernetes-models/${apiVersion}/${kind}`;
}

async function loadModel(manifest: Manifest): Promise<ModelClass | undefined> {
  try {
    // A variable specifier: the packages are optional, so the type checker must not resolve them.
    const specifier = modulePath(manifest);
    const mod = (await import(specifier)) as Record<string, unknown>;
    return mod[manifest.kind] as ModelClass;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') return undefined;
    throw error;
  }
}

const files = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
  .sort();
const manifests = files.map((file) => [file, load(readFileSync(join(dir, file), 'utf8')) as Manifest] as const);
const probe = manifests[0] === undefined ? undefined : await loadModel(manifests[0][1]);
if (probe === undefined) {
  const message = 'needs the npm packages kubernetes-models and @kubernetes-models/prometheus-operator for schema validation';
  if (process.env['CI'] === 'true') throw new Error(`CI must not skip: ${message}`);
  console.warn(`SKIPPED: ${message}`);
}

interface CrdSchema {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly schema: StructuralSchema;
}

const crds = ['servicemonitor', 'prometheusrule'].map(
  (name) => JSON.parse(readFileSync(join(repo, 'tests/fixtures/kubernetes', `${name}.schema.json`), 'utf8')) as CrdSchema,
);

describe('deploy/kubernetes against the prometheus-operator CRD schemas', () => {
  const crdOf = (m: Manifest) => crds.find((c) => m.apiVersion === `${c.group}/${c.version}` && m.kind === c.kind);
  const custom = manifests.filter(([, m]) => m.apiVersion.startsWith('monitoring.coreos.com/'));

  it('has a ServiceMonitor and a PrometheusRule, and a schema for each', () => {
    expect(custom.map(([, m]) => m.kind).sort()).toEqual(['PrometheusRule', 'ServiceMonitor']);
    for (const [file, m] of custom) expect(crdOf(m), file).toBeDefined();
  });

  it.each(custom)('%s is valid', (_, manifest) => {
    expect(validateStructural(crdOf(manifest)?.schema ?? {}, manifest)).toEqual([]);
  });

  it('rejects a misspelt field, a wrong type and a bad enum value, so a pass means something', () => {
    const monitor = custom.find(([, m]) => m.kind === 'ServiceMonitor')?.[1];
    const broken = structuredClone(monitor) as unknown as { spec: { endpoints: Record<string, unknown>[] } };
    broken.spec.endpoints[0]!['relabelling'] = [];
    broken.spec.endpoints[0]!['port'] = 10451;
    (broken.spec.endpoints[0]!['relabelings'] as { action: string }[])[0]!.action = 'rename';
    const problems = validateStructural(crdOf(monitor as Manifest)?.schema ?? {}, broken);
    expect(problems).toEqual(
      expect.arrayContaining([
        '.spec.endpoints[0].relabelling: unknown field',
        '.spec.endpoints[0].port: expected a string',
        expect.stringMatching(/^\.spec\.endpoints\[0\]\.relabelings\[0\]\.action: "rename" is not one of/),
      ]),
    );
  });
});

describe.skipIf(probe === undefined)('deploy/kubernetes against the Kubernetes and prometheus-operator schemas', () => {
  it('covers every kind the directory holds', () => {
    expect(new Set(manifests.map(([, m]) => m.kind))).toEqual(
      new Set(['ConfigMap', 'DaemonSet', 'PrometheusRule', 'Service', 'ServiceAccount', 'ServiceMonitor']),
    );
  });

  it.each(manifests)('%s is valid', async (_, manifest) => {
    const Model = await loadModel(manifest);
    expect(Model, `no schema for ${manifest.apiVersion} ${manifest.kind}`).toBeTypeOf('function');
    expect(() => new (Model as ModelClass)(manifest).validate()).not.toThrow();
  });

  it('rejects a broken manifest, so a pass means something', async () => {
    const daemonSet = manifests.find(([, m]) => m.kind === 'DaemonSet')?.[1];
    const Model = daemonSet === undefined ? undefined : await loadModel(daemonSet);
    const broken = structuredClone(daemonSet) as unknown as { spec: { template: { spec: { containers: { ports: unknown[] }[] } } } };
    broken.spec.template.spec.containers[0]!.ports = [{ name: 'metrics', containerPort: 'ten thousand' }];
    expect(() => new (Model as ModelClass)(broken).validate()).toThrow();
  });
});
