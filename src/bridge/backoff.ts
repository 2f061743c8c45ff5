/**
 * The one retry policy of the bridge: exponential backoff with jitter, a server's Retry-After honoured,
 * and a bound on attempts and age after which a notification is dead-lettered. Channels only say
 * "retry (after N ms?)"; this decides when, or whether.
 */
export interface RetryPolicy {
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly maxAttempts: number;
  readonly maxAgeMs: number;
}

export type RetryDecision = { readonly retry: true; readonly delayMs: number } | { readonly retry: false; readonly reason: string };

/**
 * `attempts` counts the attempts made so far (≥ 1). The delay doubles per attempt up to the cap, with
 * "equal jitter" (half fixed, half random) so a burst of failures does not come back in lockstep. A
 * Retry-After is a floor, not a hint: Slack and PagerDuty rate-limit the key, not the request.
 */
export function decideRetry(
  policy: RetryPolicy,
  attempts: number,
  ageMs: number,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): RetryDecision {
  if (attempts >= policy.maxAttempts) return { retry: false, reason: `gave up after ${attempts} attempts` };
  const exponential = Math.min(policy.maxBackoffMs, policy.initialBackoffMs * 2 ** Math.min(attempts - 1, 30));
  const jittered = exponential / 2 + random() * (exponential / 2);
  const delayMs = Math.max(Math.round(jittered), retryAfterMs ?? 0);
  if (ageMs + delayMs > policy.maxAgeMs)
    return { retry: false, reason: `gave up: the notification would be older than ${Math.round(policy.maxAgeMs / 1000)} s` };
  return { retry: true, delayMs };
}

/** Retry-After is seconds or an HTTP date (RFC 9110); anything else is ignored. */
export function parseRetryAfter(header: string | undefined, now: number = Date.now()): number | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const text = header.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
