// A child process whose output is kept and which is stopped by its PID (SIGTERM, then SIGKILL), for the
// tests, bench/, soak/ and scripts/stack.mjs alike (plain JS; types in process.d.mts).
import { spawn } from 'node:child_process';
import { StopWaiting, waitFor } from './ports.mjs';

/** How long a child gets between SIGTERM and SIGKILL unless the caller says otherwise. */
const KILL_GRACE_MS = 5_000;

// Children still running when this process exits (a test or a benchmark section threw past its own
// cleanup, or the run was interrupted) get SIGTERM, so no server outlives its run.
const live = new Set();

/** Registers a child for the exit backstop; returns it. */
export function track(child) {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/** SIGTERM to every tracked child still running; synchronous, so it also works inside an 'exit' handler. */
export function terminateAll() {
  for (const child of live) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
}

process.once('exit', terminateAll);

/**
 * Starts `command` with stdout and stderr kept (all of it, or the last `tailChars` characters for a
 * long-running child), an exit that says how it ended, and a bounded readiness wait that gives up as
 * soon as the child has exited.
 */
export function startProcess(command, args, { env = process.env, cwd, name = command, tailChars, stdout = 'pipe' } = {}) {
  const child = track(spawn(command, [...args], { env, cwd, stdio: ['ignore', stdout, 'pipe'] }));
  let output = '';
  const keep = (d) => {
    output += d.toString();
    if (tailChars !== undefined && output.length > tailChars) output = output.slice(-tailChars);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exitReason;
  const exited = new Promise((resolve) => {
    child.once('error', (error) => {
      exitReason = `failed to start: ${error.message}`;
      resolve(null);
    });
    child.once('exit', (code, signal) => {
      exitReason = `exited with ${signal ?? `code ${code}`}`;
      resolve(code);
    });
  });
  return {
    child,
    pid: child.pid,
    name,
    exited,
    exitReason: () => exitReason,
    output: () => output,
    async stop(graceMs = KILL_GRACE_MS) {
      if (exitReason !== undefined) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
    waitReady(what, probe, timeoutMs = 30_000) {
      return waitFor(
        `${name} ${what}`,
        async () => {
          if (exitReason !== undefined) throw new StopWaiting(`${name} ${exitReason} before ${what}\n${output}`);
          return probe();
        },
        timeoutMs,
      );
    },
  };
}
