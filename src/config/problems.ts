/** One thing wrong with the configuration, with where it came from, so the user knows what to fix. */
export interface ConfigProblem {
  /** `config.yml:12`, `env IDE_MONITOR_WEB_LISTEN_ADDRESS` or `flag --web.listen-address`. */
  readonly source: string;
  /** Dotted path inside the configuration, e.g. `collectors.filesystem.mount_points_exclude`; empty for the whole file. */
  readonly path: string;
  readonly message: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ConfigError';
  }
}

export function formatProblem(problem: ConfigProblem): string {
  return problem.path === '' ? `${problem.source}: ${problem.message}` : `${problem.source} ${problem.path}: ${problem.message}`;
}
