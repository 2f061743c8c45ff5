// `npm run bench`: runs every benchmark section (or those named by --only), then prints one Markdown
// document to stdout and writes it to bench/results/latest.md: the machine, a summary table of every
// section's headline figures, and each section's detailed tables. Progress goes to stderr while it runs.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { summaryTable } from './markdown.mjs';
import { terminateAll } from '../tests/support/process.mjs';
import { REPO_ROOT } from './support.mjs';

/**
 * One entry per benchmark: `run({ progress, rounds })` resolves to `{ markdown, headline }` (see the
 * Headline typedef in markdown.mjs). `seconds(rounds)` is a rough duration on the 2-core reference
 * machine, only for the progress line's estimate of what is left.
 */
const section = (name, title, file, seconds) => ({
  name,
  title,
  seconds,
  run: async (options) => (await import(file)).run(options),
});

const SECTIONS = [
  section('exporter', 'Exporter scrape: ide-monitor vs node_exporter', './exporter.mjs', (r) => 5 + 3 * r),
  section('process', 'Process collector: cost per scrape by watched processes', './process.mjs', (r) => 12 + 23 * r),
  section('lsp-proxy', 'LSP proxy: added latency, throughput, real server direct vs proxied', './lsp-proxy.mjs', (r) => 15 + 75 * r),
  section('lsp-startup', 'LSP proxy startup: time to the initialize answer, direct vs proxied', './lsp-startup.mjs', (r) => 10 * r),
  section('ingest', 'Ingestion API throughput', './ingest.mjs', (r) => 5 + 6 * r),
  section('bridge', 'Alert bridge: accepted notifications, delivery latency, and vs Alertmanager’s native Slack', './bridge.mjs', (r) => 8 + 27 * r),
  section('reconciler', 'Bridge reconciler: one pass over 1,000 active alerts', './reconciler.mjs', (r) => 2 + 4 * r),
  section('actions', 'Automated actions: runner overhead', './actions.mjs', (r) => 1 + 7 * r),
  section('status', 'Status page: 200 stream clients', './status.mjs', () => 16 + Number(process.env.STATUS_BENCH_SECONDS ?? 60)),
  section('remote-write', 'Remote write: scrapes while pushing, and with the receiver down', './remote-write.mjs', (r) => 12 + 9 * r),
];

const loadAverage = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

function gitCommit() {
  const git = (...args) => execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    // Untracked files count too: a new bench module changes what is measured as much as an edit does.
    return `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain') === '' ? '' : ' (dirty: uncommitted changes)'}`;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

function machine({ loadStart, loadEnd, commit }) {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  return [
    `- CPU: ${model}`,
    `- cores: ${os.availableParallelism()}`,
    `- memory: ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `- kernel: ${os.type()} ${os.release()}`,
    `- node: ${process.version}`,
    `- load average (1, 5, 15 min): ${loadStart} at start, ${loadEnd} at end`,
    `- commit: ${commit}`,
  ].join('\n');
}

const clock = (ms) => {
  const s = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

function parseOptions() {
  const { values } = parseArgs({ options: { only: { type: 'string' }, rounds: { type: 'string', default: '3' } } });
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) throw new UsageError(`--rounds must be a positive integer, got "${values.rounds}"`);
  if (values.only === undefined) return { rounds, selected: SECTIONS };
  const names = values.only
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
  const unknown = names.filter((n) => !SECTIONS.some((s) => s.name === n));
  if (unknown.length > 0 || names.length === 0)
    throw new UsageError(`unknown section(s) "${unknown.join(', ') || values.only}"; known: ${SECTIONS.map((s) => s.name).join(', ')}`);
  // In the canonical order, whatever order --only named them in, so runs compare.
  return { rounds, selected: SECTIONS.filter((s) => names.includes(s.name)) };
}

class UsageError extends Error {}

async function main() {
  const { rounds, selected } = parseOptions();
  const started = Date.now();
  const loadStart = loadAverage();
  const commit = gitCommit();
  const headlines = [];
  const details = [];
  let failed = 0;
  for (const [index, entry] of selected.entries()) {
    const sectionStart = Date.now();
    const later = selected.slice(index + 1).reduce((n, s) => n + s.seconds(rounds), 0);
    const progress = (message) => {
      const left = Math.max(0, entry.seconds(rounds) * 1000 - (Date.now() - sectionStart)) + later * 1000;
      console.error(`[${clock(Date.now() - started)} elapsed, ~${clock(left)} left] ${entry.name} (${index + 1}/${selected.length}): ${message}`);
    };
    progress('starting');
    let result;
    try {
      result = await entry.run({ progress, rounds });
    } catch (error) {
      failed += 1;
      console.error(error);
      const message = String(error?.message ?? error).split('\n')[0];
      result = {
        markdown: `❌ **failed**: ${message}\n\n\`\`\`\n${error?.stack ?? error}\n\`\`\``,
        headline: [{ figure: `section failed: ${message}`, digits: 0, pass: false }],
      };
    }
    progress(`done in ${clock(Date.now() - sectionStart)}`);
    headlines.push(...result.headline.map((row) => ({ section: entry.name, ...row })));
    details.push(`## ${entry.title}\n\n${result.markdown}`);
  }

  const document = [
    `# ide-monitor benchmarks (${new Date(started).toISOString()})`,
    '',
    machine({ loadStart, loadEnd: loadAverage(), commit }),
    '',
    `${rounds} round${rounds === 1 ? '' : 's'} per section; sections: ${selected.map((s) => s.name).join(', ')}; total ${clock(Date.now() - started)} (min:s).`,
    '',
    '## Summary',
    '',
    'Median (min–max) across rounds; reference = the same figure of what ours is compared with, measured in the same rounds; ratio = ours / reference per round, then summarised. ↓ lower is better, ↑ higher is better. How to read it: bench/README.md.',
    '',
    summaryTable(headlines),
    '',
    ...details.flatMap((d) => [d, '']),
  ].join('\n');
  console.log(document);
  const dir = fileURLToPath(new URL('results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}latest.md`, document);
  console.error(`written to bench/results/latest.md (${clock(Date.now() - started)} in all${failed > 0 ? `; ${failed} section(s) failed` : ''})`);
  if (failed > 0) process.exitCode = 1;
}

// Ctrl-C or a kill of the run: stop the servers it started (process.mjs's sleepers have their own 'exit' hook).
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
]) {
  process.once(signal, () => {
    console.error(`${signal}: stopping the benchmark's child processes`);
    terminateAll();
    process.exit(code);
  });
}

main().catch((error) => {
  if (error instanceof UsageError) {
    console.error(error.message);
    process.exitCode = 2;
    return;
  }
  console.error(error);
  process.exitCode = 1;
});
