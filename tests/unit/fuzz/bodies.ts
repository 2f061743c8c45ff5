import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';

/**
 * Bad HTTP bodies for the JSON endpoints (webhook, ingest): mutations of a valid document, arbitrary
 * bytes, and arbitrary Content-Type / Content-Encoding headers. Bodies are JSON *text*, because some
 * of the nastiest inputs (nesting 10 000 deep) cannot go through JSON.stringify at all.
 */

type PathSegment = string | number;

/** Stands for a value nested `depth` levels deep; written out by `toJsonText`, never stringified. */
const DEEP = '\u0000fuzz-deep\u0000';
const deepMarker = (kind: 'array' | 'object', depth: number) => `${DEEP}${kind}:${depth}${DEEP}`;
const DEEP_QUOTED = new RegExp(`"\\\\u0000fuzz-deep\\\\u0000(array|object):(\\d+)\\\\u0000fuzz-deep\\\\u0000"`, 'g');

/** JSON text of a (mutated) document, with the deep-nesting markers written out as real nesting. */
export function toJsonText(value: unknown): string {
  return (JSON.stringify(value) ?? 'null').replace(DEEP_QUOTED, (_m, kind: string, depth: string) => {
    const n = Number(depth);
    return kind === 'array' ? '['.repeat(n) + ']'.repeat(n) : '{"a":'.repeat(n) + '1' + '}'.repeat(n);
  });
}

/** Values that have broken parsers before: boundaries, look-alikes of numbers, odd Unicode, prototypes. */
const edgeValues: fc.Arbitrary<unknown> = fc.constantFrom<unknown>(
  null,
  true,
  false,
  0,
  -0,
  -1,
  1.5,
  1e308,
  -1e308,
  5e-324,
  2 ** 53,
  2 ** 53 + 2,
  -(2 ** 63),
  4294967296,
  'NaN',
  'Infinity',
  '-Infinity',
  '1e309',
  '-0',
  '0x1F',
  '1_000',
  '',
  ' ',
  '\t\n',
  '\u0000',
  '\ud800',
  '\u202e\u0041',
  '😀'.repeat(50),
  'null',
  'true',
  '{}',
  '[]',
  '__proto__',
  'constructor',
  'toString',
  '0001-01-01T00:00:00Z',
  '9999-99-99T99:99:99Z',
  '2024-02-30',
  '4',
  4,
  '1',
  1,
  [],
  {},
  [null],
  JSON.parse('{"__proto__":{"polluted":1}}'),
  { toString: 'x' },
  { constructor: { prototype: 1 } },
);

const hugeString = fc.integer({ min: 1_000, max: 120_000 }).map((n) => 'é'.repeat(Math.ceil(n / 2)));
const hugeArray = fc
  .integer({ min: 1_000, max: 40_000 })
  .chain((n) => fc.constantFrom<unknown>(0, 'a', {}, null).map((item) => Array.from({ length: n }, () => item)));
const deepNesting = fc
  .tuple(fc.constantFrom('array' as const, 'object' as const), fc.integer({ min: 10, max: 12_000 }))
  .map(([kind, depth]) => deepMarker(kind, depth));

/** A replacement for any node: usually small; with `huge`, sometimes huge or absurdly deep. */
function nastyValue(huge: boolean): fc.Arbitrary<unknown> {
  const small = [
    { weight: 4, arbitrary: edgeValues },
    { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.double() },
  ];
  if (!huge) return fc.oneof(...small);
  return fc.oneof(...small, { weight: 1, arbitrary: hugeString }, { weight: 1, arbitrary: hugeArray }, { weight: 1, arbitrary: deepNesting });
}

/** A same-type tweak that often keeps a document valid, so the accepting path is fuzzed too. */
const gentleString = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.stringMatching(/^[0-9a-f]{1,16}$/),
  fc.constantFrom('firing', 'resolved', '2024-05-01T12:00:00Z'),
);

type Mutation =
  | { op: 'delete' }
  | { op: 'replace'; value: unknown }
  | { op: 'retype' }
  | { op: 'gentle'; text: string; number: number }
  | { op: 'add-key'; key: string; value: unknown }
  | { op: 'repeat'; times: number };

function mutation(huge: boolean): fc.Arbitrary<Mutation> {
  const value = nastyValue(huge);
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant({ op: 'delete' as const }) },
    { weight: 4, arbitrary: value.map((v) => ({ op: 'replace' as const, value: v })) },
    { weight: 2, arbitrary: fc.constant({ op: 'retype' as const }) },
    { weight: 4, arbitrary: fc.record({ op: fc.constant('gentle' as const), text: gentleString, number: fc.oneof(fc.nat(), fc.double()) }) },
    {
      weight: 2,
      arbitrary: fc.record({
        op: fc.constant('add-key' as const),
        key: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'version', 'kind', '')),
        value,
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ op: fc.constant('repeat' as const), times: huge ? fc.integer({ min: 2, max: 3_000 }) : fc.integer({ min: 2, max: 4 }) }),
    },
  );
}

/** Several times any body limit under test, so a repeated node still ends as a 413. */
const MAX_REPEATED_CHARS = 300_000;

/** Every node's path, root first (so index 0 mutates the whole document). */
function paths(value: unknown, prefix: PathSegment[] = [], out: PathSegment[][] = []): PathSegment[][] {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((item, i) => paths(item, [...prefix, i], out));
  else if (value !== null && typeof value === 'object') for (const [key, item] of Object.entries(value)) paths(item, [...prefix, key], out);
  return out;
}

function retype(value: unknown): unknown {
  if (typeof value === 'string') return value.length > 0 && !Number.isNaN(Number(value)) ? Number(value) : [value];
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 0;
  if (Array.isArray(value)) return Object.fromEntries(value.map((v, i) => [String(i), v]));
  if (value !== null && typeof value === 'object') return Object.values(value);
  return {};
}

