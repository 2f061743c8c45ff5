import { readFileSync } from 'node:fs';

export interface BuildInfo {
  readonly version: string;
  readonly revision: string;
  readonly nodeVersion: string;
}

/**
 * The version comes from package.json; the revision from `dist/build-info.json`, which the build writes
 * from git (or `IDE_MONITOR_REVISION`, e.g. in a Docker build without .git).
 */
export function readBuildInfo(): BuildInfo {
  const pkg = readJson(new URL('../package.json', import.meta.url)) as { version?: string } | undefined;
  const built = readJson(new URL('./build-info.json', import.meta.url)) as { revision?: string } | undefined;
  return {
    version: pkg?.version ?? 'unknown',
    revision: process.env['IDE_MONITOR_REVISION'] ?? built?.revision ?? 'unknown',
    nodeVersion: process.version,
  };
}

function readJson(url: URL): unknown {
  try {
    return JSON.parse(readFileSync(url, 'utf8'));
  } catch {
    return undefined;
  }
}
