import type { BridgeChannel, RouteConfig } from '../config/sections/bridge.js';
import { compileLabelMatcher, type LabelMatcher } from './actions/match.js';

/** What happens to one alert: the channels it is sent to and whether automated actions may run. */
export interface RouteDecision {
  readonly channels: ReadonlySet<BridgeChannel>;
  readonly actions: boolean;
}

export interface Route {
  readonly match: Readonly<Record<string, string>>;
  /** `match` and `match_re` compiled with the actions' matcher: one reading of Alertmanager's semantics. */
  readonly matches: LabelMatcher;
  readonly channels: readonly BridgeChannel[];
  readonly actions: boolean;
  readonly continue: boolean;
}

/**
 * Our rules use severity critical/high/medium/low (monitoring/thresholds.ts). An alert without one of
 * these still goes to Slack: dropping an alert because its rule forgot a label would be silent loss.
 */
const DEFAULT_ROUTE_CONFIG: RouteConfig[] = [
  { match: { severity: 'critical' }, match_re: {}, channels: ['pagerduty', 'slack'], actions: true, continue: false },
  { match: { severity: 'high' }, match_re: {}, channels: ['slack'], actions: true, continue: false },
  { match: { severity: 'medium' }, match_re: {}, channels: ['slack'], actions: false, continue: false },
  { match: { severity: 'low' }, match_re: {}, channels: [], actions: false, continue: false },
  { match: {}, match_re: {}, channels: ['slack'], actions: false, continue: false },
];
export const DEFAULT_ROUTES: readonly Route[] = DEFAULT_ROUTE_CONFIG.map(compileRoute);

export function compileRoutes(config: readonly RouteConfig[]): readonly Route[] {
  if (config.length === 0) return DEFAULT_ROUTES;
  return config.map(compileRoute);
}

function compileRoute(route: RouteConfig): Route {
  // Anchored like Alertmanager's match_re, so `high|critical` cannot match `not-high`.
  return { match: route.match, matches: compileLabelMatcher(route), channels: route.channels, actions: route.actions, continue: route.continue };
}

/** Walks the routes in order; a match stops the walk unless it says `continue`. No match: nothing is sent. */
export function route(routes: readonly Route[], labels: Readonly<Record<string, string>>): RouteDecision {
  const channels = new Set<BridgeChannel>();
  let actions = false;
  for (const candidate of routes) {
    if (!candidate.matches(labels)) continue;
    for (const channel of candidate.channels) channels.add(channel);
    actions ||= candidate.actions;
    if (!candidate.continue) break;
  }
  return { channels, actions };
}
