/**
 * A ring buffer with a fixed capacity that drops its oldest entries when full. O(1) push, shift and
 * take: an Array's shift() is O(n), which at 10,000 entries and an unreachable exporter would put real
 * CPU on the relay's event loop.
 */
export class BoundedQueue<T> {
  private readonly items: (T | undefined)[];
  private head = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`queue capacity must be a positive integer, got ${capacity}`);
    this.items = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Appends; returns how many old entries were dropped to make room (0 or 1). */
  push(item: T): number {
    if (this.count === this.capacity) {
      this.items[this.head] = item;
      this.head = (this.head + 1) % this.capacity;
      return 1;
    }
    this.items[(this.head + this.count) % this.capacity] = item;
    this.count++;
    return 0;
  }

  /** Removes and returns up to `n` entries from the front (oldest first). */
  take(n: number): T[] {
    const k = Math.min(n, this.count);
    const out = new Array<T>(k);
    for (let i = 0; i < k; i++) {
      out[i] = this.items[this.head] as T;
      this.items[this.head] = undefined;
      this.head = (this.head + 1) % this.capacity;
    }
    this.count -= k;
    return out;
  }

  /**
   * Puts entries (oldest first) back in front of the queue, e.g. a batch whose delivery failed. They are
   * older than everything queued, so when space is short the oldest of *them* are the ones dropped.
   * Returns how many were dropped.
   */
  unshiftAll(items: readonly T[]): number {
    const room = this.capacity - this.count;
    const kept = Math.min(room, items.length);
    for (let i = items.length - 1; i >= items.length - kept; i--) {
      this.head = (this.head - 1 + this.capacity) % this.capacity;
      this.items[this.head] = items[i];
      this.count++;
    }
    return items.length - kept;
  }
}
