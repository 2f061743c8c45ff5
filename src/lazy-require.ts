import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * Loads a module on first use. For libraries only some runs need (YAML positions for error messages,
 * bcrypt for basic auth): each costs megabytes of resident memory in an exporter whose budget is 80 MB.
 */
export function lazy<T>(id: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= require(id) as T);
}
