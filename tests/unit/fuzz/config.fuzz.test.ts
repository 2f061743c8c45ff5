import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { dump, load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { ConfigError, type ConfigProblem } from '../../../src/config/problems.js';
import { envNameOf } from '../../../src/config/setting.js';
import { SERVE_SETTINGS } from '../../../src/config/settings.js';
import { DEFAULT_CONFIG, loadMonitoringConfig } from '../../../src/monitoring/config.js';
import { mutationsOf } from './bodies.js';
import { HEAP_GROWTH_LIMIT, retainedBytes, watchHeap, type HeapWatch } from './guards.js';
import { fuzzParams, timeoutFor } from './runs.js';

const repoFile = (relative: string) => fileURLToPath(new URL(`../../../${relative}`, import.meta.url));
const ACTION_EXAMPLES = readdirSync(repoFile('examples/actions'))
  .filter((f) => /\.ya?ml$/.test(f))
  .map((f) => `examples/actions/${f}`);

/** The committed valid configurations: the test fixture, the bridge example and the action examples. */
const VALID_FILES = ['tests/fixtures/config/good.yml', 'examples/bridge.yml', ...ACTION_EXAMPLES].map((f) => readFileSync(repoFile(f), 'utf8'));

/** The sections no committed file sets (web extras, process groups, ingest, status), so mutations reach them too. */
const OTHER_SECTIONS = {
  web: { listen_address: '127.0.0.1:19100', telemetry_path: '/m', config_file: 'web.yml' },
  collectors: {
    process: {
      groups: [
        { name: 'tsserver', comm: ['node'], cmdline: 'tsserver' },
        { name: 'ra', pid_file: '/run/ra.pid' },
      ],
      restart_window: '5m',
    },
  },
  ingest: {
    token: 't0k',
    max_body_size: '2MiB',
    max_label_values: 50,
    allowlists: { server: ['tsserver'] },
    instance_stale_after: '1m',
    server_retention: '10m',
  },
  status: { interval: '1s', history: '15m', max_clients: 100 },
};
const VALID_DOCS: unknown[] = [...VALID_FILES.map((text) => load(text)), OTHER_SECTIONS];

/** zod's own messages that say nothing about what to write instead. */
const UNHELPFUL = /^(Invalid input|Invalid key in record|Invalid element in (map|set)|Invalid)$/;

let dir: string;
let heap: HeapWatch;
beforeAll(() => {
  heap = watchHeap();
  dir = mkdtempSync(path.join(tmpdir(), 'fuzz-config-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const loadServe = (file: string | undefined, env: NodeJS.ProcessEnv = {}) => loadConfig({ file, env, flags: new Map(), settings: SERVE_SETTINGS });

/**
 * `load` returns a configuration or throws a ConfigError, never anything else; every problem names
 * where it is (this file, with a line that exists, or the variable it came from), which setting (or
 * the whole file), and says something more useful than zod's defaults.
 */
function expectConfigOrConfigError(load: () => unknown, file: string | undefined, text: string): 'config' | 'error' {
  let thrown: unknown;
  try {
    load();
    return 'config';
  } catch (error) {
    thrown = error;
  }
  const what = thrown instanceof Error ? `${thrown.name}: ${thrown.message}\n${thrown.stack ?? ''}` : String(thrown);
  expect(thrown instanceof ConfigError, `not a ConfigError: ${what}\nfor:\n${text.slice(0, 400)}`).toBe(true);
  const problems = (thrown as ConfigError).problems;
  expect(problems.length).toBeGreaterThan(0);
  const lines = text.split('\n').length;
  for (const problem of problems) expectLocatedAndClear(problem, file, lines, text);
  return 'error';
}

function expectLocatedAndClear(problem: ConfigProblem, file: string | undefined, lines: number, text: string): void {
  const context = `${JSON.stringify(problem)}\nfor:\n${text.slice(0, 400)}`;
  const where = /^(?<source>.*?)(?::(?<line>\d+))?$/.exec(problem.source)!.groups!;
  if (file === undefined) {
    // No file: a variable's own value is blamed on it; a rule across settings (history ≥ interval) on "config".
    expect(where['source'], context).toMatch(/^(env IDE_MONITOR_[A-Z0-9_]+|config)$/);
    expect(problem.path, context).not.toBe('');
  } else {
    expect(where['source'], context).toBe(file);
    if (where['line'] !== undefined) expect(Number(where['line']), context).toBeGreaterThanOrEqual(1);
    if (where['line'] !== undefined) expect(Number(where['line']), context).toBeLessThanOrEqual(lines + 1);
    // Neither a line nor a setting: then it must be about the whole file (unreadable, several documents…).
    if (problem.path === '' && where['line'] === undefined) expect(problem.message, context).toMatch(/cannot read the file|top level|one YAML document/);
  }
  expect(problem.message.trim(), context).not.toBe('');
  expect(problem.message, context).not.toMatch(UNHELPFUL);
}

/** Writes `text` as the config file under test (one file, rewritten per case). */
function configFile(text: string | Uint8Array): string {
  const file = path.join(dir, 'config.yml');
  writeFileSync(file, text);
  return file;
}

const yamlOf = (doc: unknown) => dump(doc, { noRefs: true, lineWidth: -1 });

/** Pieces of YAML syntax, to make texts that are nearly YAML rather than noise. */
const yamlToken = fc.constantFrom(
  'web:',
  'bridge:',
  'collectors:',
  'ingest:',
  'status:',
  'enabled: ',
  'listen_address: ',
  'routes:',
  'definitions:',
  '  ',
  '    ',
  '- ',
  ': ',
  '\n',
  '\r\n',
  '\t',
  '&a ',
  '*a',
  '<<: *a',
  '!!str ',
  '!!int ',
  '!!binary ',
  '!!js/function ',
  '!custom ',
  '? ',
  '|',
  '>-',
  '{',
  '}',
  '[',
  ']',
  ',',
  '"',
  "'",
  '#',
  '---',
  '...',
  '%YAML 1.2',
  '~',
  'null',
  'true',
  'yes',
  '1e309',
  '0x1F',
  '.inf',
  '-.nan',
  '2024-01-01',
  '5s',
  '1MiB',
  '\ufeff',
  '\u0000',
  'é',
  '😀',
);

const duplicateLine = (text: string, at: number) => {
  const lines = text.split('\n');
  lines.splice(at % (lines.length + 1), 0, lines[at % lines.length] ?? '');
  return lines.join('\n');
};

/** Line-level edits of a valid file: the typos and bad merges users make. */
const textEdit = fc.oneof(
  fc.nat().map(
    (at) => (text: string) =>
      text
        .split('\n')
        .filter((_l, i, all) => i !== at % all.length)
        .join('\n'),
  ),
  fc.nat().map((at) => (text: string) => duplicateLine(text, at)),
  fc.tuple(fc.nat(), fc.constantFrom('  ', ' ', '\t')).map(
    ([at, pad]) =>
      (text: string) =>
        text
          .split('\n')
          .map((l, i, all) => (i === at % all.length ? pad + l : l))
          .join('\n'),
  ),
  fc.nat().map(
    (at) => (text: string) =>
      text
        .split('\n')
        .map((l, i, all) => (i === at % all.length ? l.replace(/^ {1,2}/, '') : l))
        .join('\n'),
  ),
  fc.tuple(fc.nat(), fc.array(yamlToken, { minLength: 1, maxLength: 3 })).map(
    ([at, tokens]) =>
      (text: string) =>
        text.slice(0, at % (text.length + 1)) + tokens.join('') + text.slice(at % (text.length + 1)),
  ),
  fc.tuple(fc.nat(), fc.nat(8)).map(
    ([at, length]) =>
      (text: string) =>
        text.slice(0, at % (text.length + 1)) + text.slice((at % (text.length + 1)) + length),
  ),
);

/** Every key the schema knows (from the valid documents), so random structures reach deep settings. */
function keysOf(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) keysOf(item, into);
  else if (value !== null && typeof value === 'object') for (const [key, item] of Object.entries(value)) keysOf(item, into.add(key));
  return into;
}
const KNOWN_KEYS = [...keysOf([VALID_DOCS, SERVE_SETTINGS.map((s) => Object.fromEntries(s.path.map((k) => [k, 1])))])];

describe('fuzzing the configuration loader (readYamlFile, validate, loadConfig)', () => {
  it('loads every committed valid configuration the mutations start from', () => {
    for (const doc of VALID_DOCS) expect(expectConfigOrConfigError(() => loadServe(configFile(yamlOf(doc))), undefined, yamlOf(doc))).toBe('config');
  });

  it(
    'random bytes and near-YAML text: a config or a located ConfigError, never another exception',
    () => {
      const text = fc.oneof(
        fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
        fc.string({ unit: 'binary', maxLength: 200 }),
        fc.array(yamlToken, { maxLength: 40 }).map((t) => t.join('')),
      );
      fc.assert(
        fc.property(text, (content) => {
          const file = configFile(content);
          expectConfigOrConfigError(() => loadServe(file), file, Buffer.from(content).toString('utf8'));
        }),
        fuzzParams(0.3),
      );
    },
    timeoutFor(0.3, 10),
  );

  it(
    'random structures over the real setting names, dumped as YAML: a config or a located ConfigError',
    () => {
      const key = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...KNOWN_KEYS) }, { weight: 1, arbitrary: fc.string({ maxLength: 8 }) });
      const structure = fc.object({
        key,
        maxDepth: 4,
        maxKeys: 5,
        values: [fc.jsonValue({ maxDepth: 1 }), fc.constantFrom('5s', '1MiB', ':10451', '^x$', '(', 'http://x', true, -1, 0)],
      });
      fc.assert(
        fc.property(structure, (doc) => {
          const text = yamlOf(doc);
          const file = configFile(text);
          expectConfigOrConfigError(() => loadServe(file), file, text);
        }),
        fuzzParams(0.3),
      );
    },
    timeoutFor(0.3, 10),
  );

  it(
    'mutations of valid configurations (fields dropped, replaced, retyped, added): a config or a located ConfigError',
    () => {
      fc.assert(
        fc.property(mutationsOf(VALID_DOCS, { huge: false }), (doc) => {
          const text = yamlOf(doc);
          const file = configFile(text);
          expectConfigOrConfigError(() => loadServe(file), file, text);
        }),
        fuzzParams(0.5),
      );
    },
    timeoutFor(0.5, 10),
  );

  it(
    'line edits of valid files (lines dropped, doubled, re-indented, tokens spliced in): a config or a located ConfigError',
    () => {
      fc.assert(
        fc.property(fc.constantFrom(...VALID_FILES), fc.array(textEdit, { minLength: 1, maxLength: 3 }), (original, edits) => {
          const text = edits.reduce((t, edit) => edit(t), original);
          const file = configFile(text);
          expectConfigOrConfigError(() => loadServe(file), file, text);
        }),
        fuzzParams(0.3),
      );
    },
    timeoutFor(0.3, 10),
  );

  it(
    'environment variables with arbitrary values: a config or a ConfigError naming the variable',
    () => {
      const value = fc.oneof(
        fc.string({ maxLength: 20 }),
        fc.constantFrom('', ' ', 'true', 'no', '0', '-1', '1e3', '5s', '0s', '1MiB', '(', ':0', '[::1]:99999', 'http://x', 'ftp://x'),
      );
      const env = fc.dictionary(fc.constantFrom(...SERVE_SETTINGS.map(envNameOf)), value, { minKeys: 1, maxKeys: 4 });
      fc.assert(
        fc.property(env, (vars) => {
          expectConfigOrConfigError(() => loadServe(undefined, vars), undefined, JSON.stringify(vars));
        }),
        fuzzParams(0.2),
      );
    },
    timeoutFor(0.2, 10),
  );

  it(
    "the monitoring override file (generate's --config): mutations of valid overrides give a config or a located ConfigError",
    () => {
      const bases = [{ _config: { selector: 'job="ide"', thresholds: DEFAULT_CONFIG.thresholds } }, { _config: DEFAULT_CONFIG }, { _config: null }];
      fc.assert(
        fc.property(mutationsOf(bases, { huge: false }), (doc) => {
          const text = yamlOf(doc);
          const file = configFile(text);
          expectConfigOrConfigError(() => loadMonitoringConfig(file), file, text);
        }),
        fuzzParams(0.2),
      );
    },
    timeoutFor(0.2, 10),
  );

  it('bridge.actions.definitions that is not a list is a ConfigError, not a TypeError', () => {
    // Regression (found by this suite, fixed): checkUniqueNames (src/bridge/actions/schema.ts) runs with
    // `when: () => true`, so it also sees a value that failed the array check and calls .forEach on it.
    // The fix: it returns early for a non-array.
    for (const value of ['restart', '{name: x}', 'null', '5']) {
      const text = `bridge:\n  actions:\n    definitions: ${value}\n`;
      const file = configFile(text);
      expect(
        expectConfigOrConfigError(() => loadServe(file), file, text),
        value,
      ).toBe('error');
    }
  });

  it('a setting of several types, or a record key, given something wrong says what it expects', () => {
    // Regression (found by this suite, fixed): yaml-file.ts's describe() passes zod's "Invalid input"
    // (unions: byte sizes, positive integers, process comm) and "Invalid key in record" (action headers)
    // through unchanged. The fix: it describes invalid_union and invalid_key issues.
    const cases = [
      'bridge:\n  webhook:\n    max_body: [1]\n',
      'ingest:\n  max_body_size: null\n',
      'status:\n  max_clients: {a: 1}\n',
      'collectors:\n  process:\n    groups:\n      - name: a\n        comm: {x: 1}\n',
      'bridge:\n  actions:\n    definitions:\n      - name: a\n        trigger:\n          http:\n            url: http://x/\n            headers: {"bad header": v}\n',
    ];
    for (const text of cases) expect(expectConfigOrConfigError(() => loadServe(configFile(text)), path.join(dir, 'config.yml'), text)).toBe('error');
  });

  it('the heap retained over the whole suite stays bounded', () => {
    const bytes = retainedBytes(heap);
    if (bytes !== undefined) expect(bytes).toBeLessThan(HEAP_GROWTH_LIMIT);
  });
});
