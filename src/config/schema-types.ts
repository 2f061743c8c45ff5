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

