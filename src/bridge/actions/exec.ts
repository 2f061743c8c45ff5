import { spawn, type ChildProcess } from 'node:child_process';
import type { ActionAlert, ActionPhase } from './model.js';
import type { ExecStep } from './schema.js';
import { errorMessage, formatMs, OutputCapture, truncate, type StepResult } from './output.js';

/**
 * `exec` steps run a program from an argv array in the config — never through a shell, and nothing from the
 * alert is ever put into argv. Alert data arrives only as `ALERT_*` environment variables and as the alert's
 * JSON on stdin, where no shell or parser of ours can turn it into code.
 */

/** An `exec` step ready to run (or to show, in dry-run mode). */
export interface PreparedExec {
  readonly kind: 'exec';
  readonly argv: readonly [string, ...string[]];
  readonly cwd: string | undefined;
  readonly env: Readonly<Record<string, string>>;
  /** Only the ALERT_* part of env: safe to show in a dry run (configured env may hold tokens). */
  readonly alertEnv: Readonly<Record<string, string>>;
  readonly stdin: string;
  readonly target: string;
}

/** The only variables inherited from our own environment: enough to find programs and speak UTF-8. */
const INHERITED = ['PATH', 'HOME', 'LANG'] as const;
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** `ALERT_<LABEL>` for a label name: upper-cased, anything outside [A-Z0-9_] becomes `_`. */
export function alertVariableName(label: string): string {
  return `ALERT_${label.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}`;
}

/**
 * The ALERT_* variables. Labels are applied in name order so a collision (`Instance` vs `instance`) resolves
 * the same way every time; STATUS, FINGERPRINT and PHASE are set last so a label cannot fake them.
 */
function alertEnvironment(alert: ActionAlert, phase: ActionPhase): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of Object.keys(alert.labels).sort()) env[alertVariableName(name)] = alert.labels[name] ?? '';
  env.ALERT_STATUS = alert.status;
  env.ALERT_FINGERPRINT = alert.fingerprint;
  env.ALERT_PHASE = phase;
  return env;
}

export function prepareExec(step: ExecStep, alert: ActionAlert, phase: ActionPhase, inherited: NodeJS.ProcessEnv = process.env): PreparedExec {
  const [program, ...args] = step.argv;
  const base: Record<string, string> = {};
  for (const name of INHERITED) {
    const value = inherited[name];
    if (value !== undefined) base[name] = value;
  }
  base.PATH ??= DEFAULT_PATH;
  const alertEnv = alertEnvironment(alert, phase);
  return {
    kind: 'exec',
    argv: [program ?? '', ...args],
    cwd: step.working_dir,
    env: { ...base, ...(step.env ?? {}), ...alertEnv },
    alertEnv,
    stdin: `${JSON.stringify(alert)}\n`,
    target: step.argv.map(quoteForDisplay).join(' '),
  };
}

/** What a dry run shows: the alert variables the command would receive and its working directory. */
export function previewExec(prepared: PreparedExec): string {
  const lines = Object.entries(prepared.alertEnv).map(([name, value]) => `${name}=${JSON.stringify(value)}`);
  if (prepared.cwd !== undefined) lines.unshift(`working_dir=${prepared.cwd}`);
  return truncate(lines.join('\n'));
}

export interface ExecLimits {
  readonly timeoutMs: number;
  /** Time between SIGTERM and SIGKILL once the timeout has passed. */
  readonly killGraceMs: number;
}

/** How long to wait for output pipes to close after the program exited (a background child may hold them). */
const PIPE_DRAIN_MS = 500;

/** Runs the command to completion, timeout or failure to start; resolves once, never rejects. */
export function runExec(prepared: PreparedExec, limits: ExecLimits): Promise<StepResult> {
  return new Promise((resolve) => {
    const capture = new OutputCapture();
    let child: ChildProcess;
    try {
      child = spawn(prepared.argv[0], prepared.argv.slice(1), {
        shell: false,
        cwd: prepared.cwd,
        env: prepared.env,
        stdio: ['pipe', 'pipe', 'pipe'],
        // Own process group, so a timeout can stop the command together with anything it started.
        detached: true,
      });
    } catch (error) {
      // Synchronous spawn errors: e.g. a label value containing a NUL byte cannot be an environment variable.
      resolve({ outcome: 'failed', outputExcerpt: '', error: `could not start ${prepared.argv[0]}: ${errorMessage(error)}` });
      return;
    }

    let settled = false;
    let timedOut = false;
    let spawnError: Error | undefined;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    let drainTimer: NodeJS.Timeout | undefined;

    const signalGroup = (signal: NodeJS.Signals): boolean => {
      if (child.pid === undefined) return false;
      try {
        process.kill(-child.pid, signal);
        return true;
      } catch {
        // ESRCH: the group is already gone. Fall back to the direct child in case it left the group.
        return child.exitCode === null && child.signalCode === null ? child.kill(signal) : false;
      }
    };

    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timeoutTimer);
      clearTimeout(drainTimer);
      if (timedOut) {
        // SIGTERM was sent; anything in the group still alive now gets SIGKILL rather than outliving its timeout.
        clearTimeout(killTimer);
        signalGroup('SIGKILL');
      }
      child.stdout?.destroy();
      child.stderr?.destroy();
      resolve(resultOf());
    };

    const resultOf = (): StepResult => {
      const outputExcerpt = capture.excerpt();
      if (spawnError !== undefined) return { outcome: 'failed', outputExcerpt, error: `could not start ${prepared.argv[0]}: ${spawnError.message}` };
      const code = exit?.code ?? undefined;
      if (timedOut) {
        return { outcome: 'timed_out', exitCode: code, outputExcerpt, error: `killed after the timeout of ${formatMs(limits.timeoutMs)}` };
      }
      if (code === 0) return { outcome: 'succeeded', exitCode: 0, outputExcerpt };
      if (code !== undefined) return { outcome: 'failed', exitCode: code, outputExcerpt, error: `exited with code ${code}` };
      return { outcome: 'failed', outputExcerpt, error: `terminated by ${exit?.signal ?? 'an unknown signal'}` };
    };

    const timeoutTimer = setTimeout(() => {
      timedOut = true;
      signalGroup('SIGTERM');
      killTimer = setTimeout(() => {
        signalGroup('SIGKILL');
        // SIGKILL cannot be ignored, but a grandchild in another group may keep our pipes open: do not wait on it.
        drainTimer = setTimeout(finish, PIPE_DRAIN_MS);
      }, limits.killGraceMs);
    }, limits.timeoutMs);

    child.stdout?.on('data', (chunk: Buffer) => capture.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => capture.push(chunk));
    // A command that does not read stdin closes the pipe early (EPIPE); that is its right, not a failure.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(prepared.stdin);

    child.once('error', (error) => {
      spawnError = error;
      // Failed to start (ENOENT, EACCES, bad cwd): there will be no exit; pipes close on their own.
      if (child.pid === undefined) finish();
    });
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      // Normally 'close' follows at once; a background process that inherited stdout could delay it forever.
      drainTimer = setTimeout(finish, PIPE_DRAIN_MS);
    });
    child.once('close', (code, signal) => {
      exit ??= { code, signal };
      finish();
    });
  });
}

/** argv for people: words as they are, anything with spaces or quotes JSON-quoted. */
function quoteForDisplay(arg: string): string {
  return arg !== '' && /^[\w@%+=:,./-]+$/.test(arg) ? arg : JSON.stringify(arg);
}
