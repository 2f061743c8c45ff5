import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.mjs';
import { startProcess, type RunningProcess } from './process.mjs';

export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

export interface RunningExporter {
  readonly url: string;
  readonly port: number;
  readonly process: RunningProcess;
  stop(): Promise<number | null>;
}

export interface ExporterOptions {
  readonly args?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  /** A fixed port, for tests that restart the exporter where its clients expect it; else an ephemeral one. */
  readonly port?: number;
}

/** Starts the built `ide-monitor serve` on 127.0.0.1 and an ephemeral port; `npm test` builds first. */
export async function startExporter(options: ExporterOptions = {}): Promise<RunningExporter> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` (npm test does it)`);
  const port = options.port ?? (await freePort());
  // Each exporter gets its own bridge outbox unless the test shares one on purpose (restart tests).
  const dataDir = options.env?.['IDE_MONITOR_DATA_DIR'] === undefined ? mkdtempSync(join(tmpdir(), 'ide-monitor-data-')) : undefined;
  const proc = startProcess(process.execPath, [CLI, 'serve', `--web.listen-address=127.0.0.1:${port}`, ...(options.args ?? [])], {
    name: 'ide-monitor serve',
    env: { ...process.env, ...(dataDir !== undefined && { IDE_MONITOR_DATA_DIR: dataDir }), ...options.env },
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    // The log line rather than /-/ready: it works for TLS and basic-auth setups alike.
    await proc.waitReady('logging "ide-monitor listening"', () => proc.output().includes('ide-monitor listening'), 15_000);
  } catch (error) {
    await proc.stop();
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const stop = async () => {
    const code = await proc.stop();
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
    return code;
  };
  return { url, port, process: proc, stop };
}
