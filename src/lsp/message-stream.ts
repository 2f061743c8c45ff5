import { HEAD_BYTES, MAX_HEADER_BYTES, parseContentLength } from './framing.js';

/**
 * The relay's own framing, on the forward path: it lets the proxy decide per message where it goes
 * (on to the server, dropped because a breaker answered it, kept for the proxy itself) and know when
 * nothing is half-written, which is when it may inject a message or switch servers.
 *
 * A message is held only until its header and the first HEAD_BYTES of its body (or all of it, when
 * shorter) have arrived; then it is routed, and the rest of its body is passed on chunk by chunk as it
 * arrives, never buffered whole (a 38 MB response streams through). Bytes that are not LSP framing are
 * passed on untouched, as a direct pipe would.
 */
export type Route = 'forward' | 'drop' | 'collect';

export interface MessageStreamHandler {
  /** The message's header was read and `head` is its body's start (all of it when ≤ HEAD_BYTES). */
  route(head: Buffer, contentLength: number): Route;
  /** Bytes of forwarded messages (header first, then body pieces) and garbage, in order. */
  forward(bytes: Buffer): void;
  /** A message routed `collect`, whole (undefined when it was larger than the stream's collect limit). */
  collected?(body: Buffer | undefined): void;
  /** After a chunk, when nothing is half-written (called once per push, not per message). */
  boundary?(): void;
}

const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');
const EMPTY = Buffer.alloc(0);

export class MessageStream {
  /** Bytes not routed yet: a header and body head still arriving. */
  private pending: Buffer = EMPTY;
  /** Inside a routed message's body. */
  private inBody = false;
  private route: Route = 'forward';
  private remaining = 0;
  private collecting: Buffer | undefined;
  private collectedBytes = 0;
  /**
   * Consecutive forwarded messages of one chunk normally leave in one write (one syscall); set this when
   * `forward` must see each message's bytes apart from the next one's (the proxy holding messages).
   */
  oneWritePerMessage = false;

  constructor(
    private readonly handler: MessageStreamHandler,
    private readonly maxCollect = 16 * 1024 * 1024,
  ) {}

  /** A forwarded message is half-written: injecting or switching now would corrupt the stream. */
  get writing(): boolean {
    return this.inBody && this.route === 'forward';
  }

  push(chunk: Buffer): void {
    const data = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    this.pending = EMPTY;
    // Consecutive forwarded bytes of this chunk leave in one write: [runStart, runEnd).
    let runStart = 0;
    let runEnd = 0;
    const emit = (from: number, to: number) => {
      if (from !== runEnd) flush();
      if (runStart === runEnd) runStart = from;
      runEnd = to;
    };
    const flush = () => {
      if (runEnd > runStart) this.handler.forward(data.subarray(runStart, runEnd));
      runStart = runEnd;
    };
    let i = 0;
    while (i < data.length) {
      if (this.inBody) {
        const take = Math.min(this.remaining, data.length - i);
        if (this.route === 'forward') emit(i, i + take);
        else if (this.route === 'collect' && this.collecting !== undefined) {
          data.copy(this.collecting, this.collectedBytes, i, i + take);
          this.collectedBytes += take;
        }
        i += take;
        this.remaining -= take;
        if (this.remaining === 0) this.end();
        continue;
      }
      const end = data.indexOf(CRLFCRLF, i);
      if (end < 0) {
        if (data.length - i > MAX_HEADER_BYTES) {
          // Not a header: pass it on, keeping the last 3 bytes (the start of a \r\n\r\n, perhaps).
          emit(i, data.length - 3);
          i = data.length - 3;
        }
        // Bytes no header can contain are garbage now: only what follows the last of them may still be
        // the start of a header worth waiting for.
        const cut = lastNonHeaderByte(data, i);
        if (cut >= i) {
          emit(i, cut + 1);
          i = cut + 1;
        }
        flush();
        this.pending = Buffer.from(data.subarray(i));
        return;
      }
      const length = parseContentLength(data.toString('latin1', i, end));
      if (length === undefined) {
        emit(i, end + 4);
        i = end + 4;
        continue;
      }
      const bodyStart = end + 4;
      const headLength = Math.min(length, HEAD_BYTES);
      if (data.length - bodyStart < headLength) {
        flush();
        this.pending = Buffer.from(data.subarray(i));
        return;
      }
      if (this.oneWritePerMessage) flush();
      this.route = this.handler.route(data.subarray(bodyStart, bodyStart + headLength), length);
      if (this.route === 'forward') emit(i, bodyStart);
      else if (this.route === 'collect') {
        this.collecting = length <= this.maxCollect ? Buffer.allocUnsafe(length) : undefined;
        this.collectedBytes = 0;
      }
      this.inBody = true;
      this.remaining = length;
      i = bodyStart;
      if (length === 0) this.end();
    }
    flush();
    if (!this.writing) this.handler.boundary?.();
  }

  /** The input ended: bytes held as a possible header start were garbage after all; pass them on. */
  finish(): void {
    if (this.pending.length > 0 && !this.inBody) this.handler.forward(this.pending);
    this.pending = EMPTY;
  }

  private end(): void {
    this.inBody = false;
    const route = this.route;
    if (route === 'collect') {
      const body = this.collecting;
      this.collecting = undefined;
      this.handler.collected?.(body);
    }
  }
}

/** Header bytes are printable ASCII, tab, CR and LF; the index of the last other byte from `from`, or -1. */
function lastNonHeaderByte(data: Buffer, from: number): number {
  for (let k = data.length - 1; k >= from; k--) {
    const c = data[k]!;
    if (!((c >= 0x20 && c <= 0x7e) || c === 0x09 || c === 0x0a || c === 0x0d)) return k;
  }
  return -1;
}

/** A message as the base protocol frames it. */
export function frameMessage(message: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'latin1'), body]);
}
