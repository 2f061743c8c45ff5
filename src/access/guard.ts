import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { Counter, type Registry } from 'prom-client';
import type { Role } from '../config/sections/access.js';
import type { Logger } from '../log.js';
import type { Authenticator, Principal } from './authenticator.js';

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** How often a route's refusals are logged: one line per route per window, with the count since the last. */
const LOG_EVERY_MS = 60_000;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** An Origin that is not this server's own (the Host the request was sent to). */
function crossSite(req: Request): boolean {
  const origin = req.get('origin');
  if (origin === undefined) return false;
  try {
    return new URL(origin).host !== req.get('host');
  } catch {
    return true;
  }
}

/** The principal a guarded route runs for (set by `require`). */
export function principalOf(res: Response): Principal {
  return res.locals['principal'] as Principal;
}

/**
 * Role checks for routes: 401 (with a Bearer challenge) when the caller is not signed in or the
 * credentials are wrong, 403 naming the role needed when the principal's role is too low. Refusals are
 * counted per route and logged at a bounded rate.
 */
export class AccessGuard {
  private readonly failures: Counter<'route' | 'reason'>;
  private readonly logged = new Map<string, { at: number; since: number }>();

  constructor(
    readonly authenticator: Authenticator,
    registry: Registry,
    private readonly logger: Logger,
  ) {
    this.failures = new Counter({
      name: 'ide_http_auth_failures_total',
      help: 'Requests refused by the access checks, by route and reason (unauthorized: not signed in or wrong credentials; forbidden: role too low).',
      labelNames: ['route', 'reason'],
      registers: [registry],
    });
  }

  /** Middleware for `route` (its label in the metric and the log) that needs at least `role`. */
  require(role: Role, route: string): RequestHandler {
    return async (req: Request, res: Response, next: NextFunction) => {
      // A browser signed in with basic auth sends its credentials on another site's requests too: a
      // state change must come from our own page (same Origin) or from no page at all (curl, scripts).
      if (!SAFE_METHODS.has(req.method) && crossSite(req)) {
        this.refused(route, 'forbidden', req);
        return void res.status(403).json({ error: `${route} refuses requests from another site's page (Origin ${req.get('origin')})` });
      }
      const who = await this.authenticator.identify(req);
      if ('principal' in who && RANK[who.principal.role] >= RANK[role]) {
        res.locals['principal'] = who.principal;
        return next();
      }
      const forbidden = 'principal' in who;
      // Nothing configured to sign in with: only the machine's own callers, and this is not one (another
      // host, a web page, a DNS-rebound name). No credential would help, so 403 with what to configure.
      if (!forbidden && this.authenticator.trustsLoopback) {
        this.refused(route, 'forbidden', req);
        return void res.status(403).json({
          error:
            'no token or principal is configured (access.principals, bridge.webhook.token), so only loopback callers addressing localhost, 127.0.0.1 or [::1], without an Origin header, are accepted',
        });
      }
      this.refused(route, forbidden ? 'forbidden' : 'unauthorized', req);
      if (forbidden) return void res.status(403).json({ error: `${route} needs the ${role} role; ${who.principal.name} is ${who.principal.role}` });
      res.setHeader('WWW-Authenticate', 'Bearer realm="ide-monitor"');
      res.status(401).json({
        error:
          'failure' in who
            ? 'wrong credentials: send "Authorization: Bearer <token>" of a principal in access.principals, or a web config basic-auth user'
            : `${route} needs the ${role} role: send "Authorization: Bearer <token>" of a principal in access.principals, or basic auth`,
      });
    };
  }

  /** Who the caller is, without refusing anyone (for pages with a public view). */
  async who(req: Request): Promise<Principal | undefined> {
    const who = await this.authenticator.identify(req);
    return 'principal' in who ? who.principal : undefined;
  }

  private refused(route: string, reason: 'unauthorized' | 'forbidden', req: Request): void {
    this.failures.inc({ route, reason });
    const now = Date.now();
    const entry = this.logged.get(route) ?? { at: -Infinity, since: 0 };
    entry.since += 1;
    if (now - entry.at >= LOG_EVERY_MS) {
      this.logger.warn({ route, reason, remote: req.socket.remoteAddress, refused_since_last_line: entry.since }, 'request refused by the access checks');
      entry.at = now;
      entry.since = 0;
    }
    this.logged.set(route, entry);
  }
}
