import { readFileSync } from 'node:fs';
import type { YAMLException } from 'js-yaml';
import type { z } from 'zod';
import { lazy } from '../lazy-require.js';
import { ConfigError, type ConfigProblem } from './problems.js';

const jsYaml = lazy<typeof import('js-yaml')>('js-yaml');

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
export function validate<S extends z.ZodType>(schema: S, data: unknown, origin: { file?: string; text?: string; sourceOf?: SourceOf }): z.output<S> {
  const result = schema.safeParse(data, { reportInput: true });
  if (result.success) return result.data;
  const locate = origin.text !== undefined ? lineLocator(origin.text) : () => undefined;
  const problems: ConfigProblem[] = [];
  for (const issue of result.error.issues) {
    const paths = issue.code === 'unrecognized_keys' ? issue.keys.map((key) => [...issue.path, key] as PathSegment[]) : [issue.path as PathSegment[]];
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
      return issue.input === undefined
        ? `missing; expected ${issue.expected}`
        : `expected ${issue.expected}, got ${secret ? typeof issue.input : typeName(issue.input)}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_union': {
      // zod's own text is "Invalid input"; say what the alternatives want instead ("number or string").
      const expected = [...new Set(issue.errors.flat().flatMap((i) => (i.code === 'invalid_type' ? [i.expected] : [])))];
      if (expected.length === 0) return issue.errors.flat()[0]?.message ?? issue.message;
      return issue.input === undefined
        ? `missing; expected ${expected.join(' or ')}`
        : `expected ${expected.join(' or ')}, got ${secret ? typeof issue.input : typeName(issue.input)}`;
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

/** A parsed YAML node reduced to what locating a path needs: where it starts and its children. */
interface Located {
  readonly offset: number | undefined;
  readonly items?: Located[];
  readonly entries?: Map<string, { keyOffset: number | undefined; value: Located }>;
}

/**
 * Builds the located tree of the file's first document from js-yaml's event stream (source offsets, no
 * values constructed). One YAML library does both jobs: loading (js-yaml's `loadAll`) and this.
 */
function locatedTree(text: string): Located | undefined {
  const yaml = jsYaml();
  const { EVENT_ID } = yaml;
  const present = (...offsets: number[]) => offsets.find((o) => o >= 0);
  interface Frame {
    readonly node: Located;
    key?: { name: string; offset: number | undefined };
  }
  let root: Located | undefined;
  const stack: Frame[] = [];
  /** Hangs a node under the open collection (as a key or a value of a mapping, an item of a sequence). */
  const attach = (node: Located, keyName: string) => {
    const parent = stack.at(-1);
    if (parent === undefined) {
      root ??= node;
      return;
    }
    if (parent.node.items !== undefined) parent.node.items.push(node);
    else if (parent.key === undefined) parent.key = { name: keyName, offset: node.offset };
    else {
      parent.node.entries?.set(parent.key.name, { keyOffset: parent.key.offset, value: node });
      parent.key = undefined;
    }
  };
  for (const event of yaml.parseEvents(text, {})) {
    switch (event.type) {
      case EVENT_ID.SCALAR:
        attach({ offset: present(event.valueStart, event.tagStart, event.anchorStart) }, yaml.getScalarValue(text, event));
        break;
      case EVENT_ID.ALIAS:
        attach({ offset: present(event.anchorStart) }, '');
        break;
      case EVENT_ID.MAPPING:
      case EVENT_ID.SEQUENCE: {
        const offset = present(event.start, event.tagStart, event.anchorStart);
        const node: Located = event.type === EVENT_ID.MAPPING ? { offset, entries: new Map() } : { offset, items: [] };
        attach(node, '');
        stack.push({ node });
        break;
      }
      case EVENT_ID.POP:
        stack.pop();
        break;
      default:
        break;
    }
    if (root !== undefined && stack.length === 0) break;
  }
  return root;
}

/** Finds the line of the deepest node on `path` (the key's line, so a bad value points at its setting). */
function lineLocator(text: string): (path: readonly PathSegment[]) => number | undefined {
  const root = locatedTree(text);
  const lineStarts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const lineOf = (offset: number) => {
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((lineStarts[mid] ?? 0) <= offset) low = mid;
      else high = mid - 1;
    }
    return low + 1;
  };
  return (path) => {
    let node = root;
    let offset = node?.offset;
    for (const segment of path) {
      if (node?.items !== undefined) {
        node = node.items[Number(segment)];
        if (node === undefined) break;
        offset = node.offset ?? offset;
      } else if (node?.entries !== undefined) {
        const entry = node.entries.get(String(segment));
        if (entry === undefined) break;
        offset = entry.keyOffset ?? offset;
        node = entry.value;
      } else break;
    }
    return offset === undefined ? undefined : lineOf(offset);
  };
}
