import { z } from 'zod';
import { parseDuration } from './duration.js';
import { parseListenAddress } from './listen-address.js';

/** Field types shared by the config sections. */
export const regex = z.string().superRefine((text, ctx) => {
  try {
    new RegExp(text);
  } catch (error) {
    const reason = (error as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, '');
    ctx.addIssue({ code: 'custom', message: `invalid regular expression ${JSON.stringify(text)}: ${reason}` });
  }
});

export const duration = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) {
    ctx.addIssue({ code: 'custom', message: `invalid duration ${JSON.stringify(text)}: use a number and a unit, e.g. 500ms, 5s, 1m` });
    return z.NEVER;
  }
  return ms;
});

export const listenAddress = z.string().transform((text, ctx) => {
  const parsed = parseListenAddress(text);
  if (parsed === undefined) {
    ctx.addIssue({ code: 'custom', message: 'invalid listen address: use host:port, :port or [ipv6]:port, e.g. ":10451" or "127.0.0.1:10451"' });
    return z.NEVER;
  }
  return { text, ...parsed };
});

export const enabled = (on: boolean) => z.boolean().default(on);

const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1e3, kib: 2 ** 10, mb: 1e6, mib: 2 ** 20, gb: 1e9, gib: 2 ** 30 };
const SIZE = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i;

/** `1MiB`, `512KiB`, `200kB`, or a plain number of bytes (as a number or as text from a flag). */
export function parseByteSize(text: string): number | undefined {
  const match = SIZE.exec(text);
  if (match === null) return undefined;
  const unit = SIZE_UNITS[(match[2] ?? '').toLowerCase() || 'b'];
  if (unit === undefined) return undefined;
  const bytes = Math.floor(Number(match[1]) * unit);
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : undefined;
}

export const byteSize = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const bytes = typeof value === 'number' ? (Number.isSafeInteger(value) && value > 0 ? value : undefined) : parseByteSize(value);
  if (bytes === undefined) {
    ctx.addIssue({ code: 'custom', message: `invalid size ${JSON.stringify(value)}: use bytes or a number with a unit, e.g. 1MiB, 512KiB` });
    return z.NEVER;
  }
  return bytes;
});

/** Flags and variables arrive as text; the file may say 100 or "100". */
export const positiveInt = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const n = typeof value === 'number' ? value : /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) {
    ctx.addIssue({ code: 'custom', message: `expected a positive integer, got ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  return n;
});
