import { readFileSync } from 'node:fs';
import type { YAMLException } from 'js-yaml';
import type { Node as YamlNode } from 'yaml';
import type { z } from 'zod';
import { lazy } from '../lazy-require.js';
import { ConfigError, type ConfigProblem } from './problems.js';

const jsYaml = lazy<typeof import('js-yaml')>('js-yaml');
/** Only to point an error at its line; js-yaml loads the configuration. */
const yamlCst = lazy<typeof import('yaml')>('yaml');

export type PathSegment = string | number;

/** Where each value of a merged configuration came from, for error messages. */
export type SourceOf = (path: readonly PathSegment[]) => string | undefined;

/**
 * Reads a YAML file with js-yaml. Syntax errors become a ConfigProblem with the file and line; a missing
 * or unreadable file names the file and the reason.
 */
export function readYamlFile(file: string): { data: unknown; text: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError([{ source: file, path: '', message: `cannot read the file: ${(error as Error).message}` }]);
  }
  let docs: unknown[];
  try {
    // loadAll, not load: js-yaml 5's load rejects a file that is empty or only comments, which means "no settings".
    docs = jsYaml().loadAll(text, null, { filename: file });
  } catch (error) {
    if (error instanceof jsYaml().YAMLException) {
      const yamlError: YAMLException = error;
      const line = (yamlError.mark?.line ?? 0) + 1;
      throw new ConfigError([{ source: `${file}:${line}`, path: '', message: `YAML syntax error: ${yamlError.reason}` }]);
    }
    throw error;
  }
  if (docs.length > 1) throw new ConfigError([{ source: file, path: '', message: `expected one YAML document, found ${docs.length}` }]);
  return { data: docs[0] ?? {}, text };
}

/**
 * Validates data against a schema and turns every issue into a problem naming its source and path.
 * `sourceOf` names a flag or environment variable for the values that came from there; everything else
 * is located in the YAML text (when there is one) by its path.
 */
export function validate<S extends z.ZodType>(
  schema: S,
  data: unknown,
  origin: { file?: string; text?: string; sourceOf?: SourceOf },
): z.output<S> {
  const result = schema.safeParse(data, { reportInput: true });
  if (result.success) return result.data;
  const locate = origin.text !== undefined ? lineLocator(origin.text) : () => undefined;
  const problems: ConfigProblem[] = [];
  for (const issue of result.error.issues) {
    const paths =
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => [...issue.path, key] as PathSegment[])
        : [issue.path as PathSegment[]];
    for (const path of paths) {
      const named = origin.sourceOf?.(path);
      const line = locate(path);
      const source = named ?? (origin.file === undefined ? 'config' : line === undefined ? origin.file : `${origin.file}:${line}`);
      problems.push({ source, path: path.join('.'), message: describe(issue, isSecretPath(path)) });
    }
  }
  throw new ConfigError(problems);
}

/** Settings whose values are credentials: an error about them names the value's type, never the value. */
const SECRET_KEY = /(token|routing_key|webhook_url|password|secret|credentials)$/;
/**
 * Maps whose values are where secrets go (SECURITY.md tells users to put them there): an action's `exec.env`
 * and `http.headers`, remote write's `headers`. Any key under them is secret, whatever its name.
 */
const SECRET_MAP = new Set(['env', 'headers']);
function isSecretPath(path: readonly PathSegment[]): boolean {
  const key = String(path.at(-1) ?? '');
  return SECRET_KEY.test(key) || path.slice(0, -1).some((segment) => SECRET_MAP.has(String(segment))) || path.join('.') === 'bridge.channels.webhook.url';
}

function describe(issue: z.core.$ZodIssue, secret: boolean): string {
  switch (issue.code) {
    case 'unrecognized_keys':
      return 'unknown setting; check its spelling and indentation against the README';
    case 'invalid_type':
      return issue.input === undefined ? `missing; expected ${issue.expected}` : `expected ${issue.expected}, got ${secret ? typeof issue.input : typeName(issue.input)}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_union': {
      // zod's own text is "Invalid input"; say what the alternatives want instead ("number or string").
      const expected = [...new Set(issue.errors.flat().flatMap((i) => (i.code === 'invalid_type' ? [i.expected] : [])))];
      if (expected.length === 0) return issue.errors.flat()[0]?.message ?? issue.message;
      return issue.input === undefined ? `missing; expected ${expected.join(' or ')}` : `expected ${expected.join(' or ')}, got ${secret ? typeof issue.input : typeName(issue.input)}`;
    }
    case 'invalid_key':
      // zod's own text is "Invalid key in record"; the key's own check says what is wrong with it.
      return `invalid key: ${issue.issues.map((i) => describe(i, secret)).join('; ') || issue.message}`;
    default:
      return issue.message;
  }
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** Finds the line of the deepest node on `path` (the key's line, so a bad value points at its setting). */
function lineLocator(text: string): (path: readonly PathSegment[]) => number | undefined {
  const { isMap, isScalar, isSeq, LineCounter, parseDocument } = yamlCst();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  return (path) => {
    let node: unknown = doc.contents;
    let offset: number | undefined = (node as YamlNode | null)?.range?.[0];
    for (const segment of path) {
      if (isSeq(node)) {
        const item = node.items[Number(segment)] as YamlNode | undefined;
        if (item === undefined) break;
        offset = item.range?.[0] ?? offset;
        node = item;
        continue;
      }
      if (!isMap(node)) break;
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
      if (pair === undefined) break;
      offset = (pair.key as YamlNode).range?.[0] ?? offset;
      node = pair.value;
    }
    return offset === undefined ? undefined : lineCounter.linePos(offset).line;
  };
}
