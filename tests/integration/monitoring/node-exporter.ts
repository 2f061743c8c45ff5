import { freePort } from '../../support/ports.mjs';
import { startProcess } from '../../support/process.mjs';

export interface RunningNodeExporter {
  /** `127.0.0.1:<port>`, as Prometheus' static_configs want it. */
  readonly target: string;
  output(): string;
  stop(): Promise<void>;
}

/** Debian's prometheus-node-exporter on 127.0.0.1 and a free port, resolved once `/metrics` answers. */
export async function startNodeExporter(binary: string): Promise<RunningNodeExporter> {
  const target = `127.0.0.1:${await freePort()}`;
  const proc = startProcess(binary, [`--web.listen-address=${target}`, '--log.level=warn'], { name: 'node_exporter' });
  const stop = async () => {
    await proc.stop();
  };
  try {
    // node_exporter has no /-/ready; a served /metrics is what Prometheus needs.
    await proc.waitReady('serving /metrics', async () => (await fetch(`http://${target}/metrics`)).ok, 15_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { target, output: proc.output, stop };
}
