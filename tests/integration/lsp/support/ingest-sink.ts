import http from 'node:http';
import type { AddressInfo } from 'node:net';

interface ReceivedBatch {
  readonly headers: http.IncomingHttpHeaders;
  readonly body: { version: number; instance?: string; observations: Record<string, unknown>[] };
}

export interface IngestSink {
  readonly url: string;
  readonly port: number;
  readonly batches: ReceivedBatch[];
  /** Every observation received so far, in order. */
  observations(): Record<string, unknown>[];
  /** The status answered from now on (202 by default); `hang` never answers. */
  answer(status: number | 'hang'): void;
  /** The next accepted batch is answered 200 with these control commands (as the exporter does). */
  control(commands: unknown[]): void;
  /** Refuse version 2 batches with 400, as an exporter older than the control channel does. */
  onlyVersion1(): void;
  close(): Promise<void>;
}

/**
 * A stand-in for `POST /api/v1/ingest` that records what it receives: for reporter and proxy tests that
 * check what is sent, independently of how the exporter maps it to metrics.
 */
export async function startIngestSink(port = 0): Promise<IngestSink> {
  const batches: ReceivedBatch[] = [];
  let status: number | 'hang' = 202;
  let commands: unknown[] | undefined;
  let v1Only = false;
  const hanging = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (text += d));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/api/v1/ingest') {
        res.writeHead(404).end();
        return;
      }
      if (status === 'hang') {
        hanging.add(res);
        return;
      }
      const body = JSON.parse(text) as ReceivedBatch['body'];
      if (v1Only && body.version !== 1) {
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"invalid batch: version: Invalid input: expected 1"}');
        return;
      }
      if (status >= 200 && status < 300) batches.push({ headers: req.headers, body });
      if (commands !== undefined && status >= 200 && status < 300) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ control: { version: 1, commands } }));
        commands = undefined;
        return;
      }
      res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    batches,
    observations: () => batches.flatMap((b) => b.body.observations),
    answer: (s) => {
      status = s;
    },
    control: (c) => {
      commands = c;
    },
    onlyVersion1: () => {
      v1Only = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
