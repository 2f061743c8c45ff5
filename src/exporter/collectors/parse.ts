import type { MetricFamily } from '../metric-family.js';
import { isMissingFile } from '../procfs.js';

/** The non-empty lines of a kernel file. */
export function lines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '');
}

/** Whitespace-separated fields; the kernel pads columns with runs of spaces and tabs. */
export function fields(line: string): string[] {
  const trimmed = line.trim();
  return trimmed === '' ? [] : trimmed.split(/\s+/);
}

/** A decimal field as a number, or undefined when absent or malformed, so one odd field costs one sample. */
export function toNumber(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/**
 * `Key: value` or `key value` lines (/proc/meminfo, /proc/stat) as a map from key to the rest of the line.
 * Keys never hold whitespace, so the first run of `:` or whitespace ends the key.
 */
export function parseKeyValueLines(text: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of lines(text)) {
    const match = /^\s*([^\s:]+):?\s*(.*)$/.exec(line);
    if (match?.[1] !== undefined) entries.set(match[1], (match[2] ?? '').trim());
  }
  return entries;
}

/** The file's text, or undefined when this kernel lacks it; any other error still throws. */
export async function readIfPresent(read: Promise<string>): Promise<string | undefined> {
  try {
    return await read;
  } catch (error) {
    if (isMissingFile(error)) return undefined;
    throw error;
  }
}

/** Drops families that found nothing this scrape, so the exposition has no HELP/TYPE lines without samples. */
export function nonEmpty(families: readonly MetricFamily[]): MetricFamily[] {
  return families.filter((family) => family.samples.length > 0);
}

/** Ticks per second of the CPU times in /proc/stat and /proc/<pid>/stat: USER_HZ is 100 on every architecture Linux ships, as node_exporter assumes. */
export const USER_HZ = 100;
