import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { BuildInfo } from '../build-info.js';
import type { ListenAddress } from '../config/listen-address.js';
import { HTTP_LIMIT_DEFAULTS } from '../config/schema.js';
import { cutUnreadBodyAfterAnswer, isLoopback, namesLoopbackHost } from '../http/request-guards.js';
import { BasicAuthVerifier } from './basic-auth.js';
import type { ScrapeRunner } from './collector.js';
import { contentTypeOf, negotiateFormat, render } from './exposition.js';
import { gatherFamilies } from './gather.js';
import { landingPage, type LandingLink } from './landing-page.js';
import type { MetricFamily } from './metric-family.js';
import type { WebConfig } from './web-config.js';

const gzipAsync = promisify(gzip);

/**
 * Idle keep-alive connections stay open longer than Prometheus' default 1 m scrape interval, so a scraper
 * reuses its connection (and TLS session) instead of reconnecting every scrape; Prometheus keeps idle
 * connections for 5 m and reconnects quietly when we close first. 65 s is no common scrape interval, so a
 * scrape rarely races our close.
 */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;
/** How often Node looks for connections past the headers/request timeouts (its default is 30 s). */
const TIMEOUT_CHECK_INTERVAL_MS = 1000;
/** At most one "connection limit reached" warning per this, with the count dropped since the last one. */
const DROP_WARNING_EVERY_MS = 60_000;

/** How slowly and how many clients may talk to the server; `serve` passes the `web.*` settings. */
interface HttpLimits {
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly maxConnections: number;
}

export interface ExporterServerOptions {
  readonly listenAddress: ListenAddress;
  readonly telemetryPath: string;
  readonly web: WebConfig;
  readonly runner: ScrapeRunner;
  readonly registry: Registry;
  readonly build: BuildInfo;
  readonly logger: Logger;
  /** Defaults to the `web.*` setting defaults. */
  readonly limits?: HttpLimits;
  /** Features that add their own routes (ingestion API, alert bridge, status page). */
  readonly extensions?: readonly ServerExtension[];
  /** `POST /-/reload`: reads the configuration again (absent: the route answers 404); `by` names who asked. */
  readonly reload?: (by: string) => Promise<{ ok: boolean; message: string }>;
  /** Who may reload (an admin); the guard records the principal in `res.locals.principal`. */
  readonly reloadGuard?: RequestHandler;
  /**
   * True while no credential is configured (src/access/loopback-only.ts): then a loopback caller must name a
   * loopback host on every route, not only the APIs. Read per request, so a reload applies.
   */
  readonly loopbackOnly?: () => boolean;
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
  /** The web config's parts a reload may change: response headers and basic-auth users. */
  private headers: Readonly<Record<string, string>>;
  private verifier: BasicAuthVerifier | undefined;

