import type { ActionAlert } from './model.js';
import type { ActionDefinition } from './schema.js';

/** A compiled `match` + `match_re` pair. */
export type AlertMatcher = (alert: ActionAlert) => boolean;
/** The same, on a label set (the bridge's routes). */
export type LabelMatcher = (labels: Readonly<Record<string, string>>) => boolean;

/**
 * Alertmanager semantics: every matcher must hold; a missing label counts as the empty string; regular
 * expressions are anchored at both ends (`match_re: { instance: "ide-.*" }` does not match `old-ide-1`).
 * Without any matcher an action applies to every alert the bridge routes to actions.
 */
export function compileMatcher(definition: Pick<ActionDefinition, 'match' | 'match_re'>): AlertMatcher {
  const matches = compileLabelMatcher(definition);
  return (alert) => matches(alert.labels);
}

export function compileLabelMatcher(definition: Pick<ActionDefinition, 'match' | 'match_re'>): LabelMatcher {
  const equal = Object.entries(definition.match ?? {});
  const regexps = Object.entries(definition.match_re ?? {}).map(([label, source]) => [label, new RegExp(`^(?:${source})$`)] as const);
  return (labels) => {
    const value = (label: string) => (Object.hasOwn(labels, label) ? (labels[label] ?? '') : '');
    return equal.every(([label, expected]) => value(label) === expected) && regexps.every(([label, re]) => re.test(value(label)));
  };
}
