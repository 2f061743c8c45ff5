import { createHash, randomBytes } from 'node:crypto';
import { lazy } from '../lazy-require.js';

const bcrypt = lazy<typeof import('bcryptjs')>('bcryptjs');

const CACHE_LIMIT = 256;

/**
 * Checks HTTP basic credentials against bcrypt hashes. A bcrypt check costs tens of milliseconds, far more
 * than a scrape, so successful checks are cached by a SHA-256 of the presented credentials (as
 * exporter-toolkit does); failures are never cached, so guessing stays expensive.
 */
export class BasicAuthVerifier {
  private readonly verified = new Map<string, true>();
  /** Compared against for unknown users, so the response time does not reveal which users exist. */
  private readonly decoyHash = bcrypt().hashSync(randomBytes(16).toString('hex'), 10);

  constructor(
    private readonly users: ReadonlyMap<string, string>,
    private readonly compare: (password: string, hash: string) => Promise<boolean> = (password, hash) => bcrypt().compare(password, hash),
  ) {}

  async verify(authorization: string | undefined): Promise<boolean> {
    const credentials = parseBasic(authorization);
    if (credentials === undefined) return false;
    const key = createHash('sha256').update(`${credentials.user}\u0000${credentials.password}`).digest('hex');
    if (this.verified.has(key)) return true;
    const hash = this.users.get(credentials.user);
    const ok = await this.compare(credentials.password, hash ?? this.decoyHash);
    if (!ok || hash === undefined) return false;
    if (this.verified.size >= CACHE_LIMIT) this.verified.delete(this.verified.keys().next().value as string);
    this.verified.set(key, true);
    return true;
  }
}

function parseBasic(header: string | undefined): { user: string; password: string } | undefined {
  if (header === undefined) return undefined;
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (match === null) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
