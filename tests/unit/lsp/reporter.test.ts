import { afterEach, describe, expect, it } from 'vitest';
import { IngestReporter } from '../../../src/index.js';
import { BoundedQueue } from '../../../src/lsp/bounded-queue.js';
import { freePort, waitFor } from '../../support/ports.mjs';
import { Teardown } from '../../support/teardown.js';
import { startIngestSink, type IngestSink } from '../../integration/lsp/support/ingest-sink.js';

const teardown = new Teardown();
afterEach(() => teardown.run());

async function sink(port?: number): Promise<IngestSink> {
  const s = await startIngestSink(port);
  teardown.add(() => s.close());
  return s;
}

function reporter(options: ConstructorParameters<typeof IngestReporter>[0]): IngestReporter {
  const r = new IngestReporter(options);
  teardown.add(() => r.close(200));
  return r;
}

const op = (operation: string) => ({ kind: 'operation' as const, operation, outcome: 'ok' as const, duration_seconds: 0.001 });

describe('IngestReporter', () => {
  it('sends a batch as soon as maxBatch observations wait, with token and instance', async () => {
    const s = await sink();
    const r = reporter({ url: s.url, token: 's3cret', instance: 'test:1', flushIntervalMs: 60_000, maxBatch: 3 });
    for (let i = 0; i < 7; i++) r.record(op(`o${i}`));
    // The sink sees a batch before the reporter has read its answer: wait for both sides.
    await waitFor('two full batches, answered', async () => s.batches.length === 2 && r.stats().batchesSent === 2, 2000, 10);
    expect(s.batches.map((b) => b.body.observations.map((o) => o['operation']))).toEqual([
      ['o0', 'o1', 'o2'],
      ['o3', 'o4', 'o5'],
    ]);
    expect(s.batches[0]!.headers['authorization']).toBe('Bearer s3cret');
    expect(s.batches[0]!.body).toMatchObject({ version: 1, instance: 'test:1' });
    expect(r.stats()).toMatchObject({ buffered: 1, sent: 6, batchesSent: 2 });
    await r.flush();
    expect(s.observations().map((o) => o['operation'])).toEqual(['o0', 'o1', 'o2', 'o3', 'o4', 'o5', 'o6']);
  });

  it('sends what waits every flushIntervalMs', async () => {
    const s = await sink();
    const r = reporter({ url: s.url, flushIntervalMs: 100, maxBatch: 500 });
    const started = Date.now();
    r.record(op('a'));
    r.record(op('b'));
    await waitFor('the timed batch', async () => s.batches.length === 1, 2000, 10);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(s.batches[0]!.body.observations).toHaveLength(2);
  });

  it('keeps the newest maxBuffered while the exporter is down, drops the oldest and reports the drops once it is back', async () => {
    const port = await freePort();
    const r = reporter({ url: `http://127.0.0.1:${port}`, server: 'ts', flushIntervalMs: 60_000, maxBatch: 100, maxBuffered: 5, timeoutMs: 500 });
    for (let i = 0; i < 8; i++) r.record(op(`o${i}`));
    await r.flush(); // connection refused: the batch goes back in front
    r.record(op('o8'));
    expect(r.stats()).toMatchObject({ buffered: 5, dropped: 4, batchesFailed: 1, sent: 0 });
    const s = await sink(port);
    await r.flush();
    expect(s.observations()).toEqual([...['o4', 'o5', 'o6', 'o7', 'o8'].map(op), { kind: 'lsp_dropped', server: 'ts', count: 4 }]);
    await r.flush(true);
    // Reported once, not again.
    expect(s.observations().filter((o) => o['kind'] === 'lsp_dropped')).toHaveLength(1);
  });

  it('attaches the state to every batch and sends it alone as a heartbeat', async () => {
    const s = await sink();
    let n = 0;
    const r = reporter({
      url: s.url,
      flushIntervalMs: 20,
      heartbeatMs: 150,
      state: () => ({
        kind: 'lsp_state',
        server: 'ts',
        up: true,
        in_flight: { client_to_server: n++, server_to_client: 0 },
        diagnostics: { error: 0, warning: 0, information: 0, hint: 0 },
      }),
    });
    r.record(op('x'));
    await waitFor('two heartbeats after the first batch', async () => s.batches.length >= 3, 3000, 10);
    expect(s.batches[0]!.body.observations.map((o) => o['kind'])).toEqual(['operation', 'lsp_state']);
    expect(s.batches[1]!.body.observations.map((o) => o['kind'])).toEqual(['lsp_state']);
    expect(s.batches[1]!.body.observations[0]!['in_flight']).toEqual({ client_to_server: 1, server_to_client: 0 });
  });

  it('times sync and async operations with their outcome and rethrows, and counts cache lookups', async () => {
    const s = await sink();
    const r = reporter({ url: s.url, flushIntervalMs: 60_000 });
    expect(r.timeOperation('sync', () => 42)).toBe(42);
    expect(() =>
      r.timeOperation('sync', () => {
        throw new Error('no');
      }),
    ).toThrow('no');
    await expect(
      r.timeOperation('async', async () => {
        await new Promise((x) => setTimeout(x, 30));
        return 'v';
      }),
    ).resolves.toBe('v');
    await expect(r.timeOperation('async', () => Promise.reject(new Error('late')))).rejects.toThrow('late');
    r.recordCache('symbols', true);
    r.recordCache('symbols', false);
    await r.flush();
    const got = s.observations();
    expect(got.map((o) => [o['kind'], o['operation'] ?? o['cache'], o['outcome'] ?? o['result']])).toEqual([
      ['operation', 'sync', 'ok'],
      ['operation', 'sync', 'error'],
      ['operation', 'async', 'ok'],
      ['operation', 'async', 'error'],
      ['cache', 'symbols', 'hit'],
      ['cache', 'symbols', 'miss'],
    ]);
    expect(got[2]!['duration_seconds']).toBeGreaterThanOrEqual(0.025);
  });

  it('refuses an invalid observation at record() instead of spoiling the batch', async () => {
    const warnings: string[] = [];
    const s = await sink();
    const r = reporter({ url: s.url, flushIntervalMs: 60_000, logger: { warn: (m) => warnings.push(m) } });
    r.record({ kind: 'operation', operation: '', duration_seconds: -1 });
    r.record(op('fine'));
    await r.flush();
    expect(s.observations()).toEqual([op('fine')]);
    expect(r.stats().invalid).toBe(1);
    expect(warnings[0]).toMatch(/observation refused/);
  });

  it('does not retry a batch the exporter refuses with a 4xx, and retries a 503', async () => {
    const s = await sink();
    const r = reporter({ url: s.url, flushIntervalMs: 60_000, logger: { warn: () => {} } });
    s.answer(401);
    r.record(op('a'));
    await r.flush();
    expect(r.stats()).toMatchObject({ rejected: 1, buffered: 0 });
    s.answer(503);
    r.record(op('b'));
    await r.flush();
    expect(r.stats()).toMatchObject({ buffered: 1, batchesFailed: 1 });
    s.answer(202);
    await r.flush();
    expect(s.observations()).toEqual([op('b')]);
  });

  it('close() gives up after its time bound when the exporter never answers', async () => {
    const s = await sink();
    s.answer('hang');
    const r = new IngestReporter({ url: s.url, flushIntervalMs: 60_000, timeoutMs: 5000 });
    r.record(op('a'));
    const started = Date.now();
    const stats = await r.close(300);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(stats.sent).toBe(0);
  });
});

