import { createHash, randomBytes } from 'node:crypto';
import type { Request } from 'express';
import type { AccessConfig, Role } from '../config/sections/access.js';
import { BasicAuthVerifier } from '../exporter/basic-auth.js';
import { fromWebPage, isLoopback, sameSecret } from '../http/request-guards.js';
import { lazy } from '../lazy-require.js';

const bcrypt = lazy<typeof import('bcryptjs')>('bcryptjs');

/** Who made a request, as far as the server can tell: never a name from the request body. */
export interface Principal {
  readonly name: string;
  readonly role: Role;
  /** How they proved it: a principal's bearer token, a web-config basic-auth user, the old shared webhook token, or a loopback call with no auth configured. */
  readonly via: 'token' | 'basic' | 'shared-token' | 'loopback';
}

export type Identification = { readonly principal: Principal } | { readonly failure: 'unauthorized' } | { readonly anonymous: true };

const CACHE_LIMIT = 256;

/** Read per request, so a reload that changes principals, users or the token applies to the next request. */
export interface AuthenticatorOptions {
  readonly access: () => AccessConfig;
  /** The web config's basic-auth users (user → bcrypt hash). */
  readonly basicAuthUsers: () => ReadonlyMap<string, string> | undefined;
  /** bridge.webhook.token: in the old single-token mode it is the alert API's credential too. */
  readonly webhookToken: () => string | undefined;
}

/**
 * Tells who sent a request. Bearer tokens of principals are bcrypt-hashed in the config and checked as
 * the web config's basic-auth passwords are: a success is cached by a SHA-256 of the token, a failure is
 * not (guessing stays expensive). An uncached token costs one bcrypt comparison per principal.
 *
 * Old single-token mode (no principals, no basic-auth roles): the webhook token keeps the rights it had
 * (the whole alert API), as `shared webhook token`; with no token at all, loopback callers keep them.
 */
export class Authenticator {
  private readonly verified = new Map<string, string>();
  /** Made on first use: hashing at construction loaded bcryptjs and spent a cost-10 hash in every `serve`. */
  private decoy: string | undefined;
  private basic: { users: ReadonlyMap<string, string>; verifier: BasicAuthVerifier } | undefined;

  constructor(private readonly options: AuthenticatorOptions) {}

  /** True when the config names no principals and no basic-auth roles: today's single shared token rules. */
  get legacy(): boolean {
    const access = this.options.access();
    return access.principals.length === 0 && Object.keys(access.basic_auth_roles).length === 0;
  }

  /**
   * No credential the guarded routes could ask for (no principals, no roles, no webhook token, no basic-auth
   * users): the machine's own loopback callers may do everything there, nobody else anything. Not the
   * server-wide loopback-only mode of src/access/loopback-only.ts, which also counts the ingest token: that
   * token never opened these routes, so with only it set they keep trusting loopback, as before.
   */
  get trustsLoopback(): boolean {
    return this.legacy && (this.options.webhookToken() ?? '') === '' && !this.hasBasicUsers;
  }

  /** Whether the web config has basic-auth users (then a browser can be asked to sign in). */
  get hasBasicUsers(): boolean {
    return (this.options.basicAuthUsers()?.size ?? 0) > 0;
  }

  async identify(req: Request): Promise<Identification> {
    const header = req.get('authorization') ?? '';
    const bearer = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
    if (bearer !== undefined) return this.bearer(bearer);
    if (/^Basic\s/i.test(header)) return this.basicUser(header);
    if (this.trustsLoopback && isLoopback(req.socket.remoteAddress) && !fromWebPage(req)) {
      return { principal: { name: 'local', role: 'admin', via: 'loopback' } };
    }
    return { anonymous: true };
  }

  private async bearer(token: string): Promise<Identification> {
    const { principals } = this.options.access();
    const webhookToken = this.options.webhookToken();
    if (this.legacy) {
      return webhookToken !== undefined && webhookToken !== '' && sameSecret(token, webhookToken)
        ? { principal: { name: 'shared webhook token', role: 'admin', via: 'shared-token' } }
        : { failure: 'unauthorized' };
    }
    const key = createHash('sha256').update(token).digest('hex');
    const cached = this.verified.get(key);
    const known = cached === undefined ? undefined : principals.find((p) => p.name === cached);
    if (known !== undefined) return { principal: { name: known.name, role: known.role, via: 'token' } };
    for (const principal of principals) {
      if (await bcrypt().compare(token, principal.token_hash)) {
        if (this.verified.size >= CACHE_LIMIT) this.verified.delete(this.verified.keys().next().value as string);
        this.verified.set(key, principal.name);
        return { principal: { name: principal.name, role: principal.role, via: 'token' } };
      }
    }
    // The same time whatever the number of principals is not promised; one decoy keeps "no principals" slow too.
    if (principals.length === 0) await bcrypt().compare(token, (this.decoy ??= bcrypt().hashSync(randomBytes(16).toString('hex'), 10)));
    return { failure: 'unauthorized' };
  }

  private async basicUser(header: string): Promise<Identification> {
    const users = this.options.basicAuthUsers();
    if (users === undefined) return { failure: 'unauthorized' };
    if (this.basic?.users !== users) this.basic = { users, verifier: new BasicAuthVerifier(users) };
    if (!(await this.basic.verifier.verify(header))) return { failure: 'unauthorized' };
    const user =
      Buffer.from(header.replace(/^Basic\s+/i, ''), 'base64')
        .toString('utf8')
        .split(':')[0] ?? '';
    // Old single-token mode: basic-auth users keep what they had (everything behind the basic auth).
    return { principal: { name: user, role: this.options.access().basic_auth_roles[user] ?? (this.legacy ? 'admin' : 'viewer'), via: 'basic' } };
  }
}
