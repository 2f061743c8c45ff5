import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dump } from 'js-yaml';
import { freePort, StopWaiting, waitFor } from './ports.js';
import { startProcess } from './process.js';

export interface RunningPrometheus {
  readonly url: string;
  /** Instant query; resolves to the result vector, rejects on a query error. */
  query(expr: string): Promise<PromSample[]>;
  /** Waits until every scrape target has been scraped at least `scrapes` times and is up. */
  waitForScrapes(scrapes: number): Promise<void>;
  stop(): Promise<void>;
  output(): string;
}

export interface PromSample {
  readonly metric: Record<string, string>;
  readonly value: [number, string];
}

export interface PrometheusOptions {
  readonly binary: string;
  /** `host:port` targets scraped under job `ide-monitor`. */
  readonly scrapeTargets: readonly string[];
  readonly ruleFiles?: readonly string[];
  readonly scrapeInterval?: string;
  readonly evaluationInterval?: string;
}

/** A real Prometheus on 127.0.0.1 with a throw-away data directory. */
export async function startPrometheus(options: PrometheusOptions): Promise<RunningPrometheus> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ide-monitor-prom-'));
  const config = {
    global: { scrape_interval: options.scrapeInterval ?? '1s', evaluation_interval: options.evaluationInterval ?? '1s' },
    rule_files: options.ruleFiles ?? [],
    scrape_configs: [{ job_name: 'ide-monitor', static_configs: [{ targets: options.scrapeTargets }] }],
  };
  writeFileSync(path.join(dir, 'prometheus.yml'), dump(config));
  const port = await freePort();
  const proc = startProcess(options.binary, [
    `--config.file=${path.join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${path.join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn',
  ]);
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await proc.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  const query = async (expr: string): Promise<PromSample[]> => {
    const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await response.json()) as { status: string; error?: string; data?: { resultType: string; result: unknown } };
    if (body.status !== 'success') throw new Error(`query ${expr} failed: ${body.error}`);
    const result = body.data?.result;
    if (body.data?.resultType === 'scalar') return [{ metric: {}, value: result as [number, string] }];
    return result as PromSample[];
  };
  try {
    await waitFor('Prometheus to be ready', async () => {
      if (proc.child.exitCode !== null) throw new StopWaiting(`prometheus exited: ${proc.output()}`);
      return (await fetch(`${url}/-/ready`)).ok;
    }, 30_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    query,
    output: proc.output,
    stop,
    async waitForScrapes(scrapes: number) {
      await waitFor(`${scrapes} successful scrapes of every target`, async () => {
        const up = await query(`count_over_time(up{job="ide-monitor"}[1h]) >= ${scrapes} and up{job="ide-monitor"} == 1`);
        return up.length === options.scrapeTargets.length;
      }, 60_000, 250);
    },
  };
}