describe('BoundedQueue', () => {
  it('drops the oldest on push and puts a failed batch back in front', () => {
    const q = new BoundedQueue<number>(4);
    for (let i = 0; i < 6; i++) q.push(i);
    expect(q.take(10)).toEqual([2, 3, 4, 5]);
    for (let i = 0; i < 3; i++) q.push(10 + i);
    const batch = q.take(2);
    q.push(20);
    q.push(21);
    expect(q.unshiftAll(batch)).toBe(1); // room for one: the newer of the batch stays
    expect(q.take(10)).toEqual([11, 12, 20, 21]);
  });
});

describe('IngestReporter control channel and refusals', () => {
  it('logs a refused token once, not every batch', async () => {
    const s = await sink();
    s.answer(401);
    const warnings: string[] = [];
    const r = reporter({ url: s.url, flushIntervalMs: 60_000, logger: { warn: (m) => warnings.push(m) } });
    for (let i = 0; i < 5; i++) {
      r.record(op(`o${i}`));
      await r.flush();
    }
    expect(r.stats().rejected).toBe(5);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/refused a batch with HTTP 401.*IDE_MONITOR_INGEST_TOKEN.*not logged again/);
  });

  it("sends version 2 with onCommands, hands the answer's commands over and acks in the next batch", async () => {
    const s = await sink();
    s.control([{ id: 'c1', command: 'breaker_open', methods: ['textDocument/hover'], expires_in_ms: 1000 }]);
    const received: string[] = [];
    const r = reporter({ url: s.url, instance: 'p', flushIntervalMs: 60_000, onCommands: (cs) => received.push(...cs.map((c) => c.id)) });
    r.record(op('a'));
    await r.flush();
    expect(s.batches[0]!.body.version).toBe(2);
    expect(received).toEqual(['c1']);
    r.ack({ id: 'c1', outcome: 'done' });
    await waitFor('the ack', async () => s.batches.length === 2, 2000, 10);
    expect((s.batches[1]!.body as { acks?: unknown }).acks).toEqual([{ id: 'c1', outcome: 'done' }]);
  });

  it('falls back to version 1 for good when an old exporter refuses version 2, leaving v2 content out', async () => {
    const s = await sink();
    s.onlyVersion1();
    const warnings: string[] = [];
    const r = reporter({ url: s.url, instance: 'p', flushIntervalMs: 60_000, onCommands: () => {}, logger: { warn: (m) => warnings.push(m) } });
    r.record({ kind: 'lsp_restart', server: 'ts', reason: 'crash' });
    r.record({ kind: 'lsp_server', server: 'ts', event: 'exit', code: 1, cause: 'client_disconnect' });
    await r.flush();
    expect(r.wireVersion).toBe(1);
    expect(s.batches.map((b) => b.body.version)).toEqual([1]);
    expect(s.observations()).toEqual([{ kind: 'lsp_server', server: 'ts', event: 'exit', code: 1 }]);
    expect(warnings).toEqual([expect.stringMatching(/predates ingest version 2/)]);
  });
});