function apply(doc: unknown, path: readonly PathSegment[], m: Mutation): unknown {
  if (path.length === 0) {
    if (m.op === 'delete') return undefined;
    if (m.op === 'replace') return m.value;
    if (m.op === 'retype') return retype(doc);
    if (m.op === 'gentle') return typeof doc === 'number' ? m.number : typeof doc === 'string' ? m.text : doc;
    if (m.op === 'add-key') return doc !== null && typeof doc === 'object' && !Array.isArray(doc) ? defineKey({ ...doc }, m.key, m.value) : doc;
    if (!Array.isArray(doc) || doc.length === 0) return doc;
    const items: readonly unknown[] = doc;
    const times = Math.min(m.times, Math.floor(MAX_REPEATED_CHARS / Math.max(1, toJsonText(doc).length)));
    return Array.from({ length: Math.max(times, 1) * doc.length }, (_, i) => items[i % items.length]);
  }
  const [head, ...rest] = path;
  if (Array.isArray(doc)) {
    const copy: unknown[] = [...(doc as readonly unknown[])];
    const next = apply(copy[head as number], rest, m);
    if (next === undefined) copy.splice(head as number, 1);
    else copy[head as number] = next;
    return copy;
  }
  const copy = { ...(doc as Record<string, unknown>) };
  const next = apply(copy[head as string], rest, m);
  if (next === undefined) delete copy[head as string];
  else defineKey(copy, head as string, next);
  return copy;
}

/** Own data property even for "__proto__", as JSON.parse would create it. */
function defineKey(target: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  return target;
}

/**
 * 1–4 mutations of one of `bases` (or of a document `bases` generates), at nodes picked among all of
 * the document's nodes. `huge` adds values past any body limit (strings of 100 KB, arrays of 40 000,
 * nesting 12 000 deep).
 */
export function mutationsOf(bases: readonly unknown[] | fc.Arbitrary<unknown>, options: { huge: boolean } = { huge: true }): fc.Arbitrary<unknown> {
  const base = Array.isArray(bases) ? fc.constantFrom(...(bases as readonly unknown[])) : (bases as fc.Arbitrary<unknown>);
  return fc.tuple(base, fc.array(fc.tuple(fc.nat(), mutation(options.huge)), { minLength: 1, maxLength: 4 })).map(([base, steps]) => {
    let doc: unknown = base;
    for (const [pick, m] of steps) {
      const all = paths(doc);
      doc = apply(doc, all[pick % all.length]!, m);
    }
    return doc;
  });
}

/** Bodies that are mostly not JSON: bytes, text, truncated or spliced JSON. */
export const rawBody: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 600 }),
  fc.string({ unit: 'binary', maxLength: 300 }).map((s) => Buffer.from(s, 'utf8')),
  fc.tuple(fc.json({ maxDepth: 3 }), fc.nat()).map(([text, cut]) => Buffer.from(text.slice(0, cut % (text.length + 1)), 'utf8')),
  fc
    .array(fc.constantFrom('{', '}', '[', ']', ',', ':', '"', '\\', 'null', '1e999', '-', 'tru', '\u0000', ' ', '"a"', '\ufeff'), { maxLength: 60 })
    .map((parts) => Buffer.from(parts.join(''), 'utf8')),
  fc.integer({ min: 0, max: 100_000 }).map((n) => Buffer.alloc(n, 0x20)),
);

/**
 * A Content-Type a client may send (undefined: none at all) and whether it plainly means UTF-8 JSON
 * ('yes'), plainly does not ('no'), or is a judgement call the endpoint may make either way ('maybe':
 * odd charsets, odd parameters, random text). Only 'yes' and 'no' pin the answer down.
 */
export interface ContentTypeCase {
  readonly type: string | undefined;
  readonly json: 'yes' | 'no' | 'maybe';
}

const JSON_TYPES = [
  undefined,
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON;CHARSET=UTF-8',
  'application/vnd.api+json',
  'application/merge-patch+json',
];
const OTHER_TYPES = [
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'text/plain',
  'text/json',
  'application/xml',
  'application/jsonx',
  '*/*',
  'json',
  '',
];
const ODD_TYPES = [
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'application/json; charset="',
  'application/json;;;',
  'application/json x',
];

export const contentType: fc.Arbitrary<ContentTypeCase> = fc.oneof(
  fc.constantFrom(
    ...JSON_TYPES.map((type) => ({ type, json: 'yes' as const })),
    ...OTHER_TYPES.map((type) => ({ type, json: 'no' as const })),
    ...ODD_TYPES.map((type) => ({ type, json: 'maybe' as const })),
  ),
  // Any header value fetch can send: visible ASCII and spaces.
  fc
    .string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 60 })
    .map((s) => ({ type: s.trim(), json: /^application\/json$/i.test(s.trim()) ? ('yes' as const) : ('maybe' as const) })),
);

/** Content-Encoding values; undefined and identity leave the body as it is. */
export const contentEncoding: fc.Arbitrary<string | undefined> = fc.constantFrom(
  undefined,
  undefined,
  undefined,
  'identity',
  'gzip',
  'deflate',
  'br',
  'zstd',
  'x-fuzz',
  'gzip, gzip',
);

const ENCODERS: Record<string, (bytes: Uint8Array) => Uint8Array> = { gzip: gzipSync, deflate: deflateSync, br: brotliCompressSync };

/** `bytes` compressed as `encoding` says, or undefined for an encoding Node cannot write. */
export function encoded(encoding: string | undefined, bytes: Uint8Array): Uint8Array | undefined {
  if (encoding === undefined || encoding === 'identity') return bytes;
  return ENCODERS[encoding]?.(bytes);
}
