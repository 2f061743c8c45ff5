import express, { type Request, type Response } from 'express';
import { accessOf } from '../access/create.js';
import type { Registry } from 'prom-client';
import type { BuildInfo } from '../build-info.js';
import type { ActiveAlertsView, FeatureContext, ServeFeature } from '../serve/feature.js';
import { unappliedChanges } from '../serve/unapplied.js';
import type { Config } from '../config/schema.js';
import type { LandingLink } from '../exporter/landing-page.js';
import type { ServerExtension } from '../exporter/server.js';
import type { MetricFamily } from '../exporter/metric-family.js';
import type { Logger } from '../log.js';
import { ASSETS_DIR, renderPage } from './page.js';
import { parseRange } from './range.js';
import { Sampler, type ScrapeSource } from './sampler.js';
import { buildHistory, buildSnapshot, type History, type Snapshot } from './snapshot.js';
import { publicHistory, publicSnapshot } from './public-view.js';
import { pageCollectors, StatusSource } from './source.js';
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
  /**
   * What a request may see: everything, the public view (health and alert counts only), or nothing
   * (answered 401 with the challenge named). Absent: everything, for everyone (tests, no access config).
   */
  readonly viewOf?: (req: Request) => Promise<View>;
  /** Who the caller is, for the page's own use (absent: nobody signs in). */
  readonly whoIs?: (req: Request) => Promise<{ readonly name: string; readonly role: string } | undefined>;
  /** The levels that colour the page; the generated rules' defaults when absent. */
  readonly thresholds?: Thresholds;
}

/** `refuse` carries the WWW-Authenticate challenge to answer with. */
export type View = { readonly kind: 'full' | 'public' } | { readonly kind: 'refuse'; readonly challenge: string };

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
  private currentPublic: { seq: number; json: string; frame: string } | undefined;
  private built: { seq: number; snapshot: Snapshot } | undefined;
  /** Viewers of the public view get their own stream of reduced updates. */
  readonly publicHub: StreamHub;
  /** The landing page's links, known once the pages are mounted (after the APIs). */
  private links: readonly LandingLink[] = [];
  private history: { seq: number; rangeMs: number; json: string } | undefined;
  /** Set by createStatusFeature: a configuration reload (see ServeFeature.reload). */
  reload?: (next: Config) => readonly string[];
  /** The alert levels the colours follow; a reload may replace them. */
  thresholds: Thresholds;

  constructor(private readonly options: StatusFeatureOptions) {
    const { config, logger } = options;
    this.thresholds = options.thresholds ?? DEFAULT_THRESHOLDS;
    this.hub = new StreamHub({ maxClients: config.max_clients, maxBufferedBytes: MAX_BUFFERED_BYTES, retryMs: Math.max(500, config.interval), logger });
    this.publicHub = new StreamHub({ maxClients: config.max_clients, maxBufferedBytes: MAX_BUFFERED_BYTES, retryMs: Math.max(500, config.interval), logger });
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
      // Mounted before the web config's basic auth: these routes decide themselves who sees what, so
      // that a public view can be served to callers who are not signed in.
      mountApi: (app: express.Express) => this.mount(app),
      mountPages: (_app: express.Express, links: readonly LandingLink[]) => void (this.links = links),
      onScrape: (families: readonly MetricFamily[]) => this.sampler.offer(families),
    };
  }

  async start(): Promise<void> {
    this.sampler.start();
  }

  async stop(): Promise<void> {
    this.sampler.stop();
    this.hub.closeAll();
    this.publicHub.closeAll();
  }

  /** The snapshot of the current sample, built once per sample for both views. */
  private snapshot(): Snapshot {
    if (this.built === undefined || this.built.seq !== this.seq) {
      this.built = { seq: this.seq, snapshot: buildSnapshot(this.seq, this.sampler.ring, this.options.config.interval, this.options.alerts, this.thresholds) };
    }
    return this.built.snapshot;
  }

  /** The update as JSON, built at most once per sample. `ts` is when it was serialised (server clock, ms). */
  update(): { seq: number; json: string; frame: string } {
    if (this.current === undefined || this.current.seq !== this.seq) this.current = this.serialise(this.snapshot());
    return this.current;
  }

  /** The public view of the same update: health bars and alert counts; no names, labels, hosts or methods. */
  publicUpdate(): { seq: number; json: string; frame: string } {
    if (this.currentPublic === undefined || this.currentPublic.seq !== this.seq) this.currentPublic = this.serialise(publicSnapshot(this.snapshot()));
    return this.currentPublic;
  }

  private serialise(snapshot: Snapshot): { seq: number; json: string; frame: string } {
    const json = JSON.stringify({ ...snapshot, ts: Date.now() });
    return { seq: this.seq, json, frame: sseFrame(this.seq, json) };
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
    if (this.publicHub.size > 0) this.publicHub.broadcast(this.publicUpdate().frame);
  }

  private mount(app: express.Express): void {
    const { telemetryPath, build, logger } = this.options;
    /** Runs `handler` with the caller's view, or answers 401 with the challenge. */
    const viewed = (handler: (req: Request, res: Response, view: 'full' | 'public') => void) => async (req: Request, res: Response) => {
      const view: View = (await this.options.viewOf?.(req)) ?? { kind: 'full' };
      if (view.kind === 'refuse') {
        res.setHeader('WWW-Authenticate', view.challenge);
        res.status(401).type('text/plain').send('Unauthorized\n');
        return;
      }
      handler(req, res, view.kind);
    };
    if (telemetryPath === '/') {
      logger.warn('web.telemetry_path is "/", so the status page is not served there; its APIs still are');
    } else {
      let html: { links: readonly LandingLink[]; text: string } | undefined;
      app.get(
        '/',
        viewed((_req, res) => {
          if (html?.links !== this.links) html = { links: this.links, text: renderPage(build, this.links) };
          if (!res.hasHeader('Content-Security-Policy')) res.setHeader('Content-Security-Policy', CSP);
          res.setHeader('Cache-Control', 'no-cache');
          res.type('html').send(html.text);
        }),
      );
    }
    app.use('/status/assets', express.static(ASSETS_DIR, { index: false, fallthrough: true, maxAge: 0 }));
    // A browser signs in here: basic auth is only offered on a challenge, and the public view never
    // challenges. Once the browser has the credentials it sends them with every request to this origin.
    app.get('/login', async (req: Request, res: Response) => {
      if ((await this.options.whoIs?.(req)) !== undefined) return void res.redirect(303, './');
      res.setHeader('WWW-Authenticate', 'Basic realm="ide-monitor"');
      res.status(401).type('text/plain').send('Sign in with a user of the web config (basic auth); API clients send their bearer token instead.\n');
    });
    // Who the page is signed in as, so it offers ack buttons to operators only (the API checks again).
    app.get('/api/v1/whoami', async (req: Request, res: Response) => {
      const principal = await this.options.whoIs?.(req);
      res.setHeader('Cache-Control', 'no-store');
      res.json(principal === undefined ? { signedIn: false } : { signedIn: true, name: principal.name, role: principal.role });
    });
    app.get(
      '/api/v1/snapshot',
      viewed((_req, res, view) => this.json(res, view === 'full' ? this.update().json : this.publicUpdate().json)),
    );
    app.get(
      '/api/v1/history',
      viewed((req, res, view) => {
        const range = parseRange(req.query['range'], this.options.config.interval, this.options.config.history);
        if (!range.ok) {
          res.status(400).json({ error: range.reason });
          return;
        }
        this.json(res, view === 'full' ? this.historyJson(range.ms) : publicHistory(this.historyJson(range.ms)));
      }),
    );
    app.get(
      '/api/v1/stream',
      viewed((req, res, view) => (view === 'full' ? this.hub.open(req, res, this.update().frame) : this.publicHub.open(req, res, this.publicUpdate().frame))),
    );
  }

  private json(res: Response, body: string): void {
    res.setHeader('Cache-Control', 'no-store');
    res.type('application/json').send(body);
  }
}

