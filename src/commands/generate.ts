import { parseFlags, UsageError } from '../cli/parse-flags.js';
import { runGenerate } from '../monitoring/generate.js';

export const GENERATE_USAGE = `usage: ide-monitor generate [--config FILE] [--out DIR] [--check] [--profile default|test]

Writes the Prometheus rules and promtool tests, Grafana dashboards and provisioning, Kubernetes
manifests and docs/alerts.md from the typed sources in src/monitoring, deterministically.

  --config FILE   YAML file with a _config mapping overriding thresholds (mixin style)
  --out DIR       where to write (default: the current directory)
  --check         write nothing; exit 1 naming every file that differs from what would be generated
  --profile NAME  "test" shortens every alert's "for" to seconds, for end-to-end tests`;

export async function generate(argv: readonly string[]): Promise<number> {
  const flags = parseFlags(argv, [], {
    config: { type: 'string' },
    out: { type: 'string' },
    check: { type: 'boolean' },
    profile: { type: 'string' },
  });
  if (flags.options['help'] === true) {
    process.stdout.write(`${GENERATE_USAGE}\n`);
    return 0;
  }
  if (flags.positionals.length > 0) throw new UsageError(`generate takes no arguments, got ${flags.positionals.join(' ')}; see --help`);
  const profile = flags.options['profile'] ?? 'default';
  if (profile !== 'default' && profile !== 'test') throw new UsageError(`--profile must be "default" or "test", got ${JSON.stringify(profile)}`);
  const configFile = flags.options['config'] as string | undefined;
  return runGenerate(
    {
      ...(configFile !== undefined && { configFile }),
      outDir: (flags.options['out'] as string | undefined) ?? '.',
      check: flags.options['check'] === true,
      profile,
    },
    (line) => process.stdout.write(`${line}\n`),
  );
}
