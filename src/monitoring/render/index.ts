import type { MonitoringConfig } from '../config.js';
import { dashboards } from '../dashboards/index.js';
import { renderPromtoolTests, TESTS_DIR } from '../promtool/index.js';
import { ruleAreas } from '../rules/index.js';
import { ALERTMANAGER_CONFIG, renderAlertmanagerConfig } from './alertmanager.js';
import { BRIDGE_KUBERNETES_DIR, renderBridgeKubernetes } from './bridge-kubernetes.js';
import { ALERTS_DOC, renderAlertsDoc } from './docs.js';
import { DASHBOARDS_DIR, dashboardFileName, renderDashboardProvider, renderDatasources } from './grafana.js';
import { KUBERNETES_DIR, renderKubernetes } from './kubernetes.js';
import { renderPrometheusConfig, renderRuleFile, ruleFilePath, RULES_DIR } from './prometheus.js';
import { json } from './yaml.js';

export interface RenderOptions {
  /** The promtool tests are written for the default thresholds and `for` durations only. */
  readonly tests: boolean;
}

/** Directories whose every file the generator owns: a file there that it does not produce is stale. */
export function ownedDirectories(options: RenderOptions): string[] {
  return [RULES_DIR, DASHBOARDS_DIR, KUBERNETES_DIR, BRIDGE_KUBERNETES_DIR, ...(options.tests ? [TESTS_DIR] : [])];
}

/** Everything `generate` writes, by path relative to the output directory, in a stable order. */
export function renderAll(config: MonitoringConfig, options: RenderOptions): Map<string, string> {
  const areas = ruleAreas(config);
  const boards = dashboards(config);
  const files = new Map<string, string>();
  files.set('prometheus/prometheus.yml', renderPrometheusConfig(config));
  for (const area of areas) files.set(ruleFilePath(area), renderRuleFile(area));
  files.set(ALERTMANAGER_CONFIG, renderAlertmanagerConfig(config, areas));
  if (options.tests) for (const [path, text] of renderPromtoolTests(config)) files.set(path, text);
  for (const { key, dashboard } of boards) files.set(`${DASHBOARDS_DIR}/${dashboardFileName(key)}`, json(dashboard));
  files.set('grafana/provisioning/datasources/prometheus.yml', renderDatasources(config));
  files.set('grafana/provisioning/dashboards/ide-monitor.yml', renderDashboardProvider(config));
  for (const [path, text] of renderKubernetes(config, areas, boards)) files.set(path, text);
  for (const [path, text] of renderBridgeKubernetes(config)) files.set(path, text);
  files.set(ALERTS_DOC, renderAlertsDoc(areas));
  return files;
}
