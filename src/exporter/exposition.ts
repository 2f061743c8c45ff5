import type { Labels, MetricFamily, Sample } from './metric-family.js';

/**
 * Renders metric families in the two formats Prometheus scrapes. prom-client can render only one format
 * per registry (and rewrites counter names when switched), so every family, ours and prom-client's, goes
 * through this one writer.
 */
const TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

export type ExpositionFormat = 'text' | 'openmetrics';

/**
 * Picks the format from an Accept header the way Prometheus' own client libraries do: OpenMetrics only
 * when the scraper lists it (and does not rank it at q=0), the classic text format otherwise.
 */
export function negotiateFormat(accept: string | undefined): ExpositionFormat {
  if (accept === undefined) return 'text';
  for (const part of accept.split(',')) {
    const [mediaType, ...params] = part
      .trim()
      .split(';')
      .map((s) => s.trim());
    if (mediaType?.toLowerCase() !== 'application/openmetrics-text') continue;
    const q = params.find((p) => p.startsWith('q='));
    if (q !== undefined && Number(q.slice(2)) === 0) continue;
    return 'openmetrics';
  }
  return 'text';
}

export function contentTypeOf(format: ExpositionFormat): string {
  return format === 'openmetrics' ? OPENMETRICS_CONTENT_TYPE : TEXT_CONTENT_TYPE;
}

export function render(families: readonly MetricFamily[], format: ExpositionFormat): string {
  const out: string[] = [];
  const openMetrics = format === 'openmetrics';
  for (const family of families) {
    const familyName = openMetrics && family.type === 'counter' ? stripTotal(family.name) : family.name;
    out.push(`# HELP ${familyName} ${escapeHelp(family.help, openMetrics)}`);
    out.push(`# TYPE ${familyName} ${family.type}`);
    for (const s of family.samples) {
      out.push(`${sampleName(family, s, openMetrics)}${formatLabels(s.labels)} ${formatValue(s.value)}`);
    }
  }
  if (openMetrics) out.push('# EOF');
  out.push('');
  return out.join('\n');
}

function sampleName(family: MetricFamily, s: Sample, openMetrics: boolean): string {
  if (s.name !== undefined) return s.name;
  if (openMetrics && family.type === 'counter' && !family.name.endsWith('_total')) return `${family.name}_total`;
  return family.name;
}

function stripTotal(name: string): string {
  return name.endsWith('_total') ? name.slice(0, -'_total'.length) : name;
}

function formatLabels(labels: Labels): string {
  let body = '';
  for (const key in labels) {
    const value = labels[key];
    if (value === undefined) continue;
    body += `${body === '' ? '' : ','}${key}="${escapeLabelValue(value)}"`;
  }
  return body === '' ? '' : `{${body}}`;
}

const NEEDS_ESCAPE = /[\\\n"]/;

function escapeLabelValue(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(help: string, openMetrics: boolean): string {
  const escaped = help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  return openMetrics ? escaped.replace(/"/g, '\\"') : escaped;
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}
