import { MAX_HEADER_BYTES, parseContentLength } from './framing.js';

/**
 * How much of a body is waited for before routing it: `id` and `method` come first in every client we
 * know (vscode-jsonrpc writes jsonrpc, id, method, params), so 4 KiB is plenty, and a 64 KB didChange
 * starts streaming after its first 4 KiB instead of being held and copied whole.
 */
export const ROUTE_HEAD_BYTES = 4 * 1024;

/**
 * The relay's own framing, on the forward path: it lets the proxy decide per message where it goes
 * (on to the server, dropped because a breaker answered it, kept for the proxy itself) and know when
 * nothing is half-written, which is when it may inject a message or switch servers.
 *
 * A message is held only until its header and the first ROUTE_HEAD_BYTES of its body (or all of it,
 * when shorter) have arrived; then it is routed, and the rest of its body is passed on chunk by chunk as it
 * arrives, never buffered whole (a 38 MB response streams through). Bytes that are not LSP framing are
 * passed on untouched, as a direct pipe would.
 */
export type Route = 'forward' | 'drop' | 'collect';

export interface MessageStreamHandler {
  /** The message's header was read and `head` is its body's start (all of it when ≤ ROUTE_HEAD_BYTES). */
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
  /** `pending` was passed on already (an eager stream's partial header). */
  private pendingForwarded = false;
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

  /**
   * `eager`, when it returns true (checked at each message start), forwards every message as it arrives,
   * headers included, without holding anything or asking `route`: for a server's output while the
   * editor is its only destination.
   */
  constructor(
    private readonly handler: MessageStreamHandler,
    private readonly maxCollect = 16 * 1024 * 1024,
    private readonly eager?: () => boolean,
  ) {}

  /** A forwarded message is half-written: injecting or switching now would corrupt the stream. */
  get writing(): boolean {
    return (this.inBody && this.route === 'forward') || this.pendingForwarded;
  }

  push(chunk: Buffer): void {
    // Bytes at the start of `data` that were passed on already (an eager stream's header so far).
    const alreadyOut = this.pendingForwarded ? this.pending.length : 0;
    const data = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    this.pending = EMPTY;
    this.pendingForwarded = false;
    // Consecutive forwarded bytes of this chunk leave in one write: [runStart, runEnd).
    let runStart = alreadyOut;
    let runEnd = alreadyOut;
    const emit = (from: number, to: number) => {
      if (to <= from) return;
      if (from !== runEnd) flush();
      if (runStart === runEnd) runStart = from;
      runEnd = to;
    };
    const flush = () => {
      if (runEnd > runStart) this.handler.forward(data.subarray(runStart, runEnd));
      runStart = runEnd;
    };
    /** Keeps data[from…] for the next chunk; `forwarded`: those bytes have been passed on already. */
    const keep = (from: number, forwarded: boolean) => {
      this.pending = Buffer.from(data.subarray(from));
      this.pendingForwarded = forwarded && this.pending.length > 0;
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
      // An eager stream passes header bytes on as they arrive (a server's output must not wait for the
      // rest of a header, or for a header that never comes); the message is then forwarded whatever it is.
      const eager = alreadyOut > i || (this.eager?.() ?? false);
      const end = data.indexOf(CRLFCRLF, i);
      if (end < 0) {
        if (eager) {
          emit(Math.max(i, alreadyOut), data.length);
          // A runaway header: only the last 3 bytes can still start a \r\n\r\n worth parsing.
          flush();
          keep(data.length - i > MAX_HEADER_BYTES ? data.length - 3 : i, true);
          return;
        }
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
        keep(i, false);
        return;
      }
      const length = parseContentLength(data.toString('latin1', i, end));
      if (length === undefined) {
        emit(Math.max(i, alreadyOut), end + 4);
        i = end + 4;
        continue;
      }
      const bodyStart = end + 4;
      if (eager) {
        emit(Math.max(i, alreadyOut), bodyStart);
        this.route = 'forward';
      } else {
        const headLength = Math.min(length, ROUTE_HEAD_BYTES);
        if (data.length - bodyStart < headLength) {
          flush();
          keep(i, false);
          return;
        }
        if (this.oneWritePerMessage) flush();
        this.route = this.handler.route(data.subarray(bodyStart, bodyStart + headLength), length);
        if (this.route === 'forward') emit(i, bodyStart);
        else if (this.route === 'collect') {
          this.collecting = length <= this.maxCollect ? Buffer.allocUnsafe(length) : undefined;
          this.collectedBytes = 0;
        }
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
    if (this.pending.length > 0 && !this.inBody && !this.pendingForwarded) this.handler.forward(this.pending);
    this.pending = EMPTY;
    this.pendingForwarded = false;
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
