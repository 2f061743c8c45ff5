import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createAccessGuard } from '../../../src/access/create.js';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Registry } from 'prom-client';
import { expect } from 'vitest';
import type { FeatureContext, ServeFeature } from '../../../src/serve/feature.js';
import { configSchema } from '../../../src/config/schema.js';
import { ScrapeRunner } from '../../../src/exporter/collector.js';
import { DEFAULT_HOST_PATHS } from '../../../src/exporter/procfs.js';
import { ExporterServer } from '../../../src/exporter/server.js';
import { silentLogger } from '../../../src/log.js';

/** Body limit of the fuzzed endpoints: small, so "huge" inputs reach 413 without megabytes per case. */
export const FUZZ_BODY_LIMIT = 64 * 1024;
/** An answer slower than this is a hang, not a slow machine (a normal answer takes a few ms). */
const REQUEST_TIMEOUT_MS = 10_000;

/**
 * The bridge's outbox fsyncs every accepted webhook (synchronous=FULL), tens of ms each on a VM disk;
 * on tmpfs it costs nothing, and durability is not what these cases test.
 */
const SCRATCH = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();

export interface FeatureServer {
  readonly base: string;
  readonly registry: Registry;
  /** The bridge's outbox directory (`bridge.data_dir`). */
  readonly dataDir: string;
  stop(): Promise<void>;
}

/**
 * `serve`'s real HTTP stack in-process: the config schema's defaults, the feature as `serve` creates
 * it, and ExporterServer (its 404 and its 500 handler included, so an exception in a route shows as a
 * 500 here exactly as in production), listening on 127.0.0.1 on an ephemeral port.
 */
export async function startFeatureServer(create: (ctx: FeatureContext) => ServeFeature | Promise<ServeFeature>): Promise<FeatureServer> {
  const dataDir = mkdtempSync(path.join(SCRATCH, 'fuzz-bridge-'));
  const config = configSchema.parse({
    ingest: { max_body_size: FUZZ_BODY_LIMIT },
    bridge: { data_dir: dataDir, webhook: { max_body: FUZZ_BODY_LIMIT } },
    status: { enabled: false },
  });
  const registry = new Registry();
  const runner = new ScrapeRunner([], { timeoutMs: 5000, paths: DEFAULT_HOST_PATHS, logger: silentLogger });
  const build = { version: 'fuzz', revision: 'fuzz', nodeVersion: process.version };
  let feature: ServeFeature | undefined;
  try {
    const access = createAccessGuard(
      () => config,
      () => ({ headers: {} }),
      registry,
      silentLogger,
    );
    feature = await create({ config, registry, build, logger: silentLogger, runner, access });
    await feature.start?.();
    const server = new ExporterServer({
      listenAddress: { host: '127.0.0.1', port: 0 },
      telemetryPath: '/metrics',
      web: { headers: {} },
      runner,
      registry,
      build,
      logger: silentLogger,
      extensions: [feature.extension],
    });
    const { port } = await server.start();
    const started = feature;
    return {
      base: `http://127.0.0.1:${port}`,
      registry,
      dataDir,
      async stop() {
        await server.stop(1000);
        await started.stop?.();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await feature?.stop?.();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

export interface Answer {
  readonly status: number;
  readonly contentType: string | null;
  readonly text: string;
}

/** One POST with a deadline: a server that never answers fails the case instead of hanging the suite. */
export async function post(url: string, body: Uint8Array | string, headers: Record<string, string | undefined>): Promise<Answer> {
  const sent: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) sent[name] = value;
  // A Uint8Array body makes fetch send no Content-Type of its own; the case decides it.
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const res = await fetch(url, { method: 'POST', body: bytes, headers: sent, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  return { status: res.status, contentType: res.headers.get('content-type'), text: await res.text() };
}

/** The only answers a bad body may get: 400, 413 or 415, as JSON with a reason in `error`. */
const REJECTIONS = [400, 413, 415] as const;

/** What each rejection's reason must be about; `schemaPrefix` starts the endpoint's own 400 for a bad document. */
function reasonFor(status: number, schemaPrefix: string): RegExp {
  if (status === 413) return /larger than the limit/;
  if (status === 415) return /content-type|charset|encoding/i;
  return new RegExp(`^(body is not valid JSON|${schemaPrefix}): \\S`, 's');
}

/** Asserts `answer` is a clear rejection (status, JSON, a reason fitting the status) and returns the reason. */
export function expectClearRejection(answer: Answer, context: string, schemaPrefix: string): string {
  expect(REJECTIONS, `${context}: status ${answer.status} ${answer.text.slice(0, 300)}`).toContain(answer.status);
  expect(answer.contentType, context).toMatch(/^application\/json\b/);
  const reason = (JSON.parse(answer.text) as { error?: unknown }).error;
  expect(typeof reason, context).toBe('string');
  expect(reason as string, context).toMatch(reasonFor(answer.status, schemaPrefix));
  return reason as string;
}

/** Sum of a metric's samples, optionally only those whose labels match. */
export async function metricSum(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  if (metric === undefined) return 0;
  return metric.values.filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want)).reduce((sum, v) => sum + v.value, 0);
}
