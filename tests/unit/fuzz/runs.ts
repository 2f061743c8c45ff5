/**
 * The one knob of the fuzz suites (tests/unit/fuzz, issue 9 "bad input").
 *
 *   FUZZ_RUNS=<n>   cases per property at scale 1 (default 1000). Each property runs
 *                   `round(n * scale)` cases, its scale set by its cost: 1 for the framer (sub-ms
 *                   cases), 0.2–0.5 for the config loader (a temp file and a YAML parse each), 0.25–0.6
 *                   for the HTTP endpoints (a real request each). The defaults run about 7 500 cases
 *                   in all and keep the directory within ~20 s of CI on a loaded 2-core machine.
 *                   Raise it for a long local run: `FUZZ_RUNS=20000 npx vitest run tests/unit/fuzz`.
 *   FUZZ_SEED=<n>   fast-check seed. Fixed by default so CI is reproducible; a failure prints its
 *                   seed and path (fast-check's report), which replay with FUZZ_SEED and FUZZ_PATH.
 *   FUZZ_PATH=<p>   fast-check replay path from a failure report (shrinks straight to the counterexample).
 *
 * Test timeouts grow with FUZZ_RUNS, so a large run is not cut short by vitest's default 5 s.
 */
import type fc from 'fast-check';

const DEFAULT_RUNS = 1000;
/** Any fixed value will do: the point is that CI sees the same cases on every run. */
const DEFAULT_SEED = 0x1d3_9;

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return value;
}

function integer(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) throw new Error(`${name} must be an integer, got ${JSON.stringify(raw)}`);
  return value;
}

const FUZZ_RUNS = positiveInt('FUZZ_RUNS', DEFAULT_RUNS);
const FUZZ_SEED = integer('FUZZ_SEED', DEFAULT_SEED);
const FUZZ_PATH = process.env['FUZZ_PATH'] || undefined;

/** Said once per file, so a CI log shows which cases ran and how to replay them. */
console.info(
  `fuzz: FUZZ_RUNS=${FUZZ_RUNS} FUZZ_SEED=${FUZZ_SEED}${FUZZ_PATH === undefined ? '' : ` FUZZ_PATH=${FUZZ_PATH}`} (override with these environment variables)`,
);

/** How many cases a property of relative cost `scale` runs. */
export function runsFor(scale: number): number {
  return Math.max(1, Math.round(FUZZ_RUNS * scale));
}

/** fast-check parameters for a property of relative cost `scale` (1 = the FUZZ_RUNS baseline). */
export function fuzzParams<T>(scale = 1): fc.Parameters<T> {
  return { numRuns: runsFor(scale), seed: FUZZ_SEED, ...(FUZZ_PATH !== undefined && { path: FUZZ_PATH }) };
}

/** A vitest timeout for a property of `scale` whose case costs about `msPerCase` on a loaded machine. */
export function timeoutFor(scale: number, msPerCase: number): number {
  return 30_000 + Math.ceil(runsFor(scale) * msPerCase);
}
