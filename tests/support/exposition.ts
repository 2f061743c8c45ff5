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
