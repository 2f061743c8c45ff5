/**
 * A fixed-capacity buffer of timestamped entries, oldest overwritten first. The status page keeps one of
 * these (15 minutes at 1 s = 900 entries), so memory is bounded however long `serve` runs.
 * Timestamps must not decrease; `push` enforces it so range queries can binary-search.
 */
export class RingBuffer<T extends { readonly t: number }> {
  private readonly items: (T | undefined)[];
  /** Index of the oldest entry. */
  private head = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`ring buffer capacity must be a positive integer, got ${capacity}`);
    this.items = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return this.count;
  }

  push(item: T): void {
    const last = this.latest();
    if (last !== undefined && item.t < last.t) throw new RangeError(`timestamps must not decrease: ${item.t} after ${last.t}`);
    if (this.count < this.capacity) {
      this.items[(this.head + this.count) % this.capacity] = item;
      this.count += 1;
    } else {
      this.items[this.head] = item;
      this.head = (this.head + 1) % this.capacity;
    }
  }

  /** The i-th entry from the oldest (0) to the newest (size - 1). */
  at(i: number): T | undefined {
    if (i < 0 || i >= this.count) return undefined;
    return this.items[(this.head + i) % this.capacity];
  }

  latest(): T | undefined {
    return this.at(this.count - 1);
  }

  /** The newest entry with `t <= time`, or undefined when every entry is newer. */
  atOrBefore(time: number): T | undefined {
    const i = this.countWhere((t) => t <= time) - 1;
    return i < 0 ? undefined : this.at(i);
  }

  /** Entries with `from <= t <= to`, oldest first. */
  range(from: number, to = Number.POSITIVE_INFINITY): T[] {
    const out: T[] = [];
    for (let i = this.countWhere((t) => t < from); i < this.count; i += 1) {
      const item = this.at(i)!;
      if (item.t > to) break;
      out.push(item);
    }
    return out;
  }

  toArray(): T[] {
    return this.range(Number.NEGATIVE_INFINITY);
  }

  /** How many entries from the oldest satisfy `test`, for a `test` that holds for a prefix (times ascend). */
  private countWhere(test: (t: number) => boolean): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (test(this.at(mid)!.t)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
