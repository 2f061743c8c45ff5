import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeatureContext, ServeFeature } from '../../../src/serve/feature.js';
import { contentEncoding, contentType, encoded, mutationsOf, rawBody, toJsonText } from './bodies.js';
import { HEAP_GROWTH_LIMIT, retainedBytes, watchHeap, watchProcessErrors, type HeapWatch, type ProcessErrorWatch } from './guards.js';
import { fuzzParams, runsFor, timeoutFor } from './runs.js';
import { expectClearRejection, FUZZ_BODY_LIMIT, post, startFeatureServer, type Answer, type FeatureServer } from './server.js';

/** One JSON write endpoint of `serve` (the webhook, the ingest API) and what "applied" means for it. */
export interface JsonEndpointSpec<Snapshot> {
  readonly name: string;
  readonly path: string;
  readonly create: (ctx: FeatureContext) => ServeFeature | Promise<ServeFeature>;
  /** The status of an accepted body. */
  readonly ok: number;
  /** How the endpoint's 400 for a well-formed but invalid document begins. */
  readonly schemaPrefix: string;
  /** The oracle: the endpoint's own schema (it may throw; the endpoint must still answer 400). */
  readonly accepts: (body: unknown) => boolean;
  /** Valid documents, mutated into the cases. */
  readonly bases: readonly unknown[];
  /** Valid documents with fresh identities, to mutate instead of `bases` when resending one is a no-op (deduplication). */
  readonly freshBases?: fc.Arbitrary<unknown>;
  /** How much an accepted body applied (alert events new to the store, observations), from it and its answer. */
  applied(body: unknown, answer: Answer): number;
  /** Whatever counts the endpoint keeps of what it applied, read before the mutation run. */
  snapshot(server: FeatureServer): Promise<Snapshot>;
  /** After the mutation run: the counts must have moved by exactly what the answers promised. */
  checkApplied(server: FeatureServer, before: Snapshot, run: { accepted: number; rejected: number; applied: number }): Promise<void>;
  /** A valid body not seen before, for the closing "still answers" check. */
  fresh(): unknown;
}

type Verdict = 'accept' | 'reject' | 'too-large';

/** An HTTP case costs a few ms on a loaded machine: these keep an endpoint's suite to about 1 100 requests by default. */
const MUTATION_SCALE = 0.6;
const HEADER_SCALE = 0.25;
const JSON_TYPE = { 'content-type': 'application/json' };

/**
 * The fuzz suite of a JSON endpoint, against `serve`'s real HTTP stack: mutated documents, arbitrary
 * bytes, arbitrary Content-Type/Content-Encoding. `extra` adds endpoint-specific cases (e.g. a found
 * bug's regression) before the closing checks.
 */
