import type { Logger } from 'pino';

const DRAIN_MS = 500;

/**
 * Node joins libuv's threadpool on exit, so one statfs or read stuck on a dead network mount would keep a
 * stopped exporter alive forever. After shutdown we give pending filesystem calls a moment to drain; if
 * some never will, we say so and end the process with SIGKILL rather than hang the operator's `stop`.
 */
export async function exitPromptlyDespiteStuckIo(logger: Logger): Promise<void> {
  const deadline = Date.now() + DRAIN_MS;
  while (pendingFsCalls() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  const stuck = pendingFsCalls();
  if (stuck === 0) return;
  logger.warn({ stuck_calls: stuck }, 'filesystem calls are stuck (a dead mount?); exiting without waiting for them');
  process.kill(process.pid, 'SIGKILL');
}

function pendingFsCalls(): number {
  return process.getActiveResourcesInfo().filter((type) => type.startsWith('FSReq')).length;
}
