import type { Server } from 'node:net';
import type { Request, Response } from 'express';
import type { Logger } from '../log.js';

export interface StreamHubOptions {
  readonly maxClients: number;
  /** A client whose socket holds more unsent bytes than this is cut; its EventSource reconnects. */
  readonly maxBufferedBytes: number;
  /** Sent as the stream's `retry:` so a browser reconnects within about a second. */
  readonly retryMs: number;
  readonly logger: Logger;
}

interface Client {
  readonly res: Response;
  readonly server: Server | undefined;
}

/**
 * The Server-Sent Events fan-out: each update is serialised once per tick by the caller and the same
 * string is written to every open stream. Bounded: beyond `maxClients` a new stream gets 503.
 */
export class StreamHub {
  private readonly clients = new Set<Client>();

  constructor(private readonly options: StreamHubOptions) {}

  get size(): number {
    return this.clients.size;
  }

  /** Opens a stream and sends `first` (the current update, already framed) at once. */
  open(req: Request, res: Response, first: string): void {
    if (this.clients.size >= this.options.maxClients) {
      res.setHeader('Retry-After', '10');
      res.status(503).json({ error: `too many open status streams (status.max_clients = ${this.options.maxClients}); try again later` });
      return;
    }
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      // nginx and similar proxies buffer responses unless told not to; an event stream must not be.
      'X-Accel-Buffering': 'no',
    });
    req.socket.setNoDelay(true);
    // The server this socket came through: once it stops listening (SIGTERM) the streams are ended,
    // since a stream is never idle and would otherwise hold the shutdown until its grace runs out.
    const server = (req.socket as unknown as { server?: Server }).server;
    const client: Client = { res, server };
    this.clients.add(client);
    res.on('close', () => this.clients.delete(client));
    res.write(`retry: ${this.options.retryMs}\n\n${first}`);
  }

  broadcast(frame: string): void {
    for (const client of this.clients) {
      const { res, server } = client;
      if (server !== undefined && !server.listening) {
        this.clients.delete(client);
        res.end();
      } else if (res.writableLength > this.options.maxBufferedBytes) {
        this.clients.delete(client);
        this.options.logger.warn({ buffered: res.writableLength }, 'status stream client fell behind; disconnected (it will reconnect)');
        res.destroy();
      } else {
        res.write(frame);
      }
    }
  }

  closeAll(): void {
    for (const { res } of this.clients) res.end();
    this.clients.clear();
  }
}

/** One SSE frame; `data` must be a single line (JSON.stringify output is). */
export function sseFrame(id: number, data: string): string {
  return `id: ${id}\ndata: ${data}\n\n`;
}