export function describeJsonEndpointFuzz<Snapshot>(spec: JsonEndpointSpec<Snapshot>, extra?: (server: () => FeatureServer) => void): void {
  describe(`fuzzing POST ${spec.path} (${spec.name}, the real feature and server)`, () => {
    let server: FeatureServer;
    let errors: ProcessErrorWatch;
    let heap: HeapWatch;
    const url = () => `${server.base}${spec.path}`;

    beforeAll(async () => {
      heap = watchHeap();
      errors = watchProcessErrors();
      server = await startFeatureServer(spec.create);
    });

    afterAll(async () => {
      errors?.dispose();
      await server?.stop();
    });

    function verdictOf(text: string): { verdict: Verdict; body?: unknown } {
      if (Buffer.byteLength(text, 'utf8') > FUZZ_BODY_LIMIT) return { verdict: 'too-large' };
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return { verdict: 'reject' };
      }
      try {
        return { verdict: spec.accepts(body) ? 'accept' : 'reject', body };
      } catch {
        return { verdict: 'reject', body };
      }
    }

    function expectVerdict(answer: Answer, verdict: Verdict, context: string): void {
      if (verdict === 'accept') {
        expect(answer.status, `${context}: ${answer.text.slice(0, 300)}`).toBe(spec.ok);
        return;
      }
      expectClearRejection(answer, context, spec.schemaPrefix);
      expect(answer.status, context).toBe(verdict === 'too-large' ? 413 : 400);
    }

    it(
      `mutated documents: ${spec.ok} exactly when the schema accepts, else 400/413 with a reason; accepted ones are applied`,
      async () => {
        const before = await spec.snapshot(server);
        const run = { accepted: 0, rejected: 0, applied: 0 };
        await fc.assert(
          fc.asyncProperty(mutationsOf(spec.freshBases ?? spec.bases), async (doc) => {
            const text = toJsonText(doc);
            const { verdict, body } = verdictOf(text);
            const answer = await post(url(), text, JSON_TYPE);
            expectVerdict(answer, verdict, `${verdict}: ${text.slice(0, 200)}`);
            if (verdict === 'accept') {
              run.accepted += 1;
              run.applied += spec.applied(body, answer);
            } else {
              run.rejected += 1;
            }
          }),
          fuzzParams(MUTATION_SCALE),
        );
        console.info(`fuzz: ${spec.name}: ${run.accepted} mutated documents accepted (${run.applied} applied), ${run.rejected} rejected`);
        // The accepting path was fuzzed too, not only the rejections.
        expect(run.accepted).toBeGreaterThan(runsFor(MUTATION_SCALE) * 0.05);
        await spec.checkApplied(server, before, run);
      },
      timeoutFor(MUTATION_SCALE, 20),
    );

    it(
      'arbitrary bytes as a JSON body: 400 or 413 with a reason, never a 5xx',
      async () => {
        await fc.assert(
          fc.asyncProperty(rawBody, async (bytes) => {
            const text = Buffer.from(bytes).toString('utf8');
            // Random bytes that happen to be valid are as good as impossible; still, ask the oracle.
            const verdict = bytes.length > FUZZ_BODY_LIMIT ? 'too-large' : verdictOf(text).verdict;
            expectVerdict(await post(url(), bytes, JSON_TYPE), verdict, `${bytes.length} bytes: ${JSON.stringify(text.slice(0, 120))}`);
          }),
          fuzzParams(HEADER_SCALE),
        );
      },
      timeoutFor(HEADER_SCALE, 20),
    );

    it(
      `arbitrary Content-Type and Content-Encoding: 415 for a non-JSON type, ${spec.ok} for a valid body sent plainly as JSON, else a clear 4xx`,
      async () => {
        const valid = spec.bases.map((b) => ({ bytes: Buffer.from(JSON.stringify(b), 'utf8'), valid: true }));
        const body = fc.oneof(
          fc.constantFrom(...valid),
          rawBody.map((bytes) => ({ bytes, valid: false })),
        );
        await fc.assert(
          fc.asyncProperty(body, contentType, contentEncoding, fc.boolean(), async ({ bytes, valid: isValid }, type, encoding, encode) => {
            // Half the time the body really is in the encoding the header names; else the header lies.
            const sent = encode ? encoded(encoding, bytes) : undefined;
            const answer = await post(url(), sent ?? bytes, { 'content-type': type.type, 'content-encoding': encoding });
            const context = `type ${JSON.stringify(type.type)} encoding ${JSON.stringify(encoding)} (${sent === undefined ? 'not applied' : 'applied'}): ${answer.text.slice(0, 200)}`;
            const readable = sent !== undefined || encoding === undefined || encoding === 'identity';
            if (type.json === 'no') expect(answer.status, context).toBe(415);
            if (type.json === 'yes' && isValid && readable) expect(answer.status, context).toBe(spec.ok);
            if (answer.status !== spec.ok) expectClearRejection(answer, context, spec.schemaPrefix);
          }),
          fuzzParams(HEADER_SCALE),
        );
      },
      timeoutFor(HEADER_SCALE, 20),
    );

    it('a gzip bomb (16 MiB of zeros in 16 KiB) is refused with 413 once the inflated body passes the limit', async () => {
      const bomb = gzipSync(Buffer.alloc(16 * 2 ** 20));
      expect(bomb.length).toBeLessThan(FUZZ_BODY_LIMIT);
      const answer = await post(url(), bomb, { ...JSON_TYPE, 'content-encoding': 'gzip' });
      expectClearRejection(answer, 'gzip bomb', spec.schemaPrefix);
      expect(answer.status).toBe(413);
    });

    extra?.(() => server);

    it('afterwards the server still accepts a valid document, and nothing escaped as an unhandled error', async () => {
      const answer = await post(url(), JSON.stringify(spec.fresh()), JSON_TYPE);
      expect(answer.status, answer.text).toBe(spec.ok);
      expect(errors.seen).toEqual([]);
    });

    it('the heap retained over the whole suite stays bounded', () => {
      const bytes = retainedBytes(heap);
      if (bytes !== undefined) expect(bytes).toBeLessThan(HEAP_GROWTH_LIMIT);
    });
  });
}
