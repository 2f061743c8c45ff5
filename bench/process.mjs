// Process collector benchmark: the cost of one scrape of the `process` collector with 500 watched
// processes, next to the same scan with none watched and to naive ways of reading the same files. All
// variants run interleaved in one process, so the (noisy, 2-core) machine's other work hits them alike.
import { spawn } from 'node:child_process';
import { promises as fsp, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { collectorsSchema } from '../dist/config/schema.js';
import { createProcessCollector } from '../dist/exporter/collectors/process.js';
import { countFds } from '../dist/exporter/collectors/process/pid-files.js';
import { ProcReader } from '../dist/exporter/procfs.js';
import { fmt, mark, spread, table } from './markdown.mjs';
import { quantile, ratioOf, spreadOf, upperMedian } from './support.mjs';

const WATCHED = 500;
const SCRAPES_PER_ROUND = 100;
const WARMUP_SCRAPES = 5;
const TARGET_MS = 20;
const MARKER = `ide-monitor-bench-sleep-${process.pid}`;

const silent = pino({ level: 'silent' });
const collectorsWith = (groups) => collectorsSchema.parse({ process: { groups } });
const watchedGroups = [{ name: 'bench', cmdline: `^${MARKER}( |$)` }];
const emptyGroups = [{ name: 'nothing', cmdline: `^${MARKER}-never( |$)` }];

/** Starts `count` `sleep 600` children whose argv[0] is the marker; `stop()` kills every one of them. */
async function startSleepers(count) {
  const children = [];
  const stop = () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  // Backstop: if the benchmark dies between here and its finally, the sleepers die with it.
  process.once('exit', stop);
  try {
    for (let i = 0; i < count; i++) {
      const child = spawn('sleep', ['600'], { argv0: MARKER, stdio: 'ignore' });
      children.push(child);
      await new Promise((resolve, reject) => child.once('spawn', resolve).once('error', reject));
    }
  } catch (error) {
    stop();
    throw error;
  }
  return {
    stop: async () => {
      const exits = children.filter((c) => c.exitCode === null && c.signalCode === null).map((c) => new Promise((r) => c.once('exit', r)));
      stop();
      await Promise.all(exits);
      process.removeListener('exit', stop);
    },
  };
}

function pidsOf() {
  return readdirSync('/proc').filter((n) => /^\d+$/.test(n));
}

/** Each variant is one scrape's worth of work, timed the same way. */
function variants() {
  const watched = createProcessCollector(collectorsWith(watchedGroups), silent);
  const watchedReaddir = createProcessCollector(collectorsWith(watchedGroups), silent, { countFds: (dir) => countFds(dir, 'readdir') });
  const none = createProcessCollector(collectorsWith(emptyGroups), silent);
  const fresh = () => ({ files: new ProcReader(), signal: new AbortController().signal });
  return [
    { name: `process collector, ${WATCHED} watched`, key: 'watched', scrape: () => watched.collect(fresh()), close: () => watched.close() },
    { name: 'process collector, 0 watched (one group matching nothing)', key: 'none', scrape: () => none.collect(fresh()), close: () => none.close() },
    {
      name: `process collector, ${WATCHED} watched, fds by readdir (kernels before 6.2)`,
      key: 'readdir',
      scrape: () => watchedReaddir.collect(fresh()),
      close: () => watchedReaddir.close(),
    },
    {
      name: 'naive sync: readFileSync stat + readdirSync fd of every pid',
      key: 'naive-sync',
      scrape: async () => {
        for (const pid of pidsOf()) {
          try {
            readFileSync(`/proc/${pid}/stat`, 'utf8');
            readdirSync(`/proc/${pid}/fd`);
          } catch {
            // the process ended between the listing and the read, as in the real collector
          }
        }
      },
      close: () => {},
    },
    {
      name: 'naive async: fs.promises readFile stat + readdir fd of every pid, concurrently',
      key: 'naive-async',
      scrape: async () => {
        await Promise.all(
          pidsOf().map(async (pid) => {
            try {
              await fsp.readFile(`/proc/${pid}/stat`, 'utf8');
              await fsp.readdir(`/proc/${pid}/fd`);
            } catch {
              // the process ended between the listing and the read, as in the real collector
            }
          }),
        );
      },
      close: () => {},
    },
  ];
}

/** Across rounds: the median is an observed round's figure (the upper middle for an even count). */
const spreadUpper = (values) => spreadOf(values, upperMedian);

export async function run({ progress = () => {}, rounds = 3 } = {}) {
  if (process.platform !== 'linux') return { markdown: '_Skipped: the process collector reads Linux procfs._', headline: [] };
  progress(`starting ${WATCHED} sleep processes`);
  const sleepers = await startSleepers(WATCHED);
  const list = variants();
  try {
    await sleep(500);
    const check = await list[0].scrape();
    const count = check.find((f) => f.name === 'ide_process_count')?.samples[0]?.value;
    if (count !== WATCHED) throw new Error(`expected ${WATCHED} watched processes, the collector counts ${count}`);
    // The first scrape above read every command line once; later scrapes only re-read stat and fds.
    const coldStart = performance.now();
    const cold = createProcessCollector(collectorsWith(watchedGroups), silent);
    await cold.collect({ files: new ProcReader(), signal: new AbortController().signal });
    const coldMs = performance.now() - coldStart;
    cold.close();

    const perRound = new Map(list.map((v) => [v.key, { medians: [], p99s: [] }]));
    for (let round = 1; round <= rounds; round++) {
      progress(`round ${round}/${rounds}`);
      const times = new Map(list.map((v) => [v.key, []]));
      for (let i = 0; i < WARMUP_SCRAPES + SCRAPES_PER_ROUND; i++) {
        for (const v of list) {
          const started = performance.now();
          await v.scrape();
          const ms = performance.now() - started;
          if (i >= WARMUP_SCRAPES) times.get(v.key).push(ms);
        }
      }
      for (const v of list) {
        const sorted = times.get(v.key).sort((a, b) => a - b);
        perRound.get(v.key).medians.push(quantile(sorted, 0.5));
        perRound.get(v.key).p99s.push(quantile(sorted, 0.99));
      }
    }

    const processes = pidsOf().length;
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    const watchedMedian = spreadUpper(perRound.get('watched').medians).median;
    const rows = list.map((v) => {
      const r = perRound.get(v.key);
      const median = spreadUpper(r.medians);
      return [v.name, spread(median, 2), spread(spreadUpper(r.p99s), 2), `${fmt(median.median / watchedMedian, 2)}×`];
    });
    const watched = perRound.get('watched');
    const naive = perRound.get('naive-sync');
    const p99 = spreadUpper(watched.p99s).median;
    const markdown = [
      `${WATCHED} \`sleep\` processes watched by one cmdline group, ${processes} processes on the machine; ` +
        `${SCRAPES_PER_ROUND} scrapes per variant per round after ${WARMUP_SCRAPES} warm-up, variants interleaved, ${rounds} rounds. ` +
        'Time of one `collect()` in ms: median of the round medians (min–max across rounds).',
      '',
      table(['variant', 'median ms', 'p99 ms', 'vs collector'], rows),
      '',
      `- Load average at the end (1, 5, 15 min, on ${availableParallelism()} cores): ${load}; the machine is shared, so the p99 column mostly shows its other work.`,
      `- First scrape of a new collector (reads every command line once): ${fmt(coldMs, 1)} ms.`,
      `- Target: < ${TARGET_MS} ms per scrape with ${WATCHED} watched: median ${fmt(watchedMedian, 2)} ms, p99 ${fmt(p99, 2)} ms — ${mark(watchedMedian < TARGET_MS && p99 < TARGET_MS)}.`,
    ].join('\n');
    const headline = [
      {
        figure: `collect() with ${WATCHED} watched, median`,
        unit: 'ms',
        digits: 2,
        ours: spreadUpper(watched.medians),
        reference: spreadUpper(naive.medians),
        referenceName: 'naive sync read',
        ratio: ratioOf(watched.medians, naive.medians, upperMedian),
        better: 'lower',
        target: `< ${TARGET_MS} ms`,
        pass: watchedMedian < TARGET_MS,
      },
      {
        figure: `collect() with ${WATCHED} watched, p99`,
        unit: 'ms',
        digits: 2,
        ours: spreadUpper(watched.p99s),
        better: 'lower',
        target: `< ${TARGET_MS} ms`,
        pass: p99 < TARGET_MS,
      },
    ];
    return { markdown, headline };
  } finally {
    for (const v of list) v.close();
    progress('stopping the sleep processes');
    await sleepers.stop();
  }
}
