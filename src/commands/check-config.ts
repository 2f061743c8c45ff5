import { resolveServeConfig } from './serve.js';
import { UsageError } from '../cli/parse-flags.js';

export const CHECK_CONFIG_USAGE = `usage: ide-monitor check-config FILE

Validates a configuration file (and the web config file it names) and prints every problem with its
file, line and setting path. Beyond the schema it checks what serve would refuse at start: secrets in
*_file files (missing or empty), change-me… placeholder secrets, the bridge's data directory, TLS files.
The environment of the machine running the check is not used. Exit code 0 when valid, 1 when not.`;

export function checkConfig(argv: readonly string[]): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${CHECK_CONFIG_USAGE}\n`);
    return 0;
  }
  const [file, ...rest] = argv;
  if (file === undefined || rest.length > 0) throw new UsageError('check-config takes exactly one FILE; see --help');
  // Only the file is checked: the environment of the machine running the check is not the server's.
  resolveServeConfig([`--config.file=${file}`], {});
  process.stdout.write(`${file}: OK\n`);
  return 0;
}
