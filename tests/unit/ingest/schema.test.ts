import { describe, expect, it } from 'vitest';
import { parseBatch } from '../../../src/ingest/routes.js';
import { ingestBatchSchema, MAX_OBSERVATIONS_PER_BATCH } from '../../../src/ingest/schema.js';
import { batchOf, EXAMPLES } from './examples.js';

const reasonOf = (body: unknown): string => {
  const result = parseBatch(body);
  if (result.ok) throw new Error('expected the batch to be refused');
  return result.reason;
};

describe('ingest wire schema v1', () => {
  it('accepts one observation of every kind and fills the defaults', () => {
    const parsed = ingestBatchSchema.parse(batchOf(Object.values(EXAMPLES), 'lsp-proxy:host:1'));
    expect(parsed.observations.map((o) => o.kind)).toEqual(Object.keys(EXAMPLES));
    expect(parsed.observations.find((o) => o.kind === 'lsp_request')).toMatchObject({ direction: 'client_to_server' });
    expect(parsed.observations.find((o) => o.kind === 'lsp_notification')).toMatchObject({ count: 1 });
    expect(parsed.observations.find((o) => o.kind === 'operation')).toMatchObject({ outcome: 'ok' });
    expect(parsed.observations.find((o) => o.kind === 'cache')).toMatchObject({ count: 1 });
  });

  it('accepts an empty batch (a heartbeat) and a batch without instance', () => {
    expect(parseBatch({ version: 1, instance: 'p', observations: [] })).toEqual({ ok: true, batch: { version: 1, instance: 'p', observations: [] } });
    expect(parseBatch(batchOf([EXAMPLES.cache])).ok).toBe(true);
  });

  it.each([
    ['a wrong version', { version: 3, observations: [] }, 'version: '],
    ['a missing observations list', { version: 1 }, 'observations: '],
    ['an unknown field', { version: 1, observations: [], extra: 1 }, 'Unrecognized key'],
    ['an unknown kind', batchOf([{ kind: 'lsp_guess' } as never]), 'observations.0.kind: '],
    ['a negative duration', batchOf([{ ...EXAMPLES.lsp_request, duration_seconds: -1 }]), 'observations.0.duration_seconds: '],
    ['an unknown outcome', batchOf([{ ...EXAMPLES.lsp_request, outcome: 'slow' } as never]), 'observations.0.outcome: '],
    ['a fractional error code', batchOf([{ ...EXAMPLES.lsp_request, outcome: 'error', error_code: 1.5 } as never]), 'observations.0.error_code: '],
    ['an empty server name', batchOf([{ ...EXAMPLES.lsp_bytes, server: '' }]), 'observations.0.server: '],
    ['a 201-character operation', batchOf([{ ...EXAMPLES.operation, operation: 'x'.repeat(201) }]), 'observations.0.operation: '],
    ['fractional bytes', batchOf([{ ...EXAMPLES.lsp_bytes, bytes: 0.5 }]), 'observations.0.bytes: '],
    ['a missing notification direction', batchOf([{ kind: 'lsp_notification', server: 's', method: 'exit' } as never]), 'observations.0.direction: '],
    ['state without diagnostics', batchOf([{ ...EXAMPLES.lsp_state, diagnostics: undefined } as never], 'p'), 'observations.0.diagnostics: '],
    ['a cache result that is neither hit nor miss', batchOf([{ ...EXAMPLES.cache, result: 'stale' } as never]), 'observations.0.result: '],
    ['an unknown server event', batchOf([{ ...EXAMPLES.lsp_server, event: 'crash' } as never]), 'observations.0.event: '],
    ['a dropped count that is not a number', batchOf([{ ...EXAMPLES.lsp_dropped, count: '7' } as never]), 'observations.0.count: '],
    ['JSON null', null, '(body): '],
    ['an array', [], '(body): '],
  ])('refuses %s with the path in the reason', (_what, body, expected) => {
    expect(reasonOf(body)).toContain(expected);
  });

  it('shows the first five problems and says how many more there are', () => {
    const bad = Array.from({ length: 8 }, () => ({ ...EXAMPLES.lsp_bytes, bytes: -1 }));
    const result = parseBatch(batchOf(bad));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toHaveLength(5);
    expect(result.issues[0]).toEqual({ path: 'observations.0.bytes', message: expect.stringContaining('>=0') });
    expect(result.reason).toMatch(/; and 3 more$/);
  });

  it(`refuses more than ${MAX_OBSERVATIONS_PER_BATCH} observations`, () => {
    const many = Array.from({ length: MAX_OBSERVATIONS_PER_BATCH + 1 }, () => EXAMPLES.cache);
    expect(reasonOf(batchOf(many))).toContain('observations: ');
  });
});
