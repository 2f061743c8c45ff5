import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeIssues, webhookPayloadSchema } from '../../../src/bridge/payload.js';
import { amFixture, amFixtures } from './fixtures.js';

describe('the Alertmanager webhook payload schema', () => {
  it('accepts every payload captured from the real Alertmanager', () => {
    const fixtures = amFixtures();
    expect(fixtures.map((f) => f.name)).toEqual(['firing-and-resolved', 'firing-group', 'firing-single', 'resolved-group', 'truncated']);
    for (const { name, body } of fixtures) {
      const parsed = webhookPayloadSchema.safeParse(body);
      expect(parsed.success, `${name}: ${parsed.success ? '' : describeIssues(parsed.error)}`).toBe(true);
    }
    const mixed = webhookPayloadSchema.parse(amFixture('firing-and-resolved'));
    expect(mixed.alerts.map((a) => a.status)).toEqual(['firing', 'resolved', 'firing']);
    expect(mixed.alerts[0]!.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(mixed.alerts[0]!.endsAt).toBe('0001-01-01T00:00:00Z');
  });

  it('rejects an unknown version with a reason naming the version we speak', () => {
    const result = webhookPayloadSchema.safeParse({ ...amFixture('firing-single'), version: '5' });
    expect(result.success).toBe(false);
    expect(describeIssues(result.error!)).toBe('version: unsupported payload version "5"; this bridge speaks Alertmanager\'s webhook version "4"');
  });

  it('names the missing or malformed field', () => {
    const body = amFixture('firing-single');
    const alerts = body['alerts'] as Array<Record<string, unknown>>;
    const { fingerprint: _f, ...noFingerprint } = alerts[0]!;
    expect(describeIssues(webhookPayloadSchema.safeParse({ ...body, alerts: [noFingerprint] }).error!)).toMatch(/^alerts\.0\.fingerprint: /);
    expect(describeIssues(webhookPayloadSchema.safeParse({ ...body, alerts: [{ ...alerts[0], startsAt: 'yesterday' }] }).error!)).toBe(
      'alerts.0.startsAt: must be an RFC 3339 timestamp',
    );
    expect(describeIssues(webhookPayloadSchema.safeParse({ ...body, groupKey: undefined }).error!)).toMatch(/^groupKey: /);
    expect(describeIssues(webhookPayloadSchema.safeParse({ ...body, alerts: [] }).error!)).toBe('alerts: must contain at least one alert');
  });

  it('never throws on arbitrary JSON: it parses or yields issues', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const result = webhookPayloadSchema.safeParse(value);
        if (!result.success) expect(describeIssues(result.error).length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });
});
