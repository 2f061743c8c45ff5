import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { BasicAuthVerifier } from '../../../src/exporter/basic-auth.js';

const header = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const HASH = bcrypt.hashSync('s3cret', 4);

/** The real bcrypt comparison, counted. */
function countingCompare() {
  const calls: string[] = [];
  const compare = async (password: string, hash: string) => {
    calls.push(hash === HASH ? 'user' : 'decoy');
    return bcrypt.compare(password, hash);
  };
  return { calls, compare };
}

describe('BasicAuthVerifier', () => {
  it('pays bcrypt once for the right credentials, then answers from the cache', async () => {
    const { calls, compare } = countingCompare();
    const verifier = new BasicAuthVerifier(new Map([['prometheus', HASH]]), compare);
    for (let i = 0; i < 5; i++) expect(await verifier.verify(header('prometheus', 's3cret'))).toBe(true);
    expect(calls).toEqual(['user']);
  });

  it('never caches a failure: every wrong guess pays bcrypt', async () => {
    const { calls, compare } = countingCompare();
    const verifier = new BasicAuthVerifier(new Map([['prometheus', HASH]]), compare);
    for (let i = 0; i < 3; i++) expect(await verifier.verify(header('prometheus', 'guess'))).toBe(false);
    expect(calls).toEqual(['user', 'user', 'user']);
  });

  it('compares an unknown user against a decoy hash, so timing does not reveal who exists', async () => {
    const { calls, compare } = countingCompare();
    const verifier = new BasicAuthVerifier(new Map([['prometheus', HASH]]), compare);
    expect(await verifier.verify(header('nobody', 's3cret'))).toBe(false);
    expect(calls).toEqual(['decoy']);
  });

  it.each([undefined, 'Bearer abc', 'Basic !!!', `Basic ${Buffer.from('no-colon').toString('base64')}`])(
    'rejects the header %j without a bcrypt call',
    async (value) => {
      const { calls, compare } = countingCompare();
      const verifier = new BasicAuthVerifier(new Map([['prometheus', HASH]]), compare);
      expect(await verifier.verify(value)).toBe(false);
      expect(calls).toEqual([]);
    },
  );
});
