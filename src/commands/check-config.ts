import { resolveServeConfig } from './serve.js';
import { UsageError } from '../cli/parse-flags.js';
import { bridgeWarnings, loadRuleAlerts } from '../bridge/config-check.js';

export const CHECK_CONFIG_USAGE = `usage: ide-monitor check-config FILE [--rules FILE_OR_DIR]

Validates a configuration file (and the web config file it names) and prints every problem with its
file, line and setting path. Beyond the schema it checks what serve would refuse at start: secrets in
*_file files (missing or empty), change-me… placeholder secrets, the bridge's data directory, TLS files,
each channel as serve builds it. Settings that are valid but do nothing (a channel no route reaches, a
route naming a channel with no endpoint) are printed as warnings. With --rules (the alerting rules
Prometheus loads, e.g. prometheus/rules), actions that no rule can trigger at a severity whose route
allows actions are warnings too. The environment of the machine running the check is not used. Exit
code 0 when valid, 1 when not.`;

export function checkConfig(argv: readonly string[]): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${CHECK_CONFIG_USAGE}\n`);
    return 0;
  }
  const args = [...argv];
  let rulesPath: string | undefined;
  const rulesAt = args.findIndex((a) => a === '--rules' || a.startsWith('--rules='));
  if (rulesAt >= 0) {
    const [flag] = args.splice(rulesAt, 1);
    rulesPath = flag!.includes('=') ? flag!.slice('--rules='.length) : args.splice(rulesAt, 1)[0];
    if (rulesPath === undefined || rulesPath === '') throw new UsageError('--rules needs a rules file or directory, e.g. --rules prometheus/rules');
  }
  const [file, ...rest] = args;
  if (file === undefined || rest.length > 0) throw new UsageError('check-config takes exactly one FILE; see --help');
  // Only the file is checked: the environment of the machine running the check is not the server's.
  const resolved = resolveServeConfig([`--config.file=${file}`], {});
  if (resolved.help) return 0;
  const { config } = resolved;
  let rules;
  try {
    rules = rulesPath === undefined ? undefined : loadRuleAlerts(rulesPath);
  } catch (error) {
    throw new UsageError(`--rules ${rulesPath}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const warnings = [...resolved.warnings.map((w) => `${w.path}: ${w.message}`), ...(config.bridge.enabled ? bridgeWarnings(config.bridge, rules) : [])];
  for (const warning of warnings) process.stdout.write(`${file}: warning: ${warning}\n`);
  process.stdout.write(`${file}: OK${warnings.length > 0 ? ` (${warnings.length} warning${warnings.length === 1 ? '' : 's'})` : ''}\n`);
  return 0;
}
