import { describe, expect, it } from 'vitest';
import { compileRoutes, DEFAULT_ROUTES, route } from '../../../src/bridge/routing.js';
import { SEVERITIES } from '../../../src/monitoring/thresholds.js';

const decide = (routes: ReturnType<typeof compileRoutes>, labels: Record<string, string>) => {
  const d = route(routes, labels);
  return { channels: [...d.channels].sort(), actions: d.actions };
};

describe('routing', () => {
  it("routes by the specification's severity table by default: critical pages, high mails and chats, medium chats, low logs", () => {
    const routes = compileRoutes([]);
    expect(routes).toBe(DEFAULT_ROUTES);
    expect(decide(routes, { severity: 'critical' })).toEqual({
      channels: ['discord', 'email', 'opsgenie', 'pagerduty', 'slack', 'sms', 'teams', 'webhook'],
      actions: true,
    });
    expect(decide(routes, { severity: 'high' })).toEqual({ channels: ['discord', 'email', 'slack', 'teams', 'webhook'], actions: true });
    expect(decide(routes, { severity: 'medium' })).toEqual({ channels: ['discord', 'slack', 'teams', 'webhook'], actions: false });
    expect(decide(routes, { severity: 'low' })).toEqual({ channels: ['log', 'webhook'], actions: false });
    // Prometheus' usual severities map onto ours.
    expect(decide(routes, { severity: 'warning' })).toEqual(decide(routes, { severity: 'high' }));
    expect(decide(routes, { severity: 'info' })).toEqual(decide(routes, { severity: 'low' }));
  });

  it('covers every severity our rules use, and sends an alert without a known severity to Slack rather than nowhere', () => {
    const routes = compileRoutes([]);
    for (const severity of SEVERITIES) expect(DEFAULT_ROUTES.slice(0, -1).some((r) => r.matches({ severity }))).toBe(true);
    expect(decide(routes, { alertname: 'Watchdog' })).toEqual({ channels: ['discord', 'log', 'slack', 'teams', 'webhook'], actions: false });
  });

  it('applies the first matching configured route, label matchers anchored, continue to fall through', () => {
    const routes = compileRoutes([
      { match: { team: 'lsp' }, match_re: { severity: 'high|critical' }, channels: ['webhook'], actions: true, continue: true, escalate_to: [] },
      { match: {}, match_re: { severity: 'critical' }, channels: ['pagerduty'], actions: false, continue: false, escalate_to: [] },
      { match: {}, match_re: {}, channels: ['slack'], actions: false, continue: false, escalate_to: [] },
    ]);
    expect(decide(routes, { team: 'lsp', severity: 'critical' })).toEqual({ channels: ['pagerduty', 'webhook'], actions: true });
    expect(decide(routes, { team: 'lsp', severity: 'high' })).toEqual({ channels: ['slack', 'webhook'], actions: true });
    // Anchored: "not-high" does not match "high|critical".
    expect(decide(routes, { team: 'lsp', severity: 'not-high' })).toEqual({ channels: ['slack'], actions: false });
    expect(decide(routes, { team: 'ide', severity: 'critical' })).toEqual({ channels: ['pagerduty'], actions: false });
  });

  it('sends nothing when no configured route matches', () => {
    const routes = compileRoutes([{ match: { team: 'lsp' }, match_re: {}, channels: ['slack'], actions: false, continue: false, escalate_to: [] }]);
    expect(decide(routes, { team: 'ide' })).toEqual({ channels: [], actions: false });
  });

  it("carries the first matching route's escalation", () => {
    const routes = compileRoutes([
      {
        match: { severity: 'critical' },
        match_re: {},
        channels: ['slack'],
        actions: false,
        continue: true,
        escalate_after: 900_000,
        escalate_to: ['pagerduty', 'sms'],
      },
      { match: {}, match_re: {}, channels: ['webhook'], actions: false, continue: false, escalate_after: 60_000, escalate_to: ['email'] },
    ]);
    expect(route(routes, { severity: 'critical' }).escalation).toEqual({ afterMs: 900_000, channels: ['pagerduty', 'sms'] });
    expect(route(routes, { severity: 'low' }).escalation).toEqual({ afterMs: 60_000, channels: ['email'] });
  });
});
