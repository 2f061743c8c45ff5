import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { load } from 'js-yaml';
import type { BridgeConfig } from '../config/sections/bridge.js';
import type { ActionDefinition } from './actions/schema.js';
import { CHANNELS } from './channels/registry.js';
import { routingProblems } from './feature.js';
import { compileRoutes, route } from './routing.js';
import { silentLogger } from '../log.js';
import { Registry } from 'prom-client';

/** An alerting rule as Prometheus would fire it: its name and the labels it sets itself. */
export interface ShippedAlert {
  readonly alertname: string;
  /** The rule's static labels plus alertname; labels from the series (instance, server…) are not known here. */
  readonly labels: Readonly<Record<string, string>>;
}

/** The alerting rules of a Prometheus rules file or a directory of them (`*.yml`, `*.yaml`). */
export function loadRuleAlerts(fileOrDir: string): ShippedAlert[] {
  const files = statSync(fileOrDir).isDirectory()
    ? readdirSync(fileOrDir)
        .filter((f) => /\.ya?ml$/.test(f))
        .sort()
        .map((f) => path.join(fileOrDir, f))
    : [fileOrDir];
  const alerts: ShippedAlert[] = [];
  for (const file of files) {
    const doc = load(readFileSync(file, 'utf8')) as { groups?: Array<{ rules?: Array<{ alert?: string; labels?: Record<string, string> }> }> } | undefined;
    for (const group of doc?.groups ?? []) {
      for (const rule of group.rules ?? []) {
        if (typeof rule.alert === 'string') alerts.push({ alertname: rule.alert, labels: { ...(rule.labels ?? {}), alertname: rule.alert } });
      }
    }
  }
  return alerts;
}

/**
 * The settings that check out but do nothing: channels no route reaches (and routed channels with no
 * endpoint), and, given the alerting rules, actions that can never run, because no shipped alert matches
 * them at a severity whose route allows actions. One line each, for `check-config` and the startup log.
 */
export function bridgeWarnings(config: BridgeConfig, rules?: readonly ShippedAlert[]): string[] {
  const routes = compileRoutes(config.routes);
  const configured = configuredChannels(config);
  const warnings = routingProblems(routes, configured, config);
  if (rules !== undefined) {
    for (const definition of config.actions.definitions) {
      if (!rules.some((alert) => couldMatch(definition, alert.labels) && route(routes, alert.labels).actions)) {
        warnings.push(
          `bridge.actions ${definition.name}: no alerting rule can trigger it (none matches ${describe(definition)} at a severity whose route allows actions); check its match labels and the routes' actions: true`,
        );
      }
    }
  }
  return warnings;
}

/**
 * The channels serve would configure, made as serve makes them (secret files read, URLs checked): a
 * channel serve would refuse to start with throws here too, with the same one-line message.
 */
function configuredChannels(config: BridgeConfig): Map<string, true> {
  const configured = new Map<string, true>();
  for (const channel of CHANNELS) {
    // A throw-away registry: the channels' counters must not land in a running server's.
    const notifier = channel.create(config.channels[channel.name]!, { logger: silentLogger, registry: new Registry() });
    if (notifier === undefined) continue;
    notifier.close?.();
    configured.set(channel.name, true);
  }
  return configured;
}

/** Whether the action's matchers can hold for an alert with these static labels (labels the rule leaves to the series may be anything). */
function couldMatch(definition: ActionDefinition, labels: Readonly<Record<string, string>>): boolean {
  const equal = Object.entries(definition.match ?? {}).every(([name, value]) => !Object.hasOwn(labels, name) || labels[name] === value);
  const regex = Object.entries(definition.match_re ?? {}).every(
    ([name, source]) => !Object.hasOwn(labels, name) || new RegExp(`^(?:${source})$`).test(labels[name]!),
  );
  return equal && regex;
}

function describe(definition: ActionDefinition): string {
  const parts = [
    ...Object.entries(definition.match ?? {}).map(([k, v]) => `${k}="${v}"`),
    ...Object.entries(definition.match_re ?? {}).map(([k, v]) => `${k}=~"${v}"`),
  ];
  return parts.length === 0 ? 'any alert' : `{${parts.join(', ')}}`;
}
