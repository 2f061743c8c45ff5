import { execFileSync } from 'node:child_process';

/**
 * Finds a real program an integration test needs. Missing in CI (CI=true) is a failure, since CI installs
 * it; missing on a developer's machine skips the suite with a visible line.
 */
export function requireBinary(name: string, debianPackage: string): string | undefined {
  const found = which(name);
  if (found !== undefined) return found;
  const message = `needs ${debianPackage} (${name} not on PATH); run scripts/install-test-deps.sh`;
  if (process.env['CI'] === 'true') throw new Error(`CI must not skip: ${message}`);
  console.warn(`SKIPPED: ${message}`);
  return undefined;
}

function which(name: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}
