// A real server binary (Prometheus, Alertmanager) with a throw-away directory, for the tests, bench/ and
// soak/ (plain JS; types in binary-server.d.mts).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dump } from 'js-yaml';
import { freePort } from './ports.mjs';
import { startProcess } from './process.mjs';

/**
 * A real server binary on 127.0.0.1 and an ephemeral port, with a throw-away directory for its YAML config
 * and storage, resolved once `/-/ready` answers. A failed start stops the process and removes the
 * directory before the error reaches the caller.
 */
export async function startBinaryServer(options) {
  const dir = mkdtempSync(path.join(tmpdir(), options.dirPrefix));
  let proc;
  const stop = async () => {
    await proc?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const configFile = path.join(dir, options.configName);
    writeFileSync(configFile, dump(typeof options.config === 'function' ? options.config(dir) : options.config));
    const port = options.port ?? (await freePort());
    const url = `http://127.0.0.1:${port}`;
    proc = startProcess(options.binary, options.args({ dir, configFile, port, url }), { name: options.name });
    await proc.waitReady(`answering ${url}/-/ready`, async () => (await fetch(`${url}/-/ready`)).ok, options.readyTimeoutMs ?? 30_000);
    return { url, configFile, process: proc, output: proc.output, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
