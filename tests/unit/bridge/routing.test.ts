import { describe, expect, it } from 'vitest';
import { compileRoutes, DEFAULT_ROUTES, route } from '../../../src/bridge/routing.js';
import { SEVERITIES } from '../../../src/monitoring/thresholds.js';

const decide = (routes: ReturnType<typeof compileRoutes>, labels: Record<string, string>) => {
  const d = route(routes, labels);
  return { channels: [...d.channels].sort(), actions: d.actions };
};

describe('routing', () => {
  it('routes by severity by default: critical pages, high and medium go to Slack, low is only logged', () => {
    const routes = compileRoutes([]);
    expect(routes).toBe(DEFAULT_ROUTES);
    expect(decide(routes, { severity: 'critical' })).toEqual({ channels: ['pagerduty', 'slack'], actions: true });
    expect(decide(routes, { severity: 'high' })).toEqual({ channels: ['slack'], actions: true });
    expect(decide(routes, { severity: 'medium' })).toEqual({ channels: ['slack'], actions: false });
    expect(decide(routes, { severity: 'low' })).toEqual({ channels: [], actions: false });
  });

  it('covers every severity our rules use, and sends an alert without a known severity to Slack rather than nowhere', () => {
    const routes = compileRoutes([]);
    for (const severity of SEVERITIES) expect(DEFAULT_ROUTES.some((r) => r.match['severity'] === severity)).toBe(true);
    expect(decide(routes, { alertname: 'Watchdog' })).toEqual({ channels: ['slack'], actions: false });
  });

  it('applies the first matching configured route, label matchers anchored, continue to fall through', () => {
    const routes = compileRoutes([
      { match: { team: 'lsp' }, match_re: { severity: 'high|critical' }, channels: ['webhook'], actions: true, continue: true },
      { match: {}, match_re: { severity: 'critical' }, channels: ['pagerduty'], actions: false, continue: false },
      { match: {}, match_re: {}, channels: ['slack'], actions: false, continue: false },
    ]);
    expect(decide(routes, { team: 'lsp', severity: 'critical' })).toEqual({ channels: ['pagerduty', 'webhook'], actions: true });
    expect(decide(routes, { team: 'lsp', severity: 'high' })).toEqual({ channels: ['slack', 'webhook'], actions: true });
    // Anchored: "not-high" does not match "high|critical".
    expect(decide(routes, { team: 'lsp', severity: 'not-high' })).toEqual({ channels: ['slack'], actions: false });
    expect(decide(routes, { team: 'ide', severity: 'critical' })).toEqual({ channels: ['pagerduty'], actions: false });
  });

  it('sends nothing when no configured route matches', () => {
    const routes = compileRoutes([{ match: { team: 'lsp' }, match_re: {}, channels: ['slack'], actions: false, continue: false }]);
    expect(decide(routes, { team: 'ide' })).toEqual({ channels: [], actions: false });
  });
});
