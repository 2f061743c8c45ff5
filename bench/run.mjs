// `npm run bench`: runs every benchmark section (or the one named by --only), prints Markdown to
// stdout and writes the same text to bench/results/latest.md. Progress goes to stderr so stdout stays
// pasteable into an issue.
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { benchExporter, exporterMarkdown } from './exporter.mjs';

/**
 * One entry per benchmark. `run` receives a progress callback and the round count, and returns the
 * section's Markdown body; the feature benchmarks export `run` from their own module.
 */
const feature = (name, title, file) => ({
  name,
  title,
  run: async (options) => (await import(file)).run(options),
});

const SECTIONS = [
  {
    name: 'exporter',
    title: 'Exporter scrape: ide-monitor vs node_exporter',
    run: async ({ progress, rounds }) => exporterMarkdown(await benchExporter({ rounds, onProgress: progress })),
  },
  feature('process', 'Process collector: cost per scrape by watched processes', './process.mjs'),
  feature('lsp-proxy', 'LSP proxy: added latency, throughput, real server direct vs proxied', './lsp-proxy.mjs'),
  feature('ingest', 'Ingestion API throughput', './ingest.mjs'),
  feature('bridge', 'Alert bridge: accepted notifications and receipt-to-delivery latency', './bridge.mjs'),
  feature('actions', 'Automated actions: runner overhead', './actions.mjs'),
  feature('status', 'Status page: 200 stream clients', './status.mjs'),
];

function machine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  return [
    `- CPU: ${model}`,
    `- cores: ${os.availableParallelism()}`,
    `- memory: ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `- kernel: ${os.type()} ${os.release()}`,
    `- node: ${process.version}`,
  ].join('\n');
}

async function main() {
  const { values } = parseArgs({ options: { only: { type: 'string' }, rounds: { type: 'string', default: '3' } } });
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) {
    console.error(`--rounds must be a positive integer, got "${values.rounds}"`);
    process.exit(2);
  }
  const selected = values.only === undefined ? SECTIONS : SECTIONS.filter((s) => s.name === values.only);
  if (selected.length === 0) {
    console.error(`unknown section "${values.only}"; known: ${SECTIONS.map((s) => s.name).join(', ')}`);
    process.exit(2);
  }

  const parts = [`# ide-monitor benchmarks (${new Date().toISOString()})`, '', machine()];
  console.log(parts.join('\n'));
  for (const section of selected) {
    const progress = (message) => console.error(`${section.name}: ${message}`);
    const body = await section.run({ progress, rounds });
    const text = `\n## ${section.title}\n\n${body}`;
    console.log(text);
    parts.push(text);
  }

  const dir = fileURLToPath(new URL('results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}latest.md`, `${parts.join('\n')}\n`);
  console.error(`written to bench/results/latest.md`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
