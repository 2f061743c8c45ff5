import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fastValidate } from '../../../src/ingest/fast-validate.js';
import { parseBatch } from '../../../src/ingest/routes.js';
import { ingestBatchSchema, type ObservationKind } from '../../../src/ingest/schema.js';
import { batchOf, EXAMPLES } from './examples.js';

/** Mostly a valid value, sometimes anything JSON can carry, sometimes a boundary case. */
const sometimes = <T>(valid: fc.Arbitrary<T>, ...edges: unknown[]) =>
  fc.oneof({ weight: 6, arbitrary: valid }, { weight: 1, arbitrary: fc.jsonValue() }, { weight: 1, arbitrary: fc.constantFrom(...edges, undefined) });

const name = sometimes(fc.string({ minLength: 1, maxLength: 12 }), '', 'x'.repeat(200), 'x'.repeat(201), 5);
const direction = sometimes(fc.constantFrom('client_to_server', 'server_to_client'), 'both');
const seconds = sometimes(fc.double({ min: 0, max: 86_400, noNaN: true }), -0, -1e-9, 86_400, 86_400.0001, 1e308);
const count = sometimes(fc.nat(), 0, -1, 1.5, 1e12, 1e12 + 1, 2 ** 53);
const errorCode = sometimes(fc.integer({ min: -33_000, max: 100 }), 1.5, 2 ** 53, -(2 ** 53));

const shapes = {
  lsp_request: {
    server: name,
    method: name,
    direction,
    outcome: sometimes(fc.constantFrom('ok', 'error', 'cancelled', 'short_circuited'), 'slow'),
    duration_seconds: seconds,
    error_code: errorCode,
  },
  lsp_notification: { server: name, method: name, direction, count },
  lsp_bytes: { server: name, direction, bytes: count },
  lsp_server: {
    server: name,
    event: sometimes(fc.constantFrom('start', 'exit'), 'crash'),
    code: sometimes(fc.oneof(fc.integer({ min: -5, max: 300 }), fc.string({ maxLength: 22 })), 'x'.repeat(20), 'x'.repeat(21)),
    cause: sometimes(fc.constant('client_disconnect'), 'editor'),
  },
  lsp_state: {
    server: name,
    up: sometimes(fc.boolean(), 1),
    in_flight: sometimes(fc.record({ client_to_server: count, server_to_client: count }, { requiredKeys: [] })),
    diagnostics: sometimes(fc.record({ error: count, warning: count, information: count, hint: count }, { requiredKeys: [] })),
    breakers: sometimes(fc.array(name, { maxLength: 3 }), 'textDocument/*'),
    oldest_in_flight_seconds: sometimes(fc.double({ min: 0, max: 2e9, noNaN: true }), -1),
  },
  lsp_dropped: { server: name, count },
  lsp_restart: { server: name, reason: sometimes(fc.constantFrom('command', 'crash'), 'oom') },
  operation: { operation: name, outcome: sometimes(fc.constantFrom('ok', 'error'), 'cancelled'), duration_seconds: seconds },
  cache: { cache: name, result: sometimes(fc.constantFrom('hit', 'miss'), 'stale'), count },
} satisfies Record<ObservationKind, Record<string, fc.Arbitrary<unknown>>>;

/** An observation of some kind whose fields are each present or not, and valid or not. */
const observation = fc
  .constantFrom(...(Object.keys(shapes) as (keyof typeof shapes)[]))
  .chain((kind) =>
    fc.tuple(
      fc.constant(kind),
      fc.record(shapes[kind] as Record<string, fc.Arbitrary<unknown>>, { requiredKeys: [] }),
      fc.option(fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue(), { maxKeys: 1 }), { freq: 8 }),
      sometimes(fc.constant(kind), 'kind', 'lsp_guess'),
    ),
  )
  .map(([, fields, extra, kind]) => ({ ...(extra ?? {}), kind, ...fields }));

const batch = fc.record(
  {
    version: sometimes(fc.constantFrom(1, 2), 3, '1'),
    instance: name,
    observations: sometimes(fc.array(observation, { maxLength: 6 })),
    // Mostly absent (undefined disappears through JSON), so most batches stay valid enough to exercise the rest.
    acks: fc.oneof(
      { weight: 3, arbitrary: fc.constant(undefined) },
      {
        weight: 1,
        arbitrary: sometimes(
          fc.array(
            fc.record(
              {
                id: sometimes(fc.uuid(), '', 'x'.repeat(65)),
                outcome: sometimes(fc.constantFrom('done', 'failed'), 'ok'),
                detail: sometimes(fc.string({ maxLength: 10 })),
              },
              { requiredKeys: [] },
            ),
            { maxLength: 3 },
          ),
        ),
      },
    ),
  },
  { requiredKeys: [] },
);

/** As the HTTP layer sees bodies: JSON text parsed (so `undefined` fields disappear). */
const viaJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value) ?? 'null');

describe('the fast-path validator agrees with zod', () => {
  it('accepts only what zod accepts, and then yields the same value', () => {
    let fastAccepted = 0;
    fc.assert(
      fc.property(batch, (raw) => {
        const body = viaJson(raw);
        const byZod = ingestBatchSchema.safeParse(structuredClone(body));
        const fast = fastValidate(structuredClone(body));
        if (fast !== undefined) {
          fastAccepted += 1;
          expect(byZod.success).toBe(true);
          expect(fast).toEqual(byZod.data);
        }
        // Coverage: the fast path must not give up on a batch zod accepts, or it would be no fast path.
        if (byZod.success) expect(fast).toEqual(byZod.data);
      }),
      { numRuns: 1500 },
    );
    expect(fastAccepted).toBeGreaterThan(30);
  });

  it('takes the fast path for every kind the schema defines (EXAMPLES is typed by kind: a new kind must be added there)', () => {
    for (const [kind, example] of Object.entries(EXAMPLES)) {
      const body = viaJson(batchOf([example], 'p'));
      expect(fastValidate(structuredClone(body)), kind).toEqual(ingestBatchSchema.parse(body));
    }
  });

  it('answers any JSON body with a batch or a reason, never a throw', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), batch.map(viaJson)), (body) => {
        const result = parseBatch(body);
        if (!result.ok) {
          expect(result.reason.length).toBeGreaterThan(0);
          expect(result.issues.length).toBeGreaterThan(0);
          expect(result.issues.length).toBeLessThanOrEqual(5);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('leaves a body it gives up on untouched, so zod sees what was sent', () => {
    const body = {
      version: 1,
      observations: [
        { kind: 'cache', cache: 'c', result: 'hit' },
        { kind: 'cache', cache: '', result: 'hit' },
      ],
    };
    const copy = structuredClone(body);
    expect(fastValidate(body)).toBeUndefined();
    expect(body).toEqual(copy);
  });
});
