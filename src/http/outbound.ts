import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import type { AxiosInstance } from 'axios';
import { lazy } from '../lazy-require.js';

// Loaded on the first request: axios costs ~8 MB of resident memory, and a `serve` with no channel or
// Alertmanager configured never sends one.
const axios = lazy<typeof import('axios')>('axios');

/**
 * The one outbound HTTP client (the bridge's channels and Alertmanager client, actions, the proxy's reporter,
 * remote write): keep-alive sockets (a
 * TLS handshake per notification would dominate the latency), no redirects (an endpoint that redirects is
 * misconfigured, and a credential must reach exactly the configured host), every status returned rather
 * than thrown, and ONE deadline over the whole exchange: connect, headers and body. axios' own `timeout`
 * does not bound a server that sends its headers and then trickles the body.
 */
export interface OutboundRequest {
  readonly method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly url: string;
  /** Already serialised (JSON, form, a protobuf Buffer); sent as is. */
  readonly body?: string | Buffer;
  readonly headers?: Readonly<Record<string, string>>;
  /** Overrides the client's deadline for this request. */
  readonly timeoutMs?: number;
  /** Cancels the request from outside (a shutdown); it then fails with the code `aborted`. */
  readonly signal?: AbortSignal;
}

export interface OutboundResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** The body as text, at most the client's maxBodyBytes of it. */
  readonly body: string;
}

/** A request that got no complete answer: refused, reset, DNS, or past its deadline. `code` names which. */
export class OutboundError extends Error {
  constructor(readonly code: string) {
    super(`transport error: ${code}`);
    this.name = 'OutboundError';
  }
}

/** By default an answer body beyond this is cut: channels read statuses and short error texts. */
const DEFAULT_MAX_BODY_BYTES = 256 * 1024;

export interface OutboundClient {
  request(request: OutboundRequest): Promise<OutboundResponse>;
  close(): void;
}

export interface OutboundOptions {
  readonly timeoutMs: number;
  readonly userAgent?: string;
  readonly maxSockets?: number;
  /** Bytes of an answer kept (default 256 KiB). */
  readonly maxBodyBytes?: number;
  /** A longer answer is cut (channels: only its start matters) or an error (documents we parse). */
  readonly oversized?: 'cut' | 'fail';
  /** Client certificate, CA and verification for https endpoints (remote write's `tls_config`). */
  readonly tls?: https.AgentOptions;
}

export function createOutboundClient(options: OutboundOptions): OutboundClient {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const httpAgent = new http.Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 16 });
  const httpsAgent = new https.Agent({ ...options.tls, keepAlive: true, maxSockets: options.maxSockets ?? 16 });
  let created: AxiosInstance | undefined;
  const client = () =>
    (created ??= axios().default.create({
      maxRedirects: 0,
      httpAgent,
      httpsAgent,
      validateStatus: () => true,
      responseType: 'stream',
      transformRequest: [(data: unknown) => data],
      headers: { 'User-Agent': options.userAgent ?? 'ide-monitor' },
    }));
  return {
    async request(request) {
      const timeoutMs = request.timeoutMs ?? options.timeoutMs;
      const deadline = new AbortController();
      const timer = setTimeout(() => deadline.abort(), timeoutMs);
      const signal = request.signal === undefined ? deadline.signal : AbortSignal.any([deadline.signal, request.signal]);
      const failure = () => new OutboundError(request.signal?.aborted ? 'aborted' : `no complete answer within ${timeoutMs} ms`);
      try {
        const response = await client().request<Readable>({
          method: request.method ?? 'POST',
          url: request.url,
          data: request.body,
          headers: { ...(request.body !== undefined && { 'Content-Type': 'application/json' }), ...request.headers },
          signal,
        });
        const { text: body, cut } = await readText(response.data, signal, maxBodyBytes);
        if (signal.aborted) throw failure();
        if (cut && options.oversized === 'fail') throw new OutboundError(`answer larger than ${maxBodyBytes} bytes`);
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(response.headers)) if (typeof value === 'string') headers[name.toLowerCase()] = value;
        return { status: response.status, headers, body };
      } catch (error) {
        if (error instanceof OutboundError) throw error;
        if (signal.aborted) throw failure();
        // Built from the error code only: axios' messages and config carry the URL, and webhook URLs are secrets.
        const code = (error as { code?: unknown }).code;
        throw new OutboundError(typeof code === 'string' ? code : error instanceof Error ? error.name : 'request failed');
      } finally {
        clearTimeout(timer);
      }
    },
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

/** Reads a body as UTF-8 text up to the cap; stops (and destroys the stream) when the deadline passes. */
function readText(stream: Readable, signal: AbortSignal, maxBytes: number): Promise<{ text: string; cut: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      signal.removeEventListener('abort', onAbort);
      resolve({ text: Buffer.concat(chunks).toString('utf8'), cut: size > maxBytes });
    };
    const onAbort = () => {
      stream.destroy();
      done();
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    stream.on('data', (chunk: Buffer) => {
      if (size < maxBytes) chunks.push(chunk.subarray(0, maxBytes - size));
      size += chunk.length;
    });
    stream.once('end', done);
    // A body cut short still leaves the status code, which is what decides the outcome.
    stream.once('error', done);
    stream.once('close', done);
  });
}
