import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync } from 'node:fs';
import path from 'node:path';

/**
 * How to start a language server command. On Windows, npm installs servers as `.cmd` launchers
 * (`typescript-language-server.cmd`), which CreateProcess cannot run and Node (since the CVE-2024-27980
 * fix) refuses to spawn without a shell. The proxy then runs `cmd.exe /d /s /c "<quoted command line>"`,
 * only for `.cmd`/`.bat`, with every argument quoted so cmd.exe passes it through literally; everything
 * else is spawned directly, without a shell, on every platform.
 *
 * Untested on a real Windows machine: the quoting is unit-tested against the rules of cmd.exe and of
 * the MSVC runtime's argument parser (what cross-spawn, which npm itself uses, implements).
 */
export interface SpawnPlan {
  readonly file: string;
  readonly args: string[];
  /** Node must not re-quote the already quoted cmd.exe command line. */
  readonly windowsVerbatimArguments: boolean;
}

export interface PlanOptions {
  readonly platform?: NodeJS.Platform;
  readonly env?: NodeJS.ProcessEnv;
  /** For tests: whether a file exists. */
  readonly exists?: (file: string) => boolean;
}

export function spawnPlan(command: string, args: readonly string[], options: PlanOptions = {}): SpawnPlan {
  const platform = options.platform ?? process.platform;
  if (platform !== 'win32') return { file: command, args: [...args], windowsVerbatimArguments: false };
  const env = options.env ?? process.env;
  const resolved = resolveWindowsCommand(command, env, options.exists ?? fileExists);
  if (!/\.(cmd|bat)$/i.test(resolved)) return { file: resolved, args: [...args], windowsVerbatimArguments: false };
  // npm's launchers pass their arguments on with %*, which cmd.exe parses a second time: escape twice.
  const line = [escapeCommand(path.win32.normalize(resolved)), ...args.map((a) => quoteForCmd(a, true))].join(' ');
  return { file: env['ComSpec'] ?? env['COMSPEC'] ?? 'cmd.exe', args: ['/d', '/s', '/c', `"${line}"`], windowsVerbatimArguments: true };
}

/**
 * A bare name (`typescript-language-server`) is looked up on PATH with PATHEXT, as cmd.exe would, so
 * the `.cmd` launcher is found; a name with an extension or a directory is used as given.
 */
export function resolveWindowsCommand(command: string, env: NodeJS.ProcessEnv, exists: (file: string) => boolean): string {
  if (path.win32.extname(command) !== '') return command;
  const extensions = (env['PATHEXT'] ?? '.COM;.EXE;.BAT;.CMD').split(';').filter((e) => e !== '');
  const dirs = /[\\/]/.test(command) ? [''] : (env['PATH'] ?? env['Path'] ?? '').split(';').filter((d) => d !== '');
  for (const dir of dirs) {
    for (const ext of extensions) {
      const candidate = dir === '' ? `${command}${ext}` : path.win32.join(dir, `${command}${ext}`);
      if (exists(candidate)) return candidate;
    }
  }
  return command;
}

/** cmd.exe's metacharacters, as cross-spawn escapes them. */
const META = /([()\][%!^"`<>&|;, *?])/g;

/**
 * One argument for a command line that cmd.exe reads first and the program's C runtime parses after
 * (the same rules as cross-spawn): quoted for the runtime (backslashes doubled before a quote and at the
 * end, quotes escaped), then every cmd.exe metacharacter escaped with ^ so `&`, `|`, `%`, `!`, `<`, `>`,
 * spaces and quotes reach the program literally; twice for launchers that re-expand their arguments.
 */
export function quoteForCmd(arg: string, twice = false): string {
  let quoted = arg.replace(/(\\*)"/g, '$1$1\\"');
  quoted = quoted.replace(/(\\*)$/, '$1$1');
  quoted = `"${quoted}"`.replace(META, '^$1');
  return twice ? quoted.replace(META, '^$1') : quoted;
}

/** The command itself is not quoted (cmd.exe would take a quoted first word as a window title), only escaped. */
function escapeCommand(command: string): string {
  return command.replace(META, '^$1');
}

/** A server process started before the proxy's modules were loaded, with what happened to it meanwhile. */
export interface EarlyChild {
  readonly child: ChildProcess;
  spawnError?: NodeJS.ErrnoException;
  closed?: { code: number | null; signal: NodeJS.Signals | null };
}

/**
 * Starts the server with stdio piped (its stderr is the editor's, as with a direct start). Nothing is
 * read yet: its output waits in the pipe until the relay is attached, and an `error` (it could not be
 * started) is kept instead of being thrown with no listener.
 */
export function spawnServer(plan: SpawnPlan): EarlyChild {
  const child = spawn(plan.file, plan.args, { stdio: ['pipe', 'pipe', 'inherit'], windowsVerbatimArguments: plan.windowsVerbatimArguments });
  const early: EarlyChild = { child };
  child.once('error', (error: NodeJS.ErrnoException) => (early.spawnError ??= error));
  child.once('close', (code: number | null, signal: NodeJS.Signals | null) => (early.closed = { code, signal }));
  return early;
}

function fileExists(file: string): boolean {
  try {
    accessSync(file);
    return true;
  } catch {
    return false;
  }
}
