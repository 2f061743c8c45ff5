import type { RouteConfig } from '../config/sections/bridge.js';
import { compileLabelMatcher, type LabelMatcher } from './actions/match.js';

/** What happens to one alert: the channels it is sent to, whether actions may run, and its escalation. */
export interface RouteDecision {
  readonly channels: ReadonlySet<string>;
  readonly actions: boolean;
  /** The first matching route with an escalation decides it. */
  readonly escalation?: { readonly afterMs: number; readonly channels: readonly string[] };
}

export interface Route {
  readonly match: Readonly<Record<string, string>>;
  /** `match` and `match_re` compiled with the actions' matcher: one reading of Alertmanager's semantics. */
  readonly matches: LabelMatcher;
  readonly channels: readonly string[];
  readonly actions: boolean;
  readonly continue: boolean;
  readonly escalateAfterMs?: number;
  readonly escalateTo: readonly string[];
}

const CHAT = ['slack', 'teams', 'discord'];
const PAGERS = ['pagerduty', 'opsgenie'];
/**
 * The specification's severity table (critical → email + Slack + PagerDuty + SMS; high → email + Slack;
 * medium → Slack; low → log), with the other chat services beside Slack, OpsGenie beside PagerDuty, and
 * the outgoing webhook everywhere. Prometheus' usual `warning` and `info` map onto high and low. Channels
 * that are not configured are skipped. An alert without a known severity still goes to chat: dropping an
 * alert because its rule forgot a label would be silent loss.
 */
const DEFAULT_ROUTE_CONFIG: RouteConfig[] = [
  { match: {}, match_re: { severity: 'critical' }, channels: ['email', ...CHAT, ...PAGERS, 'sms', 'webhook'], actions: true, continue: false, escalate_to: [] },
  { match: {}, match_re: { severity: 'high|warning' }, channels: ['email', ...CHAT, 'webhook'], actions: true, continue: false, escalate_to: [] },
  { match: {}, match_re: { severity: 'medium' }, channels: [...CHAT, 'webhook'], actions: false, continue: false, escalate_to: [] },
  { match: {}, match_re: { severity: 'low|info' }, channels: ['log', 'webhook'], actions: false, continue: false, escalate_to: [] },
  { match: {}, match_re: {}, channels: [...CHAT, 'webhook', 'log'], actions: false, continue: false, escalate_to: [] },
];
export const DEFAULT_ROUTES: readonly Route[] = DEFAULT_ROUTE_CONFIG.map(compileRoute);

export function compileRoutes(config: readonly RouteConfig[]): readonly Route[] {
  if (config.length === 0) return DEFAULT_ROUTES;
  return config.map(compileRoute);
}

function compileRoute(route: RouteConfig): Route {
  // Anchored like Alertmanager's match_re, so `high|critical` cannot match `not-high`.
  return {
    match: route.match,
    matches: compileLabelMatcher(route),
    channels: route.channels,
    actions: route.actions,
    continue: route.continue,
    ...(route.escalate_after !== undefined && { escalateAfterMs: route.escalate_after }),
    escalateTo: route.escalate_to,
  };
}

/** Walks the routes in order; a match stops the walk unless it says `continue`. No match: nothing is sent. */
export function route(routes: readonly Route[], labels: Readonly<Record<string, string>>): RouteDecision {
  const channels = new Set<string>();
  let actions = false;
  let escalation: RouteDecision['escalation'];
  for (const candidate of routes) {
    if (!candidate.matches(labels)) continue;
    for (const channel of candidate.channels) channels.add(channel);
    actions ||= candidate.actions;
    if (escalation === undefined && candidate.escalateAfterMs !== undefined)
      escalation = { afterMs: candidate.escalateAfterMs, channels: candidate.escalateTo };
    if (!candidate.continue) break;
  }
  return { channels, actions, ...(escalation !== undefined && { escalation }) };
}
