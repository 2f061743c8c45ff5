import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { BuildInfo } from '../build-info.js';
import type { ListenAddress } from '../config/listen-address.js';
import { BasicAuthVerifier } from './basic-auth.js';
import type { ScrapeRunner } from './collector.js';
import { contentTypeOf, negotiateFormat, render } from './exposition.js';
import { registryFamilies } from './instrumentation.js';
import { landingPage, type LandingLink } from './landing-page.js';
import type { MetricFamily } from './metric-family.js';
import type { WebConfig } from './web-config.js';

const gzipAsync = promisify(gzip);

export interface ExporterServerOptions {
  readonly listenAddress: ListenAddress;
  readonly telemetryPath: string;
  readonly web: WebConfig;
  readonly runner: ScrapeRunner;
  readonly registry: Registry;
  readonly build: BuildInfo;
  readonly logger: Logger;
  /** Features that add their own routes (ingestion API, alert bridge, status page). */
  readonly extensions?: readonly ServerExtension[];
}

/**
 * A feature's HTTP surface. `mountApi` routes carry their own auth (bearer token or loopback-only) and
 * are mounted before the web config's basic auth; `mountPages` routes sit behind it like `/metrics`.
 * `links` are shown on the landing page; `mountPages` gets them all, so a page that replaces `/` can show them.
 * `onScrape` sees each `/metrics` scrape's families (read-only), so a feature can reuse it rather than scrape again.
 */
export interface ServerExtension {
  readonly name: string;
  mountApi?(app: express.Express): void;
  mountPages?(app: express.Express, links: readonly LandingLink[]): void;
  readonly links?: readonly LandingLink[];
  onScrape?(families: readonly MetricFamily[]): void;
}

/**
 * The HTTP face of `serve`: `/metrics`, the landing page and Prometheus-style health endpoints, behind
 * the exporter-toolkit TLS and basic-auth settings when a web config is given.
 */
export class ExporterServer {
  private readonly server: Server;
  private ready = false;

  constructor(private readonly options: ExporterServerOptions) {
    const app = this.buildApp();
    this.server = options.web.tls === undefined ? createHttpServer(app) : createHttpsServer({ ...options.web.tls }, app);
  }

  async start(): Promise<AddressInfo> {
    const { host, port } = this.options.listenAddress;
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host, port }, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.ready = true;
    return this.server.address() as AddressInfo;
  }

  /**
   * Stops accepting, lets in-flight scrapes finish, and after `graceMs` cuts whatever is left so a
   * SIGTERM always ends the process promptly.
   */
  async stop(graceMs: number): Promise<void> {
    this.ready = false;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // A keep-alive connection becomes idle when its in-flight scrape ends; close those as they appear.
    const sweeper = setInterval(() => this.server.closeIdleConnections(), 50);
    this.server.closeIdleConnections();
    const timer = setTimeout(() => this.server.closeAllConnections(), graceMs);
    await closed;
    clearInterval(sweeper);
    clearTimeout(timer);
  }

  private buildApp(): express.Express {
    const { telemetryPath, web, build, logger } = this.options;
    const extensions = this.options.extensions ?? [];
    const app = express();
    app.disable('x-powered-by');
    app.set('etag', false);
    app.use((_req, res, next) => {
      for (const [name, value] of Object.entries(web.headers)) res.setHeader(name, value);
      next();
    });
    for (const extension of extensions) extension.mountApi?.(app);
    if (web.basicAuthUsers !== undefined) app.use(basicAuth(new BasicAuthVerifier(web.basicAuthUsers)));
    const links = [
      { href: telemetryPath.replace(/^\//, ''), title: 'Metrics' },
      { href: '-/healthy', title: 'Health' },
      { href: '-/ready', title: 'Readiness' },
      ...extensions.flatMap((e) => e.links ?? []),
    ];
    for (const extension of extensions) extension.mountPages?.(app, links);

    app.get(telemetryPath, (req, res) => this.scrape(req, res));
    app.get('/-/healthy', (_req, res) => {
      res.type('text/plain').send('ide-monitor is Healthy.\n');
    });
    app.get('/-/ready', (_req, res) => {
      if (this.ready) res.type('text/plain').send('ide-monitor is Ready.\n');
      else res.status(503).type('text/plain').send('Service Unavailable\n');
    });
    app.get('/', (_req, res) => {
      res.type('html').send(landingPage(build, links));
    });
    app.use((_req, res) => {
      res.status(404).type('text/plain').send('404 page not found\n');
    });
    app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
      logger.error({ err: error }, 'request failed');
      if (!res.headersSent) res.status(500).type('text/plain').send('internal error; see the exporter log\n');
    });
    return app;
  }

  private async scrape(req: Request, res: Response): Promise<void> {
    const format = negotiateFormat(req.get('accept'));
    const families = await this.options.runner.scrape();
    families.push(...(await registryFamilies(this.options.registry)));
    for (const extension of this.options.extensions ?? []) extension.onScrape?.(families);
    const body = render(families, format);
    res.setHeader('Content-Type', contentTypeOf(format));
    if (/\bgzip\b/.test(req.get('accept-encoding') ?? '')) {
      res.setHeader('Content-Encoding', 'gzip');
      res.setHeader('Vary', 'Accept-Encoding');
      res.end(await gzipAsync(body));
    } else {
      res.end(body);
    }
  }
}

function basicAuth(verifier: BasicAuthVerifier) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (await verifier.verify(req.get('authorization'))) return next();
    res.setHeader('WWW-Authenticate', 'Basic realm="ide-monitor"');
    res.status(401).type('text/plain').send('Unauthorized\n');
  };
}
