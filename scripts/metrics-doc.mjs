#!/usr/bin/env node
// Writes docs/metrics.md from the metric contract (src/metrics/contract.json); `--check` writes nothing and
// exits 1 when the checked-in page differs. Plain JS with no dependencies, so it runs before a build.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const CONTRACT = fileURLToPath(new URL('../src/metrics/contract.json', import.meta.url));
const DOC = fileURLToPath(new URL('../docs/metrics.md', import.meta.url));

/** Sections by the name's second part (`ide_<part>_…`), in the order a reader meets them. */
const SECTIONS = [
  ['host', 'Host (host collectors: /proc, /sys and statfs)'],
  ['process', 'Process groups (process collector, `collectors.process.groups`)'],
  ['lsp', 'Language servers (`lsp-proxy` through the ingestion API)'],
  ['app', 'Application (the ingestion API)'],
  ['ingest', 'Ingestion API'],
  ['bridge', 'Alert bridge'],
  ['remote', 'Remote write'],
  ['http', 'HTTP access'],
  ['exporter', 'The exporter itself'],
];

const cell = (text) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderMetricsDoc(contract) {
  const lines = [
    '# Metrics',
    '',
    '<!-- Generated from src/metrics/contract.json by `node scripts/metrics-doc.mjs`; edit the contract, not this page. -->',
    '',
    'Every `ide_*` metric `ide-monitor serve` exposes on `/metrics`. A name, its type and its labels are a promise:',
    'changing one is a breaking change. `tests/integration/exporter/metric-contract.test.ts` compares a running',
    '`serve` (collectors, ingestion, bridge, status page and remote write on) with this list.',
    "prom-client's default `process_*` and `nodejs_*` metrics are exposed too, unprefixed, as the ecosystem expects;",
    '`--web.disable-exporter-metrics` turns them off.',
    '',
  ];
  const metrics = [...contract.metrics];
  for (const [part, title] of SECTIONS) {
    const inSection = metrics.filter((m) => m.name.split('_')[1] === part);
    if (inSection.length === 0) continue;
    lines.push(`## ${title}`, '', '| name | type | unit | labels | help |', '|---|---|---|---|---|');
    for (const m of inSection) lines.push(`| \`${m.name}\` | ${m.type} | ${m.unit} | ${m.labels.join(', ')} | ${cell(m.help)} |`);
    lines.push('');
  }
  const unplaced = metrics.filter((m) => !SECTIONS.some(([part]) => m.name.split('_')[1] === part));
  if (unplaced.length > 0) throw new Error(`no section of docs/metrics.md for ${unplaced.map((m) => m.name).join(', ')}: add one to SECTIONS`);
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const text = renderMetricsDoc(JSON.parse(readFileSync(CONTRACT, 'utf8')));
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(DOC, 'utf8');
    } catch {
      // no doc yet: the comparison below reports it as different
    }
    if (current !== text) {
      process.stderr.write('docs/metrics.md differs from src/metrics/contract.json: run node scripts/metrics-doc.mjs\n');
      process.exit(1);
    }
  } else {
    writeFileSync(DOC, text);
  }
}
