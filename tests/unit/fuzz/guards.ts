import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * What every fuzz suite checks besides its answers: nothing escaped as an unhandled rejection or an
 * uncaught exception while it ran, and the heap did not grow without bound.
 */

export interface ProcessErrorWatch {
  /** One line per unhandled rejection / uncaught exception seen since the watch began. */
  readonly seen: readonly string[];
  dispose(): void;
}

/** Records what vitest would also report, so the suite itself fails with the cause in its assertion. */
export function watchProcessErrors(): ProcessErrorWatch {
  const seen: string[] = [];
  const describe = (value: unknown) => (value instanceof Error ? `${value.name}: ${value.message}` : String(value));
  const onRejection = (reason: unknown) => seen.push(`unhandledRejection: ${describe(reason)}`);
  const onException = (error: unknown) => seen.push(`uncaughtException: ${describe(error)}`);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return {
    seen,
    dispose() {
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
    },
  };
}

/**
 * A real gc(): the worker's own when it runs with --expose-gc, else one switched on at runtime (the
 * trick jest's leak detector uses). Without a gc, heapUsed measures garbage, not retention.
 */
function findGc(): (() => void) | undefined {
  const own = (globalThis as { gc?: unknown }).gc;
  if (typeof own === 'function') return own as () => void;
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
}

/** Generous: the suites retain servers, SQLite caches and metric cells; a leak per case is far larger. */
export const HEAP_GROWTH_LIMIT = 50 * 2 ** 20;

export interface HeapWatch {
  /** Bytes retained since the watch began (after full collections), or a reason it cannot be measured. */
  growth(): { bytes: number } | { skipped: string };
}

export function watchHeap(): HeapWatch {
  const gc = findGc();
  const settled = () => {
    gc!();
    gc!();
    return process.memoryUsage().heapUsed;
  };
  const before = gc === undefined ? 0 : settled();
  return {
    growth() {
      if (gc === undefined) return { skipped: 'no gc() available (neither --expose-gc nor v8.setFlagsFromString); heap growth not measured' };
      return { bytes: settled() - before };
    },
  };
}

/** Bytes retained since `watch` began, printed; undefined (with the reason printed) when unmeasurable. */
export function retainedBytes(watch: HeapWatch): number | undefined {
  const growth = watch.growth();
  if ('skipped' in growth) {
    console.warn(`fuzz: ${growth.skipped}`);
    return undefined;
  }
  console.info(`fuzz: heap grew by ${(growth.bytes / 2 ** 20).toFixed(1)} MiB (limit ${HEAP_GROWTH_LIMIT / 2 ** 20} MiB)`);
  return growth.bytes;
}
