import { readFileSync } from 'node:fs';

/** A secret could not be read from its `*_file`. */
export class SecretFileError extends Error {
  constructor(
    readonly setting: string,
    readonly file: string,
    readonly reason: string,
  ) {
    super(`cannot read ${setting} from ${file}: ${reason}`);
    this.name = 'SecretFileError';
  }
}

/**
 * A secret given inline (YAML, environment, flag) or as `*_file` (a mounted Kubernetes/Docker secret).
 * The inline value wins, so an environment variable overrides a file named in YAML, as the precedence
 * of every other setting says. Trailing newlines of the file are dropped.
 */
export function resolveSecret(setting: string, inline: string | undefined, file: string | undefined): string | undefined {
  if (inline !== undefined && inline !== '') return inline;
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new SecretFileError(setting, file, (error as NodeJS.ErrnoException).code ?? (error as Error).message);
  }
  const value = text.replace(/[\r\n]+$/, '');
  if (value === '') throw new SecretFileError(setting, file, 'the file is empty');
  return value;
}

/**
 * Whitespace a secret file keeps around its value once the final newlines are dropped: a space or tab pasted
 * with the token, or a blank first line. It stays part of the secret (a token may contain anything), so a
 * client sending the token without it is refused; `serve` warns once at startup and `check-config` prints it.
 * Never says what the value is.
 */
export function secretWhitespaceWarning(value: string): string | undefined {
  const leading = /^\s/.test(value);
  const trailing = /\s$/.test(value);
  if (!leading && !trailing) return undefined;
  const where = leading && trailing ? 'starts and ends' : leading ? 'starts' : 'ends';
  return `the secret in this file ${where} with whitespace other than a final newline, which is kept as part of it (clients sending it without that whitespace are refused); remove it if it was not meant`;
}
