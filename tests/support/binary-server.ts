import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dump } from 'js-yaml';
import { freePort, StopWaiting, waitFor } from './ports.js';
import { startProcess, type RunningProcess } from './process.js';

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
  /** Everything the server wrote to stdout and stderr so far. */
  output: () => string;
  /** Stops the server (SIGTERM, then SIGKILL) and removes its directory. */
  stop: () => Promise<void>;
}

/**
 * A real server binary (Prometheus, Alertmanager) on 127.0.0.1 and an ephemeral port, with a throw-away
 * directory for its YAML config and storage, resolved once `/-/ready` answers. A failed start stops the
 * process and removes the directory before the error reaches the test.
 */
export async function startBinaryServer(options: BinaryServerOptions): Promise<RunningBinaryServer> {
  const dir = mkdtempSync(path.join(tmpdir(), options.dirPrefix));
  let proc: RunningProcess | undefined;
  const stop = async () => {
    await proc?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const configFile = path.join(dir, options.configName);
    writeFileSync(configFile, dump(typeof options.config === 'function' ? options.config(dir) : options.config));
    const port = options.port ?? (await freePort());
    const url = `http://127.0.0.1:${port}`;
    const running = startProcess(options.binary, options.args({ dir, configFile, port, url }));
    proc = running;
    await waitFor(`${options.name} to be ready`, async () => {
      if (running.child.exitCode !== null) throw new StopWaiting(`${options.name} exited: ${running.output()}`);
      return (await fetch(`${url}/-/ready`)).ok;
    }, options.readyTimeoutMs ?? 30_000);
    return { url, configFile, output: running.output, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
