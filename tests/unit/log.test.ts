import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, toLogfmt } from '../../src/log.js';

function capture(format: 'logfmt' | 'json') {
  const out = new PassThrough();
  const lines: string[] = [];
  out.on('data', (d: Buffer) => lines.push(...d.toString().split('\n').filter(Boolean)));
  return { logger: createLogger({ level: 'info', format }, out), lines };
}

describe('logging', () => {
  it('writes logfmt with ts, level and msg first, quoting only what needs it', () => {
    expect(toLogfmt({ time: '2026-01-01T00:00:00.000Z', level: 'warn', msg: 'collector failed', collector: 'cpu', err: new Error('no such file') })).toBe(
      'ts=2026-01-01T00:00:00.000Z level=warn msg="collector failed" collector=cpu err="no such file"',
    );
    expect(toLogfmt({ time: 't', level: 'info', msg: 'ok', path: 'a=b', n: 3 })).toBe('ts=t level=info msg=ok path="a=b" n=3');
  });

  it('honours the level and the format', async () => {
    const logfmt = capture('logfmt');
    logfmt.logger.debug('hidden');
    logfmt.logger.info({ port: 10451 }, 'listening');
    const json = capture('json');
    json.logger.warn({ port: 10451 }, 'listening');
    await new Promise((r) => setImmediate(r));
    expect(logfmt.lines).toHaveLength(1);
    expect(logfmt.lines[0]).toMatch(/^ts=\S+ level=info msg=listening port=10451$/);
    expect(JSON.parse(json.lines[0]!)).toMatchObject({ level: 'warn', msg: 'listening', port: 10451 });
  });
});
