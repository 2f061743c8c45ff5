import { describe, expect, it } from 'vitest';
import { parseListenAddress } from '../../../src/config/listen-address.js';

describe('parseListenAddress', () => {
  it.each([
    [':10451', { host: undefined, port: 10451 }],
    ['127.0.0.1:9', { host: '127.0.0.1', port: 9 }],
    ['localhost:0', { host: 'localhost', port: 0 }],
    ['[::1]:10451', { host: '::1', port: 10451 }],
  ] as const)('%s → %o', (text, expected) => {
    expect(parseListenAddress(text)).toEqual(expected);
  });

  it.each(['10451', 'localhost', ':70000', '::1:10451', 'host :1', '[::1]', ''])('rejects %j', (text) => {
    expect(parseListenAddress(text)).toBeUndefined();
  });
});
