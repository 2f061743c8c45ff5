import type { ChildProcess } from 'node:child_process';

/** Registers a child for the exit backstop (SIGTERM when this process exits); returns it. */
export function track<T extends ChildProcess>(child: T): T;

/** SIGTERM to every tracked child still running; synchronous, so it also works inside an 'exit' handler. */
export function terminateAll(): void;

export interface ProcessOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Names the process in waits and errors (default: the command). */
  readonly name?: string;
  /** Keep only the last this many characters of output (a long-running child); default: all of it. */
  readonly tailChars?: number;
  /** 'ignore' sends stdout to /dev/null (a child that logs on stderr and whose stdout is noise). */
  readonly stdout?: 'pipe' | 'ignore';
}

export interface RunningProcess {
  readonly child: ChildProcess;
  readonly pid: number | undefined;
  readonly name: string;
  /** Resolves with the exit code (null when killed by a signal or it failed to start). */
  readonly exited: Promise<number | null>;
  /** How it ended ("exited with code 1", "exited with SIGKILL", "failed to start: …"); undefined while it runs. */
  readonly exitReason: () => string | undefined;
  /** Everything the process wrote to stdout and stderr so far (or its tail), for assertions and failure messages. */
  readonly output: () => string;
  /** Sends SIGTERM, then SIGKILL after `graceMs` (default 5 s); resolves with the exit code (null when killed). */
  readonly stop: (graceMs?: number) => Promise<number | null>;
  /** Polls `probe` until true, at most `timeoutMs` (default 30 s); fails at once, with the output, when the process exits. */
  waitReady(what: string, probe: () => Promise<boolean> | boolean, timeoutMs?: number): Promise<void>;
}

/**
 * Starts `command` with stdout and stderr kept (all of it, or the last `tailChars` characters for a
 * long-running child), an exit that says how it ended, and a bounded readiness wait that gives up as
 * soon as the child has exited.
 */
export function startProcess(command: string, args: readonly string[], options?: ProcessOptions): RunningProcess;
