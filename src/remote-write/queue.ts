import type { PromTimeSeries } from './prompb.js';

/**
 * The samples waiting for one remote-write endpoint, oldest first, at most `capacity` of them. Each gather
 * arrives as one chunk; when a push would exceed the capacity the oldest samples go first (the newest
 * picture is worth more to a dashboard than a complete past), and the caller counts them as dropped.
 * Every series here carries exactly one sample, so "samples" and "series" are the same count.
 */
export class SampleQueue {
  private readonly chunks: PromTimeSeries[][] = [];
  /** How many series of `chunks[0]` were already taken or dropped. */
  private head = 0;
  private size = 0;

  constructor(readonly capacity: number) {}

  get length(): number {
    return this.size;
  }

  /** Appends a gather; returns how many of the oldest samples were dropped to stay within capacity. */
  push(series: readonly PromTimeSeries[]): number {
    if (series.length === 0) return 0;
    // A gather bigger than the whole queue keeps only its newest part.
    const kept = series.length > this.capacity ? series.slice(series.length - this.capacity) : [...series];
    let dropped = series.length - kept.length;
    const overflow = this.size + kept.length - this.capacity;
    if (overflow > 0) dropped += this.discard(overflow);
    this.chunks.push(kept);
    this.size += kept.length;
    return dropped;
  }

  /** Removes and returns up to `max` of the oldest samples, in order. */
  take(max: number): PromTimeSeries[] {
    const out: PromTimeSeries[] = [];
    while (out.length < max && this.chunks.length > 0) {
      const chunk = this.chunks[0]!;
      const end = Math.min(chunk.length, this.head + (max - out.length));
      for (let i = this.head; i < end; i++) out.push(chunk[i]!);
      this.advance(end - this.head);
    }
    return out;
  }

  private discard(count: number): number {
    let left = count;
    while (left > 0 && this.chunks.length > 0) {
      const step = Math.min(left, this.chunks[0]!.length - this.head);
      this.advance(step);
      left -= step;
    }
    return count - left;
  }

  private advance(count: number): void {
    this.head += count;
    this.size -= count;
    if (this.head >= this.chunks[0]!.length) {
      this.chunks.shift();
      this.head = 0;
    }
  }
}
