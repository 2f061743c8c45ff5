import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFamilies, type ParsedFamily } from '../../support/exposition.js';
import { startExporter, type RunningExporter } from '../../support/exporter.js';
import { readMetricContract } from '../../support/metric-contract.js';
import { waitFor } from '../../support/ports.mjs';
import { batchOf, EXAMPLES } from '../../unit/ingest/examples.js';
import { validBody, WEBHOOK } from '../hostile/hostile.js';

/** Only where the kernel has pressure stall information (/proc/pressure, Linux 4.20+ with PSI on). */
const OPTIONAL = /^ide_host_pressure_/;

// The contract in the repository against a real serve with every feature on (collectors with a process group,
// ingest, bridge, status, remote write), after one ingest batch of every kind and one alert, so labelled
// families have samples whose label names can be compared.
let exporter: RunningExporter;
let families: Map<string, ParsedFamily>;

beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ide-monitor-contract-'));
  const config = path.join(dir, 'config.yml');
  writeFileSync(
    config,
    [
      'collectors:',
      '  process:',
      '    enabled: true',
      '    groups: [{ name: node, comm: node }]',
      'ingest: { enabled: true }',
      'bridge: { enabled: true }',
      'status: { enabled: true }',
      '',
    ].join('\n'),
  );
  exporter = await startExporter({ args: [`--config.file=${config}`] });
  const post = (route: string, body: unknown) =>
    fetch(`${exporter.url}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const failed = { ...EXAMPLES.lsp_request, outcome: 'error' as const, error_code: -32603 };
  const started = { kind: 'lsp_server' as const, server: 'tsserver', event: 'start' as const };
  expect((await post('/api/v1/ingest', batchOf([...Object.values(EXAMPLES), failed, started]))).status).toBe(204);
  expect((await post(WEBHOOK.path, validBody(WEBHOOK))).status).toBe(200);
  await waitFor('the log channel to deliver the alert', async () => {
    families = parseFamilies(await (await fetch(`${exporter.url}/metrics`)).text());
    return (families.get('ide_bridge_notifications_total')?.samples ?? 0) > 0;
  });
});

afterAll(async () => {
  await exporter?.stop();
});

describe('the metric contract (src/metrics/contract.json) against a running serve', () => {
  const contract = readMetricContract();

  it('serves every metric of the contract (pressure only where the kernel has PSI), and no ide_* metric outside it', () => {
    const live = [...families.keys()].filter((name) => name.startsWith('ide_'));
    expect(contract.map((m) => m.name).filter((name) => !families.has(name) && !OPTIONAL.test(name))).toEqual([]);
    expect(live.filter((name) => !contract.some((m) => m.name === name))).toEqual([]);
  });

  it('gives each its contract type and help text', () => {
    const differences = contract
      .filter((m) => families.has(m.name))
      .flatMap((m) => {
        const live = families.get(m.name)!;
        return live.type === m.type && live.help === m.help
          ? []
          : [{ name: m.name, contract: { type: m.type, help: m.help }, live: { type: live.type, help: live.help } }];
      });
    expect(differences).toEqual([]);
  });

  it('gives each sample exactly the contract labels', () => {
    const sampled = contract.filter((m) => (families.get(m.name)?.samples ?? 0) > 0);
    // Most families have samples after the batch and the alert; the rest (auth failures, actions, remote
    // write to no URL) are compared by name, type and help only.
    expect(sampled.length).toBeGreaterThan(contract.length * 0.8);
    const differences = sampled.flatMap((m) => {
      const live = [...families.get(m.name)!.labels].sort();
      return JSON.stringify(live) === JSON.stringify([...m.labels].sort()) ? [] : [{ name: m.name, contract: m.labels, live }];
    });
    expect(differences).toEqual([]);
  });
});
