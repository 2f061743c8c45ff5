// Actions benchmark: what the ActionRunner adds on top of the bare operation it wraps. Each round runs the
// bare operation and the runner's version alternately, so machine noise hits both alike.
//   exec: spawn('true') and wait for 'close'   vs  runner.run of an exec step argv ['true'] (env, stdin, group, capture)
//   http: axios POST of a fixed JSON body      vs  runner.run of an http step with a templated body
//   dry run: records per second (matching + templating + record building, nothing runs)
import { spawn } from 'node:child_process';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import axios from 'axios';
import { ActionRunner } from '../dist/bridge/actions/runner.js';
import { actionDefinitionSchema } from '../dist/bridge/actions/schema.js';
import { silentLogger } from '../dist/log.js';
import { spread, table } from './markdown.mjs';
import { ascending, quantile, ratioOf, spreadOf, upperMedian } from './support.mjs';

const OPS_PER_ROUND = 150;
const DRY_RUNS_PER_ROUND = 20_000;

const alert = (i) => ({
  fingerprint: `fp-${i}`,
  status: 'firing',
  labels: { alertname: 'IdeLspRequestsStuck', severity: 'critical', instance: `ide-${i}:10451`, server: 'typescript "tsserver"\n' },
  annotations: { summary: 'Requests to a language server stay unanswered.' },
  startsAt: '2024-05-01T10:00:00Z',
  endsAt: '0001-01-01T00:00:00Z',
  generatorURL: 'http://prometheus:9090/graph',
});

function latencies(values) {
  const sorted = ascending(values);
  return { median: quantile(sorted, 0.5), p99: quantile(sorted, 0.99) };
}

const across = (rounds, key) =>
  spreadOf(
    rounds.map((r) => r[key]),
    upperMedian,
  );

function bareSpawn() {
  return new Promise((resolve, reject) => {
    const child = spawn('true', [], { stdio: 'pipe' });
    child.once('error', reject);
    child.once('close', resolve);
  });
}

async function timed(fn) {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

export async function run({ progress = () => {}, rounds = 3 } = {}) {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${server.address().port}`;
  const agentless = { headers: { 'content-type': 'application/json' }, validateStatus: () => true };
  const execDef = actionDefinitionSchema.parse({ name: 'exec', trigger: { exec: { argv: ['true'] } }, cooldown: '1ms' });
  const httpDef = actionDefinitionSchema.parse({
    name: 'http',
    trigger: {
      http: {
        url: `${base}/scale/{{ labels.instance }}`,
        body: { instance: '{{ labels.instance }}', reason: '{{ labels.server }}: {{ annotations.summary }}', fp: '{{ fingerprint }}' },
      },
    },
    cooldown: '1ms',
  });
  const logger = silentLogger;
  const runner = new ActionRunner({ definitions: [execDef, httpDef], dryRun: false, maxConcurrent: 1, logger });
  const dry = new ActionRunner({ definitions: [execDef, httpDef], dryRun: true, maxConcurrent: 1, logger });
  const perRound = [];
  try {
    for (let r = 0; r < rounds; r += 1) {
      progress(`round ${r + 1}/${rounds}`);
      const t = { bareExec: [], runnerExec: [], bareHttp: [], runnerHttp: [] };
      for (let i = 0; i < OPS_PER_ROUND; i += 1) {
        const a = alert(r * OPS_PER_ROUND + i);
        t.bareExec.push(await timed(bareSpawn));
        t.runnerExec.push(
          await timed(async () => {
            const rec = await runner.run(execDef, 'trigger', a);
            if (rec.outcome !== 'succeeded') throw new Error(`exec: ${rec.outcome} ${rec.error}`);
          }),
        );
        t.bareHttp.push(await timed(() => axios.post(`${base}/scale/x`, '{"instance":"x","reason":"y","fp":"z"}', agentless)));
        t.runnerHttp.push(
          await timed(async () => {
            const rec = await runner.run(httpDef, 'trigger', a);
            if (rec.outcome !== 'succeeded') throw new Error(`http: ${rec.outcome} ${rec.error}`);
          }),
        );
      }
      const dryStart = performance.now();
      for (let i = 0; i < DRY_RUNS_PER_ROUND; i += 1) {
        const a = alert(i);
        for (const d of dry.applicable(a)) await dry.run(d, 'trigger', a);
      }
      const dryPerS = (DRY_RUNS_PER_ROUND * 2) / ((performance.now() - dryStart) / 1000);
      const s = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, latencies(v)]));
      perRound.push({
        bareExecP50: s.bareExec.median,
        runnerExecP50: s.runnerExec.median,
        bareExecP99: s.bareExec.p99,
        runnerExecP99: s.runnerExec.p99,
        bareHttpP50: s.bareHttp.median,
        runnerHttpP50: s.runnerHttp.median,
        bareHttpP99: s.bareHttp.p99,
        runnerHttpP99: s.runnerHttp.p99,
        dryPerS,
      });
    }
  } finally {
    await runner.close();
    await dry.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  const c = (key) => across(perRound, key);
  // Per round, then summarised: each round's bare and runner operations ran interleaved.
  const ratioSpread = (a, b) =>
    ratioOf(
      perRound.map((r) => r[a]),
      perRound.map((r) => r[b]),
      upperMedian,
    );
  const ratio = (a, b) => spread(ratioSpread(a, b), 2);
  const overhead = (figure, runnerKey, bareKey) => ({
    figure,
    unit: 'ms',
    digits: 2,
    ours: c(runnerKey),
    reference: c(bareKey),
    referenceName: 'bare',
    ratio: ratioSpread(runnerKey, bareKey),
    better: 'lower',
  });
  const headline = [
    overhead('exec action p50, runner vs bare spawn', 'runnerExecP50', 'bareExecP50'),
    overhead('http action p50, runner vs bare POST', 'runnerHttpP50', 'bareHttpP50'),
    { figure: 'dry-run records', unit: 'records/s', digits: 0, ours: c('dryPerS'), better: 'higher' },
  ];
  /** One operation's row: bare and runner latencies (`bare<Kind>P50` …) and their p50 ratio. */
  const latencyRow = (label, kind) => [
    label,
    spread(c(`bare${kind}P50`), 2),
    spread(c(`runner${kind}P50`), 2),
    ratio(`runner${kind}P50`, `bare${kind}P50`),
    spread(c(`bare${kind}P99`), 2),
    spread(c(`runner${kind}P99`), 2),
  ];
  const markdown = [
    `In-process, sequential (one at a time), ${OPS_PER_ROUND} operations per kind per round, ${rounds} rounds; bare and`,
    'runner versions interleaved. Latency in ms, median (min–max) over rounds; ratio = runner / bare, per round.',
    '',
    table(
      ['operation', 'bare p50', 'runner p50', 'ratio p50', 'bare p99', 'runner p99'],
      [latencyRow('exec `true`', 'Exec'), latencyRow('http POST (loopback)', 'Http')],
    ),
    '',
    `Dry run (match + template + record, nothing runs): ${spread(c('dryPerS'), 0)} records/s.`,
  ].join('\n');
  return { markdown, headline };
}
