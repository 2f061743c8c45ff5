import { postgresBinDir } from './postgres-cluster.mjs';

export { startPostgres, type RunningPostgres } from './postgres-cluster.mjs';

/** Like requireBinary: missing in CI fails, missing on a developer's machine skips with a visible line. */
export function requirePostgres(): string | undefined {
  const found = postgresBinDir();
  if (found !== undefined) return found;
  const message = 'needs postgresql (/usr/lib/postgresql/*/bin/initdb); run scripts/install-test-deps.sh';
  if (process.env['CI'] === 'true') throw new Error(`CI must not skip: ${message}`);
  console.warn(`SKIPPED: ${message}`);
  return undefined;
}
