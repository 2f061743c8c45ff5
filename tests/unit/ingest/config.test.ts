import { describe, expect, it } from 'vitest';
import { parseFlags } from '../../../src/cli/parse-flags.js';
import { loadConfig } from '../../../src/config/load.js';
import { ConfigError, formatProblem } from '../../../src/config/problems.js';
import { SERVE_SETTINGS } from '../../../src/config/settings.js';
import { parseByteSize } from '../../../src/config/schema-types.js';

function load(env: NodeJS.ProcessEnv = {}, argv: string[] = []) {
  return loadConfig({ env, flags: parseFlags(argv, SERVE_SETTINGS, {}).settings, settings: SERVE_SETTINGS });
}

describe('ingest config section', () => {
  it('has the documented defaults', () => {
    expect(load().ingest).toEqual({
      enabled: true,
      max_body_size: 1_048_576,
      max_label_values: 100,
      allowlists: {},
      instance_stale_after: 60_000,
      server_retention: 900_000,
    });
  });

  it('reads sizes with units', () => {
    expect([parseByteSize('1MiB'), parseByteSize('512KiB'), parseByteSize('2MB'), parseByteSize('100'), parseByteSize('1.5kb')]).toEqual([
      1_048_576, 524_288, 2_000_000, 100, 1500,
    ]);
    expect([parseByteSize('1 parsec'), parseByteSize('-1'), parseByteSize('0'), parseByteSize('')]).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('takes flags and variables for the useful settings, the token from IDE_MONITOR_INGEST_TOKEN', () => {
    const config = load({ IDE_MONITOR_INGEST_TOKEN: 't0k', IDE_MONITOR_INGEST_MAX_LABEL_VALUES: '20', IDE_MONITOR_INGEST_SERVER_RETENTION: '5m' }, [
      '--ingest.max-body-size=256KiB',
      '--ingest.instance-stale-after=30s',
    ]);
    expect(config.ingest).toMatchObject({
      token: 't0k',
      max_label_values: 20,
      server_retention: 300_000,
      max_body_size: 262_144,
      instance_stale_after: 30_000,
    });
  });

  it('names the setting and the source in errors', () => {
    try {
      load({ IDE_MONITOR_INGEST_MAX_LABEL_VALUES: 'many' }, ['--ingest.max-body-size=huge']);
      throw new Error('expected a ConfigError');
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      const problems = error.problems.map(formatProblem).join('\n');
      expect(problems).toMatch(/ingest\.max_label_values.*positive integer/);
      expect(problems).toMatch(/ingest\.max_body_size.*invalid size "huge"/);
      expect(problems).toContain('IDE_MONITOR_INGEST_MAX_LABEL_VALUES');
    }
  });
});
