import type { RunningProcess } from './process.mjs';

export interface BinaryServerOptions {
  /** Names the server in waits and errors ("Prometheus"). */
  readonly name: string;
  readonly binary: string;
  /** Prefix of the throw-away directory under the system temp dir. */
  readonly dirPrefix: string;
  /**
   * Its configuration, written as YAML to `<dir>/<configName>` before the start. As a function it gets
   * the directory, for a config that points at files it writes there (a credentials file).
   */
  readonly configName: string;
  readonly config: object | ((dir: string) => object);
  /** The command line; `url` is where the server will answer (`http://127.0.0.1:<port>`). */
  readonly args: (where: ServerPlace) => readonly string[];
  readonly readyTimeoutMs?: number;
  /** A fixed port, for a test that restarts the server where its clients expect it; else a free one. */
  readonly port?: number;
}

export interface ServerPlace {
  /** The throw-away directory, for storage paths. */
  readonly dir: string;
  readonly configFile: string;
  readonly port: number;
  readonly url: string;
}

export interface RunningBinaryServer {
  readonly url: string;
  readonly configFile: string;
  /** The server's process (its pid, for /proc readings). */
  readonly process: RunningProcess;
  /** Everything the server wrote to stdout and stderr so far. */
  output: () => string;
  /** Stops the server (SIGTERM, then SIGKILL) and removes its directory. */
  stop: () => Promise<void>;
}

/**
 * A real server binary (Prometheus, Alertmanager) on 127.0.0.1 and an ephemeral port, with a throw-away
 * directory for its YAML config and storage, resolved once `/-/ready` answers. A failed start stops the
 * process and removes the directory before the error reaches the caller.
 */
export function startBinaryServer(options: BinaryServerOptions): Promise<RunningBinaryServer>;
