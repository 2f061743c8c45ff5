import { isHttpUrl } from './format.js';

/** A URL read from a `*_file` did not pass the schema's URL check; never echo it (it is a secret). */
export function requireSecretUrl(what: string, value: string): string {
  if (!isHttpUrl(value)) throw new Error(`the ${what} must be an http:// or https:// URL (value not shown: it is a secret)`);
  return value;
}
