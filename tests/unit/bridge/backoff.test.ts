import { describe, expect, it } from 'vitest';
import { decideRetry, parseRetryAfter, type RetryPolicy } from '../../../src/bridge/backoff.js';

const policy: RetryPolicy = { initialBackoffMs: 1000, maxBackoffMs: 60_000, maxAttempts: 10, maxAgeMs: 3_600_000 };

describe('the retry policy', () => {
  it('doubles the delay per attempt, with jitter between half and all of it, capped', () => {
    const at = (attempts: number, r: number) => decideRetry(policy, attempts, 0, undefined, () => r);
    expect(at(1, 0)).toEqual({ retry: true, delayMs: 500 });
    expect(at(1, 1)).toEqual({ retry: true, delayMs: 1000 });
    expect(at(3, 0)).toEqual({ retry: true, delayMs: 2000 });
    expect(at(3, 1)).toEqual({ retry: true, delayMs: 4000 });
    expect(at(9, 1)).toEqual({ retry: true, delayMs: 60_000 });
    expect(at(9, 0)).toEqual({ retry: true, delayMs: 30_000 });
  });

  it('never retries sooner than Retry-After asks', () => {
    expect(decideRetry(policy, 1, 0, 7000, () => 0)).toEqual({ retry: true, delayMs: 7000 });
    expect(decideRetry(policy, 5, 0, 100, () => 1)).toEqual({ retry: true, delayMs: 16_000 });
  });

  it('dead-letters after the last attempt or when the retry would be past the maximum age', () => {
    expect(decideRetry(policy, 10, 0, undefined)).toEqual({ retry: false, reason: 'gave up after 10 attempts' });
    const late = decideRetry(policy, 2, 3_599_500, undefined, () => 0);
    expect(late.retry).toBe(false);
    expect(late).toMatchObject({ reason: expect.stringContaining('older than 3600 s') });
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter('0.5')).toBe(500);
    const now = Date.parse('2024-05-01T12:00:00Z');
    expect(parseRetryAfter('Wed, 01 May 2024 12:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});
