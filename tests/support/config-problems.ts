import { ConfigError, formatProblem } from '../../src/config/problems.js';

/** The formatted problems of the ConfigError `fn` throws; fails when it throws nothing or something else. */
export function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map(formatProblem);
    throw error;
  }
  throw new Error('expected a ConfigError');
}
