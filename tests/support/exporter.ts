import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort, StopWaiting, waitFor } from './ports.js';
import { startProcess, type RunningProcess } from './process.js';

export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

export interface RunningExporter {
  readonly url: string;
  readonly port: number;
  readonly process: RunningProcess;
  stop(): Promise<number | null>;
}

/** Starts the built `ide-monitor serve` on 127.0.0.1 and an ephemeral port; `npm test` builds first. */
export async function startExporter(options: { args?: string[]; env?: NodeJS.ProcessEnv } = {}): Promise<RunningExporter> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` (npm test does it)`);
  const port = await freePort();
  const proc = startProcess(process.execPath, [CLI, 'serve', `--web.listen-address=127.0.0.1:${port}`, ...(options.args ?? [])], {
    ...process.env,
    ...options.env,
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    // The log line rather than /-/ready: it works for TLS and basic-auth setups alike.
    await waitFor('the exporter to be ready', async () => {
      if (proc.child.exitCode !== null) throw new StopWaiting(`exporter exited: ${proc.output()}`);
      return proc.output().includes('ide-monitor listening');
    });
  } catch (error) {
    await proc.stop();
    throw error;
  }
  return { url, port, process: proc, stop: () => proc.stop() };
}
