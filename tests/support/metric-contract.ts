import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** One metric of the contract (src/metrics/contract.json). */
export interface ContractMetric {
  readonly name: string;
  readonly type: 'counter' | 'gauge' | 'histogram' | 'summary';
  readonly unit: string;
  readonly labels: readonly string[];
  readonly help: string;
}

const CONTRACT_FILE = fileURLToPath(new URL('../../src/metrics/contract.json', import.meta.url));

/** The metric contract checked into the repository; docs/metrics.md is generated from it. */
export function readMetricContract(): readonly ContractMetric[] {
  return (JSON.parse(readFileSync(CONTRACT_FILE, 'utf8')) as { metrics: ContractMetric[] }).metrics;
}