  constructor(private readonly options: ExporterServerOptions) {
    this.headers = options.web.headers;
    this.verifier = options.web.basicAuthUsers === undefined ? undefined : new BasicAuthVerifier(options.web.basicAuthUsers);
    const app = this.buildApp();
    const limits = options.limits ?? {
      headersTimeoutMs: HTTP_LIMIT_DEFAULTS.headers_timeout,
      requestTimeoutMs: HTTP_LIMIT_DEFAULTS.request_timeout,
      maxConnections: HTTP_LIMIT_DEFAULTS.max_connections,
    };
    const http = {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
      connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
    };
    this.server =
      options.web.tls === undefined
        ? createHttpServer(http, app)
        : // A client stalling the TLS handshake gets no more time than one stalling its headers.
          createHttpsServer({ ...options.web.tls, ...http, handshakeTimeout: limits.headersTimeoutMs }, app);
    this.server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
    this.limitConnections(limits.maxConnections);
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

  /**
   * A reloaded web config: headers and basic-auth users apply to the next request, a renewed certificate
   * to the next TLS handshake. Turning TLS on or off needs a new listener, so it is refused (with the
   * reason, for the reload log) and the rest is applied.
   */
  updateWebConfig(web: WebConfig): string | undefined {
    this.headers = web.headers;
    this.verifier = web.basicAuthUsers === undefined ? undefined : new BasicAuthVerifier(web.basicAuthUsers);
    const wasTls = this.options.web.tls !== undefined;
    if (wasTls !== (web.tls !== undefined)) return `turning TLS ${wasTls ? 'off' : 'on'} needs a restart`;
    if (web.tls !== undefined && 'setSecureContext' in this.server) {
      const { cert, key, ca } = web.tls;
      (this.server as import('node:https').Server).setSecureContext({ cert, key, ...(ca !== undefined && { ca }) });
    }
    return undefined;
  }

  /** Node drops connections over the cap at accept; say so in the log, without one line per connection. */
  private limitConnections(max: number): void {
    this.server.maxConnections = max;
    let dropped = 0;
    let warnedAt = -Infinity;
    this.server.on('drop', () => {
      dropped += 1;
      if (Date.now() - warnedAt < DROP_WARNING_EVERY_MS) return;
      warnedAt = Date.now();
      this.options.logger.warn(
        { max_connections: max, dropped_since_last_warning: dropped },
        'connection limit reached: new connections are dropped until some close; raise web.max-connections if these are legitimate clients',
      );
      dropped = 0;
    });
  }

  private buildApp(): express.Express {
    const { telemetryPath, build, logger } = this.options;
    const extensions = this.options.extensions ?? [];
    const app = express();
    app.disable('x-powered-by');
    app.set('etag', false);
    app.use((_req, res, next) => {
      for (const [name, value] of Object.entries(this.headers)) res.setHeader(name, value);
      next();
    });
    app.use(this.refuseRebinding());
    for (const extension of extensions) extension.mountApi?.(app);
    // Before the basic auth: the reload guard knows bearer principals and basic-auth users both.
    this.mountReload(app);
    app.use(basicAuth(() => this.verifier));
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

  /**
   * DNS rebinding: a page in a local browser whose host name now resolves to 127.0.0.1 reaches us from
   * loopback with its own name in `Host`, and the browser lets it read the answer (/metrics, the snapshot).
   * Without credentials nothing else stops it, so a loopback caller must name a loopback host, on every route.
   * Other peers are not checked: Prometheus on another machine names this one, and could read these routes
   * directly anyway. The API routes answer in JSON, as their own 403s do.
   */
  private refuseRebinding(): RequestHandler {
    const reason =
      'no credentials are configured (no tokens, no basic auth), so a local caller must address this server as localhost, 127.0.0.1 or [::1]; another host name is how DNS rebinding reaches it. Use one of those names, or configure basic auth (--web.config.file) or tokens';
    return (req, res, next) => {
      if (this.options.loopbackOnly?.() !== true || !isLoopback(req.socket.remoteAddress) || namesLoopbackHost(req)) return next();
      cutUnreadBodyAfterAnswer(req, res);
      if (req.path.startsWith('/api/')) res.status(403).json({ error: reason });
      else res.status(403).type('text/plain').send(`${reason}\n`);
    };
  }

  /** `POST /-/reload`, for an admin (the guard), never for a web page (a cross-site form POST carries an Origin). */
  private mountReload(app: express.Express): void {
    const reload = this.options.reload;
    if (reload !== undefined) {
      const guard: RequestHandler[] = this.options.reloadGuard === undefined ? [] : [this.options.reloadGuard];
      app.post('/-/reload', ...guard, async (req, res) => {
        // A web page may not make a visitor's browser reload the server (a cross-site form POST carries an Origin).
        if (req.get('origin') !== undefined) {
          res.status(403).type('text/plain').send('POST /-/reload is not for web pages (the request carries an Origin header)\n');
          return;
        }
        const principal = res.locals['principal'] as { name: string } | undefined;
        const result = await reload(principal?.name ?? 'anonymous');
        res
          .status(result.ok ? 200 : 500)
          .type('text/plain')
          .send(`${result.message}\n`);
      });
    }
  }

  private async scrape(req: Request, res: Response): Promise<void> {
    const format = negotiateFormat(req.get('accept'));
    const families = await gatherFamilies(this.options.runner, this.options.registry);
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

/** The verifier is looked up per request, so a reload can add, change or remove users. */
function basicAuth(current: () => BasicAuthVerifier | undefined) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const verifier = current();
    if (verifier === undefined || (await verifier.verify(req.get('authorization')))) return next();
    res.setHeader('WWW-Authenticate', 'Basic realm="ide-monitor"');
    res.status(401).type('text/plain').send('Unauthorized\n');
  };
}
