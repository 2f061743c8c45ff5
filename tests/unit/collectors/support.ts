import { fileURLToPath } from 'node:url';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import { collectorsSchema, type CollectorsConfig } from '../../../src/config/schema.js';
import type { ScrapeContext } from '../../../src/exporter/collector.js';
import type { Labels, MetricFamily } from '../../../src/exporter/metric-family.js';
import { ProcReader } from '../../../src/exporter/procfs.js';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/procfs/', import.meta.url));

/** A reader over `tests/fixtures/procfs/<tree>/proc`, resolving mount points under `rootfs`. */
export function fixtureReader(tree: string, rootfs = '/'): ProcReader {
  return new ProcReader({ procfs: path.join(FIXTURES, tree, 'proc'), rootfs });
}

export function contextOf(files: ProcReader, signal: AbortSignal = new AbortController().signal): ScrapeContext {
  return { files, signal };
}

export function fixtureContext(tree: string, rootfs = '/'): ScrapeContext {
  return contextOf(fixtureReader(tree, rootfs));
}

/** The collectors section with its defaults, plus overrides as a user would write them. */
export function collectorsConfig(overrides: Record<string, unknown> = {}): CollectorsConfig {
  return collectorsSchema.parse(overrides);
}

export const silent: Logger = pino({ level: 'silent' });

/** A logger whose records land in `records`, for asserting what was logged. */
export function recordingLogger(): { logger: Logger; records: Array<{ level: number; msg: string; [k: string]: unknown }> } {
  const records: Array<{ level: number; msg: string }> = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void records.push(JSON.parse(line) as { level: number; msg: string }) });
  return { logger, records };
}

/** Replaces some files with an fs error, the way a kernel or a permission would. */
export class FailingReader extends ProcReader {
  constructor(
    base: ProcReader,
    private readonly failures: Readonly<Record<string, string>>,
  ) {
    super(base.paths);
  }

  override proc(relative: string): Promise<string> {
    const code = this.failures[relative];
    if (code === undefined) return super.proc(relative);
    return Promise.reject(Object.assign(new Error(`${code}: ${relative}`), { code }));
  }
}

export function names(families: readonly MetricFamily[]): string[] {
  return families.map((f) => f.name);
}

function familyOf(families: readonly MetricFamily[], name: string): MetricFamily {
  const family = families.find((f) => f.name === name);
  if (family === undefined) throw new Error(`no family ${name} in ${names(families).join(', ')}`);
  return family;
}

/** The samples of one family as plain `{ labels, value }` objects, for toEqual. */
export function samplesOf(families: readonly MetricFamily[], name: string): Array<{ labels: Labels; value: number }> {
  return familyOf(families, name).samples.map((s) => ({ labels: s.labels, value: s.value }));
}

/** The value of the one sample of an unlabelled family. */
export function valueOf(families: readonly MetricFamily[], name: string): number {
  const [only, ...rest] = familyOf(families, name).samples;
  if (only === undefined || rest.length > 0) throw new Error(`${name} does not have exactly one sample`);
  return only.value;
}