/**
 * The status page as `serve` wires it: the `/metrics` runner's own cpu, memory and filesystem collectors
 * (or the page's own, when `/metrics` leaves them to node_exporter) every tick and its process-group collector every 10 s (see StatusSource), the same registry, and the
 * bridge's firing alerts.
 */
export function createStatusFeature(ctx: FeatureContext): StatusFeature {
  const { collectors, paths } = ctx.config;
  const source = new StatusSource(pageCollectors(ctx.runner.collectors, collectors, ctx.logger), { timeoutMs: collectors.timeout, paths, logger: ctx.logger });
  let publicStatus = ctx.config.access.public_status;
  const access = accessOf(ctx);
  const feature = new StatusFeature({
    // Signed in: everything. Not signed in: the public view if configured; everything where nothing can
    // sign in (the old open page: no principals, no basic auth); else a challenge a browser can answer.
    viewOf: async (req) => {
      if ((await access.who(req)) !== undefined) return { kind: 'full' };
      if (publicStatus) return { kind: 'public' };
      const { authenticator } = access;
      if (authenticator.legacy && !authenticator.hasBasicUsers) return { kind: 'full' };
      return { kind: 'refuse', challenge: authenticator.hasBasicUsers ? 'Basic realm="ide-monitor"' : 'Bearer realm="ide-monitor"' };
    },
    whoIs: (req) => access.who(req),
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
    publicStatus = next.access.public_status;
    source.reconfigure(pageCollectors(ctx.runner.collectors, next.collectors, ctx.logger), {
      timeoutMs: next.collectors.timeout,
      paths: next.paths,
      logger: ctx.logger,
    });
    feature.thresholds = thresholdsOf(next);
    return unappliedChanges('status', ctx.config.status, next.status, ['monitoring_config_file']);
  };
  return feature;
}

/** The thresholds of `status.monitoring_config_file` (checked by the preflight), else the defaults. */
export function thresholdsOf(config: Config): Thresholds {
  const file = config.status.monitoring_config_file;
  return file === undefined ? DEFAULT_THRESHOLDS : loadMonitoringConfig(file).thresholds;
}
