import { execFileSync } from 'node:child_process';

export interface ParsedSample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Reads sample lines for assertions; promtool (below) is the real format check. */
export function parseSamples(text: string): ParsedSample[] {
  const samples: ParsedSample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = LINE.exec(line);
    if (match === null) throw new Error(`unparseable exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL)) labels[key!] = JSON.parse(`"${value}"`) as string;
    samples.push({ name: match[1]!, labels, value: Number(match[3] === '+Inf' ? Infinity : match[3]) });
  }
  return samples;
}

/** One family of an exposition: its `# HELP` and `# TYPE`, and the label names its samples carry (le excepted). */
export interface ParsedFamily {
  readonly name: string;
  readonly type: string;
  readonly help: string;
  readonly labels: ReadonlySet<string>;
  readonly samples: number;
}

/** Families by name; a histogram's `_bucket`, `_sum` and `_count` samples count towards their family. */
export function parseFamilies(text: string): Map<string, ParsedFamily> {
  const families = new Map<string, { name: string; type: string; help: string; labels: Set<string>; samples: number }>();
  const family = (name: string) => {
    let found = families.get(name);
    if (found === undefined) families.set(name, (found = { name, type: 'untyped', help: '', labels: new Set(), samples: 0 }));
    return found;
  };
  for (const line of text.split('\n')) {
    const meta = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (meta !== null) {
      if (meta[1] === 'TYPE') family(meta[2]!).type = meta[3]!;
      else family(meta[2]!).help = meta[3]!.replace(/\\n/g, '\n').replace(/\\\\/g, '\\');
    }
  }
  for (const sample of parseSamples(text)) {
    const owner = families.get(sample.name) ?? families.get(sample.name.replace(/_(bucket|sum|count)$/, ''));
    if (owner === undefined) continue;
    owner.samples += 1;
    for (const label of Object.keys(sample.labels)) if (label !== 'le' && label !== 'quantile') owner.labels.add(label);
  }
  return families;
}

export function valuesOf(samples: readonly ParsedSample[], name: string): ParsedSample[] {
  return samples.filter((s) => s.name === name);
}

export function single(samples: readonly ParsedSample[], name: string): number {
  const found = valuesOf(samples, name);
  if (found.length !== 1) throw new Error(`expected exactly one ${name}, found ${found.length}`);
  return found[0]!.value;
}

/** `promtool check metrics`: parses the exposition with Prometheus' own parser and lints the names. */
export function promtoolCheckMetrics(promtool: string, body: string): { ok: boolean; output: string } {
  try {
    const output = execFileSync(promtool, ['check', 'metrics'], { input: body, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
    return { ok: true, output };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}
