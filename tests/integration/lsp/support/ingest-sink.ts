import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedBatch {
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
  close(): Promise<void>;
}

/**
 * A stand-in for `POST /api/v1/ingest` that records what it receives: for reporter and proxy tests that
 * check what is sent, independently of how the exporter maps it to metrics.
 */
export async function startIngestSink(port = 0): Promise<IngestSink> {
  const batches: ReceivedBatch[] = [];
  let status: number | 'hang' = 202;
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
      if (status >= 200 && status < 300) batches.push({ headers: req.headers, body: JSON.parse(text) as ReceivedBatch['body'] });
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
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
