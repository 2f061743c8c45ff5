import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { ConfigReloader } from '../../../src/commands/serve-reload.js';
import { silent } from '../collectors/support.js';

/** A reloader whose apply step waits until the test lets it go, counting the configurations loaded. */
function gatedReloader() {
  let loads = 0;
  const releases: Array<() => void> = [];
  const reloader = new ConfigReloader<number>(
    () => (loads += 1),
    () => new Promise<void>((resolve) => releases.push(resolve)),
    new Registry(),
    silent,
  );
  /** Resolves once a reload is applying (and so no longer waiting to start). */
  const applying = async () => {
    for (let i = 0; i < 100 && releases.length === 0; i++) await new Promise((r) => setTimeout(r, 1));
    expect(releases.length).toBe(1);
  };
  const releaseNext = async () => {
    await applying();
    releases.shift()?.();
  };
  return { reloader, loads: () => loads, applying, releaseNext };
}

describe('the configuration reloader', () => {
  it('coalesces a burst of requests made during a reload into one more reload that reads the file afresh', async () => {
    const { reloader, loads, applying, releaseNext } = gatedReloader();
    const first = reloader.reload('SIGHUP');
    await applying();
    const burst = Array.from({ length: 50 }, () => reloader.reload('SIGHUP'));
    await releaseNext();
    expect((await first).ok).toBe(true);
    await releaseNext();
    const results = await Promise.all(burst);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(loads()).toBe(2);
    // A request after both ended is a reload of its own.
    const later = reloader.reload('POST /-/reload');
    await releaseNext();
    expect((await later).ok).toBe(true);
    expect(loads()).toBe(3);
  });

  it('starts no reload after close() and lets close() wait for the one in progress', async () => {
    const { reloader, loads, applying, releaseNext } = gatedReloader();
    const inProgress = reloader.reload('SIGHUP');
    await applying();
    const queued = reloader.reload('SIGHUP');
    let closed = false;
    const closing = reloader.close().then(() => (closed = true));
    await new Promise((r) => setTimeout(r, 5));
    expect(closed).toBe(false);
    await releaseNext();
    await closing;
    expect((await inProgress).ok).toBe(true);
    expect(await queued).toEqual({ ok: false, message: 'shutting down; not reloaded' });
    expect(loads()).toBe(1);
  });
});
