// A real Prometheus for the tests and bench/ (plain JS; types in prometheus.d.mts).
import path from 'node:path';
import { startBinaryServer } from './binary-server.mjs';
import { waitFor } from './ports.mjs';

/** A real Prometheus on 127.0.0.1 with a throw-away data directory. */
export async function startPrometheus(options) {
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
  const query = async (expr) => {
    const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = await response.json();
    if (body.status !== 'success') throw new Error(`query ${expr} failed: ${body.error}`);
    const result = body.data?.result;
    if (body.data?.resultType === 'scalar') return [{ metric: {}, value: result }];
    return result;
  };
  return {
    url,
    query,
    process: server.process,
    output: server.output,
    stop: server.stop,
    async waitForScrapes(scrapes) {
      await waitFor(
        `${scrapes} successful scrapes of every target`,
        async () => {
          const up = await query(`count_over_time(up{job="${job}"}[1h]) >= ${scrapes} and up{job="${job}"} == 1`);
          return up.length === options.scrapeTargets.length;
        },
        60_000,
        250,
      );
    },
  };
}
