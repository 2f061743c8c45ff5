import express, { type Request, type Response } from 'express';
import type { Registry } from 'prom-client';
import type { BuildInfo } from '../build-info.js';
import type { ActiveAlertsView, FeatureContext, ServeFeature } from '../commands/serve-features.js';
import type { Config } from '../config/schema.js';
import type { LandingLink } from '../exporter/landing-page.js';
import type { ServerExtension } from '../exporter/server.js';
import type { MetricFamily } from '../exporter/metric-family.js';
import type { Logger } from '../log.js';
import { ASSETS_DIR, renderPage } from './page.js';
import { parseRange } from './range.js';
import { Sampler, type ScrapeSource } from './sampler.js';
import { buildHistory, buildSnapshot, type History } from './snapshot.js';
import { StatusSource } from './source.js';
import { loadMonitoringConfig } from '../monitoring/config.js';
import { DEFAULT_THRESHOLDS, type Thresholds } from '../monitoring/thresholds.js';
import { sseFrame, StreamHub } from './stream.js';

export interface StatusFeatureOptions {
  readonly config: Config['status'];
  readonly telemetryPath: string;
  readonly source: ScrapeSource;
  readonly registry: Registry;
  readonly build: BuildInfo;
  readonly logger: Logger;
  /** The alert bridge's view of firing alerts; absent when the bridge is disabled. */
  readonly alerts?: ActiveAlertsView | undefined;
  /** The levels that colour the page; the generated rules' defaults when absent. */
  readonly thresholds?: Thresholds;
}

/** Unsent bytes one stream may hold (about 100 updates) before it is cut as a stalled reader. */
const MAX_BUFFERED_BYTES = 1 << 20;
const CSP = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'";

/**
 * The live status page at `/`: health bars, active alerts, charts of the last minutes and a table per LSP
 * method, pushed once per interval over Server-Sent Events. Also `/api/v1/snapshot` and
 * `/api/v1/history` for scripts. Each update is built and serialised once, whatever the number of viewers.
 */
export class StatusFeature implements ServeFeature {
  readonly sampler: Sampler;
  readonly hub: StreamHub;
  readonly extension: ServerExtension;
  private seq = 0;
  /** The current update, serialised once per tick and shared by the stream, the snapshot and every client. */
  private current: { seq: number; json: string; frame: string } | undefined;
  private history: { seq: number; rangeMs: number; json: string } | undefined;
  /** Set by createStatusFeature: a configuration reload (see ServeFeature.reload). */
  reload?: (next: Config) => void;
  /** The alert levels the colours follow; a reload may replace them. */
  thresholds: Thresholds;

  constructor(private readonly options: StatusFeatureOptions) {
    const { config, logger } = options;
    this.thresholds = options.thresholds ?? DEFAULT_THRESHOLDS;
    this.hub = new StreamHub({ maxClients: config.max_clients, maxBufferedBytes: MAX_BUFFERED_BYTES, retryMs: Math.max(500, config.interval), logger });
    this.sampler = new Sampler({
      source: options.source,
      registry: options.registry,
      intervalMs: config.interval,
      historyMs: config.history,
      logger,
      onSample: () => this.onSample(),
    });
    this.extension = {
      name: 'status',
      mountPages: (app: express.Express, links: readonly LandingLink[]) => this.mount(app, links),
      onScrape: (families: readonly MetricFamily[]) => this.sampler.offer(families),
    };
  }

  async start(): Promise<void> {
    this.sampler.start();
  }

  async stop(): Promise<void> {
    this.sampler.stop();
    this.hub.closeAll();
  }

  /** The update as JSON, built at most once per sample. `ts` is when it was serialised (server clock, ms). */
  update(): { seq: number; json: string; frame: string } {
    if (this.current === undefined || this.current.seq !== this.seq) {
      const snapshot = buildSnapshot(this.seq, this.sampler.ring, this.options.config.interval, this.options.alerts, this.thresholds);
      const json = JSON.stringify({ ...snapshot, ts: Date.now() });
      this.current = { seq: this.seq, json, frame: sseFrame(this.seq, json) };
    }
    return this.current;
  }

  historyJson(rangeMs: number): string {
    if (this.history === undefined || this.history.seq !== this.seq || this.history.rangeMs !== rangeMs) {
      const history: History = buildHistory(this.sampler.ring, rangeMs, this.options.config.interval);
      this.history = { seq: this.seq, rangeMs, json: JSON.stringify(history) };
    }
    return this.history.json;
  }

  private onSample(): void {
    this.seq += 1;
    // Nobody watching: skip building the update; the snapshot endpoint builds it on demand.
    if (this.hub.size > 0) this.hub.broadcast(this.update().frame);
  }

  private mount(app: express.Express, links: readonly LandingLink[]): void {
    const { telemetryPath, build, logger } = this.options;
    const html = renderPage(build, links);
    if (telemetryPath === '/') {
      logger.warn('web.telemetry_path is "/", so the status page is not served there; its APIs still are');
    } else {
      app.get('/', (_req, res) => {
        if (!res.hasHeader('Content-Security-Policy')) res.setHeader('Content-Security-Policy', CSP);
        res.setHeader('Cache-Control', 'no-cache');
        res.type('html').send(html);
      });
    }
    app.use('/status/assets', express.static(ASSETS_DIR, { index: false, fallthrough: true, maxAge: 0 }));
    app.get('/api/v1/snapshot', (_req, res) => this.json(res, this.update().json));
    app.get('/api/v1/history', (req: Request, res: Response) => {
      const range = parseRange(req.query['range'], this.options.config.interval, this.options.config.history);
      if (!range.ok) {
        res.status(400).json({ error: range.reason });
        return;
      }
      this.json(res, this.historyJson(range.ms));
    });
    app.get('/api/v1/stream', (req, res) => this.hub.open(req, res, this.update().frame));
  }

  private json(res: Response, body: string): void {
    res.setHeader('Cache-Control', 'no-store');
    res.type('application/json').send(body);
  }
}

/**
 * The status page as `serve` wires it: the `/metrics` runner's own cpu, memory and filesystem collectors
 * every tick and its process-group collector every 10 s (see StatusSource), the same registry, and the
 * bridge's firing alerts.
 */
export function createStatusFeature(ctx: FeatureContext): StatusFeature {
  const { collectors, paths } = ctx.config;
  const source = new StatusSource(ctx.runner.collectors, { timeoutMs: collectors.timeout, paths, logger: ctx.logger });
  const feature = new StatusFeature({
    thresholds: thresholdsOf(ctx.config),
    config: ctx.config.status,
    telemetryPath: ctx.config.web.telemetry_path,
    source,
    registry: ctx.registry,
    build: ctx.build,
    logger: ctx.logger,
    alerts: ctx.alerts,
  });
  // serve reconfigures its runner before the features, so the page follows the reloaded collectors.
  // The page's own interval and history are read at start only.
  feature.reload = (next: Config) => {
    source.reconfigure(ctx.runner.collectors, { timeoutMs: next.collectors.timeout, paths: next.paths, logger: ctx.logger });
    feature.thresholds = thresholdsOf(next);
  };
  return feature;
}

/** The thresholds of `status.monitoring_config_file` (checked by the preflight), else the defaults. */
export function thresholdsOf(config: Config): Thresholds {
  const file = config.status.monitoring_config_file;
  return file === undefined ? DEFAULT_THRESHOLDS : loadMonitoringConfig(file).thresholds;
}
