/**
 * The LSP base protocol's framing: `Content-Length: N\r\n` (+ optional `Content-Type`) `\r\n\r\n` then N
 * bytes of body. The framer only reads a copy of the stream (the proxy has already forwarded the bytes),
 * so it never has to be right for the relay to be right; it has to be cheap, chunk-safe and recover from
 * garbage without ever throwing.
 */

/** Headers longer than this are not LSP; the framer gives up on them and looks for the next header. */
export const MAX_HEADER_BYTES = 8 * 1024;
/** Bodies larger than this are not buffered whole (memory stays bounded): only their head is read. */
const DEFAULT_MAX_INSPECTED_BODY = 16 * 1024 * 1024;
/**
 * How much of a body over the inspection limit is kept for classification. `id`, `method` and `error`
 * come first in every client and server we have seen (vscode-jsonrpc writes jsonrpc, id, method/result),
 * so 64 KiB is plenty to pair a 38 MB documentSymbol response with its request.
 */
export const HEAD_BYTES = 64 * 1024;

export interface FramerCallbacks {
  /**
   * A complete message. `body` is a view on the caller's chunk or a fresh buffer: valid only during the
   * call (read what you need synchronously). For a body over the inspection limit, `body` is only its
   * first HEAD_BYTES and `truncated` is true; it is still delivered once the whole body has passed.
   */
  onMessage(body: Buffer, contentLength: number, truncated: boolean): void;
  /** Framing was lost (a bad header); the framer skipped `skippedBytes` and resynchronised. */
  onProblem(reason: string, skippedBytes: number): void;
}

const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');

const enum State {
  Header,
  Body,
  Skip,
}

export class MessageFramer {
  private state = State.Header;
  /** Header bytes carried over from previous chunks (headers split across chunks). */
  private headerCarry: Buffer | undefined;
  private bodyLength = 0;
  /** Body being assembled across chunks, and how much of it has arrived. */
  private bodyParts: Buffer | undefined;
  private bodyFilled = 0;
  /** The first HEAD_BYTES of a body over the inspection limit. */
  private head: Buffer | undefined;

  constructor(
    private readonly callbacks: FramerCallbacks,
    private readonly maxInspectedBody = DEFAULT_MAX_INSPECTED_BODY,
  ) {}

  push(chunk: Buffer): void {
    let offset = 0;
    const length = chunk.length;
    while (offset < length) {
      if (this.state === State.Header) offset = this.readHeader(chunk, offset);
      else offset = this.readBody(chunk, offset);
    }
  }

  private readHeader(chunk: Buffer, offset: number): number {
    let data: Buffer;
    let base: number;
    if (this.headerCarry === undefined) {
      data = chunk;
      base = offset;
    } else {
      data = Buffer.concat([this.headerCarry, chunk.subarray(offset)]);
      base = 0;
    }
    const carried = this.headerCarry?.length ?? 0;
    const end = data.indexOf(CRLFCRLF, base);
    if (end < 0) {
      const pending = data.length - base;
      if (pending > MAX_HEADER_BYTES) {
        // Keep the last 3 bytes: they may be the start of a \r\n\r\n that completes in the next chunk.
        this.callbacks.onProblem(`no end of header within ${MAX_HEADER_BYTES} bytes`, pending - 3);
        this.headerCarry = Buffer.from(data.subarray(data.length - 3));
      } else {
        this.headerCarry = Buffer.from(data.subarray(base));
      }
      return chunk.length;
    }
    this.headerCarry = undefined;
    const headerEnd = end + 4;
    // How far into *this* chunk the header ends.
    const consumed = offset + (headerEnd - base - carried);
    const contentLength = parseContentLength(data.toString('latin1', base, end));
    if (contentLength === undefined) {
      this.callbacks.onProblem('header without a valid Content-Length', headerEnd - base);
      return consumed;
    }
    this.bodyLength = contentLength;
    this.bodyFilled = 0;
    if (contentLength === 0) {
      this.callbacks.onMessage(Buffer.alloc(0), 0, false);
      return consumed;
    }
    this.state = contentLength > this.maxInspectedBody ? State.Skip : State.Body;
    return consumed;
  }

  private readBody(chunk: Buffer, offset: number): number {
    const available = chunk.length - offset;
    const missing = this.bodyLength - this.bodyFilled;
    const take = available < missing ? available : missing;
    if (this.state === State.Skip) {
      this.head ??= Buffer.allocUnsafe(Math.min(HEAD_BYTES, this.bodyLength));
      if (this.bodyFilled < this.head.length) {
        chunk.copy(this.head, this.bodyFilled, offset, offset + Math.min(take, this.head.length - this.bodyFilled));
      }
      this.bodyFilled += take;
      if (this.bodyFilled === this.bodyLength) {
        const head = this.head;
        this.head = undefined;
        this.finish(head, true);
      }
      return offset + take;
    }
    if (this.bodyFilled === 0 && take === missing) {
      // The whole body is in this chunk: hand out a view, no copy (the common case).
      this.finish(chunk.subarray(offset, offset + take));
      return offset + take;
    }
    this.bodyParts ??= Buffer.allocUnsafe(this.bodyLength);
    chunk.copy(this.bodyParts, this.bodyFilled, offset, offset + take);
    this.bodyFilled += take;
    if (this.bodyFilled === this.bodyLength) {
      const body = this.bodyParts;
      this.bodyParts = undefined;
      this.finish(body);
    }
    return offset + take;
  }

  private finish(body: Buffer, truncated = false): void {
    const length = this.bodyLength;
    this.state = State.Header;
    this.bodyFilled = 0;
    this.callbacks.onMessage(body, length, truncated);
  }
}

/** `Content-Length` per the base protocol: case-insensitive name, decimal value; other headers ignored. */
export function parseContentLength(header: string): number | undefined {
  let found: number | undefined;
  for (const line of header.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) return undefined;
    if (line.slice(0, colon).trim().toLowerCase() !== 'content-length') continue;
    const value = line.slice(colon + 1).trim();
    if (!/^\d{1,15}$/.test(value)) return undefined;
    found = Number(value);
  }
  return found;
}
