import type { MonitoringConfig } from '../config.js';
import { appRules } from './app.js';
import { hostRules } from './host.js';
import { lspRules } from './lsp.js';
import { ruleContext, type AlertingRule, type RecordingRule, type RuleArea } from './model.js';
import { predictiveRules } from './predictive.js';
import { selfRules } from './self.js';

export interface RuleGroup {
  readonly name: string;
  readonly rules: readonly (RecordingRule | AlertingRule)[];
}

/** Every rules file, in the order the docs list them. */
export function ruleAreas(config: MonitoringConfig): RuleArea[] {
  const ctx = ruleContext(config);
  return [hostRules(ctx), lspRules(ctx), appRules(ctx), predictiveRules(ctx), selfRules(ctx)];
}

/** Recording rules and alerts in separate groups, so an alert group never waits on a slow recording group. */
export function ruleGroups(area: RuleArea): RuleGroup[] {
  const groups: RuleGroup[] = [];
  if (area.recording.length > 0) groups.push({ name: `ide-monitor.${area.file}.rules`, rules: area.recording });
  if (area.alerts.length > 0) groups.push({ name: `ide-monitor.${area.file}.alerts`, rules: area.alerts.map((a) => a.rule) });
  return groups;
}
