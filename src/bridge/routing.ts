import type { BridgeChannel, RouteConfig } from '../config/sections/bridge.js';

/** What happens to one alert: the channels it is sent to and whether automated actions may run. */
export interface RouteDecision {
  readonly channels: ReadonlySet<BridgeChannel>;
  readonly actions: boolean;
}

export interface Route {
  readonly match: Readonly<Record<string, string>>;
  readonly matchRe: Readonly<Record<string, RegExp>>;
  readonly channels: readonly BridgeChannel[];
  readonly actions: boolean;
  readonly continue: boolean;
}

/**
 * Our rules use severity critical/high/medium/low (monitoring/thresholds.ts). An alert without one of
 * these still goes to Slack: dropping an alert because its rule forgot a label would be silent loss.
 */
export const DEFAULT_ROUTES: readonly Route[] = [
  { match: { severity: 'critical' }, matchRe: {}, channels: ['pagerduty', 'slack'], actions: true, continue: false },
  { match: { severity: 'high' }, matchRe: {}, channels: ['slack'], actions: true, continue: false },
  { match: { severity: 'medium' }, matchRe: {}, channels: ['slack'], actions: false, continue: false },
  { match: { severity: 'low' }, matchRe: {}, channels: [], actions: false, continue: false },
  { match: {}, matchRe: {}, channels: ['slack'], actions: false, continue: false },
];

export function compileRoutes(config: readonly RouteConfig[]): readonly Route[] {
  if (config.length === 0) return DEFAULT_ROUTES;
  return config.map((route) => ({
    match: route.match,
    // Anchored like Alertmanager's match_re, so `high|critical` cannot match `not-high`.
    matchRe: Object.fromEntries(Object.entries(route.match_re).map(([label, source]) => [label, new RegExp(`^(?:${source})$`)])),
    channels: route.channels,
    actions: route.actions,
    continue: route.continue,
  }));
}

export function matches(route: Route, labels: Readonly<Record<string, string>>): boolean {
  for (const [label, value] of Object.entries(route.match)) if ((labels[label] ?? '') !== value) return false;
  for (const [label, pattern] of Object.entries(route.matchRe)) if (!pattern.test(labels[label] ?? '')) return false;
  return true;
}

/** Walks the routes in order; a match stops the walk unless it says `continue`. No match: nothing is sent. */
export function route(routes: readonly Route[], labels: Readonly<Record<string, string>>): RouteDecision {
  const channels = new Set<BridgeChannel>();
  let actions = false;
  for (const candidate of routes) {
    if (!matches(candidate, labels)) continue;
    for (const channel of candidate.channels) channels.add(channel);
    actions ||= candidate.actions;
    if (!candidate.continue) break;
  }
  return { channels, actions };
}
