import path from 'node:path';
import { startBinaryServer } from './binary-server.js';
import { waitFor } from './ports.js';

export interface RunningPrometheus {
  readonly url: string;
  /** Instant query; resolves to the result vector, rejects on a query error. */
  query(expr: string): Promise<PromSample[]>;
  /** Waits until every scrape target has been scraped at least `scrapes` times and is up. */
  waitForScrapes(scrapes: number): Promise<void>;
  stop: () => Promise<void>;
  output: () => string;
}

interface PromSample {
  readonly metric: Record<string, string>;
  readonly value: [number, string];
}

export interface PrometheusOptions {
  readonly binary: string;
  /** `host:port` targets scraped under job `jobName`. */
  readonly scrapeTargets: readonly string[];
  /** The scrape job's name (`ide-monitor` unless given; `node` for a node_exporter). */
  readonly jobName?: string;
  readonly ruleFiles?: readonly string[];
  readonly scrapeInterval?: string;
  readonly evaluationInterval?: string;
  /** `host:port` of Alertmanagers the rules' alerts are sent to. */
  readonly alertmanagers?: readonly string[];
  /** `--web.enable-remote-write-receiver`: accept pushes on `/api/v1/write`. */
  readonly remoteWriteReceiver?: boolean;
  /** A fixed port (to restart a receiver where its senders expect it); else a free one. */
  readonly port?: number;
}

/** A real Prometheus on 127.0.0.1 with a throw-away data directory. */
export async function startPrometheus(options: PrometheusOptions): Promise<RunningPrometheus> {
  const job = options.jobName ?? 'ide-monitor';
  const config = {
    global: { scrape_interval: options.scrapeInterval ?? '1s', evaluation_interval: options.evaluationInterval ?? '1s' },
    rule_files: options.ruleFiles ?? [],
    ...(options.alertmanagers !== undefined && { alerting: { alertmanagers: [{ static_configs: [{ targets: options.alertmanagers }] }] } }),
    scrape_configs: options.scrapeTargets.length === 0 ? [] : [{ job_name: job, static_configs: [{ targets: options.scrapeTargets }] }],
  };
  const server = await startBinaryServer({
    name: 'Prometheus',
    binary: options.binary,
    dirPrefix: 'ide-monitor-prom-',
    configName: 'prometheus.yml',
    config,
    args: ({ dir, configFile, port }) => [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
      ...(options.remoteWriteReceiver === true ? ['--web.enable-remote-write-receiver'] : []),
    ],
    ...(options.port !== undefined && { port: options.port }),
  });
  const { url } = server;
  const query = async (expr: string): Promise<PromSample[]> => {
    const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await response.json()) as { status: string; error?: string; data?: { resultType: string; result: unknown } };
    if (body.status !== 'success') throw new Error(`query ${expr} failed: ${body.error}`);
    const result = body.data?.result;
    if (body.data?.resultType === 'scalar') return [{ metric: {}, value: result as [number, string] }];
    return result as PromSample[];
  };
  return {
    url,
    query,
    output: server.output,
    stop: server.stop,
    async waitForScrapes(scrapes: number) {
      await waitFor(`${scrapes} successful scrapes of every target`, async () => {
        const up = await query(`count_over_time(up{job="${job}"}[1h]) >= ${scrapes} and up{job="${job}"} == 1`);
        return up.length === options.scrapeTargets.length;
      }, 60_000, 250);
    },
  };
}
