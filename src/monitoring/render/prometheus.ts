import type { MonitoringConfig } from '../config.js';
import { ruleGroups } from '../rules/index.js';
import type { RuleArea } from '../rules/model.js';
import { yaml } from './yaml.js';

export const RULES_DIR = 'prometheus/rules';

export function ruleFilePath(area: RuleArea): string {
  return `${RULES_DIR}/${area.file}.yml`;
}

export function renderRuleFile(area: RuleArea): string {
  return yaml({ groups: ruleGroups(area) });
}

/** The Prometheus of the compose setup: scrapes the exporter, itself and Alertmanager; loads every rules file. */
export function renderPrometheusConfig(config: MonitoringConfig): string {
  const p = config.prometheus;
  const job = (name: string, target: string) => ({ job_name: name, static_configs: [{ targets: [target] }] });
  return yaml({
    global: { scrape_interval: config.scrapeInterval, evaluation_interval: config.evaluationInterval },
    rule_files: ['rules/*.yml'],
    alerting: { alertmanagers: [{ static_configs: [{ targets: [p.alertmanagerTarget] }] }] },
    scrape_configs: [job(p.jobName, p.exporterTarget), job('prometheus', 'localhost:9090'), job('alertmanager', p.alertmanagerTarget)],
  });
}
