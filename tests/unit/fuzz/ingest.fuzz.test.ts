import { expect } from 'vitest';
import { createIngestFeature } from '../../../src/ingest/feature.js';
import { INGEST_PATH, ingestBatchSchema } from '../../../src/ingest/schema.js';
import { batchOf, EXAMPLES } from '../ingest/examples.js';
import { describeJsonEndpointFuzz } from './json-endpoint.js';
import { metricSum, type FeatureServer } from './server.js';

const batches = (server: FeatureServer, outcome: string) => metricSum(server.registry, 'ide_ingest_batches_total', { outcome });

describeJsonEndpointFuzz({
  name: 'ingest API',
  path: INGEST_PATH,
  create: createIngestFeature,
  ok: 204,
  schemaPrefix: 'invalid batch',
  accepts: (body) => ingestBatchSchema.safeParse(body).success,
  // As reporters send them: every kind, with and without an instance, state only, a heartbeat.
  bases: [
    batchOf(Object.values(EXAMPLES), 'lsp-proxy:fuzz:1'),
    batchOf(Object.values(EXAMPLES)),
    batchOf([EXAMPLES.lsp_state, EXAMPLES.cache], 'ide:fuzz:2'),
    batchOf([], 'lsp-proxy:fuzz:3'),
  ],
  applied: (body) => (body as { observations: unknown[] }).observations.length,
  snapshot: async (server) => ({
    accepted: await batches(server, 'accepted'),
    rejected: (await batches(server, 'invalid')) + (await batches(server, 'too_large')),
    observations: await metricSum(server.registry, 'ide_ingest_observations_total'),
  }),
  async checkApplied(server, before, run) {
    // Every 204 applied its whole batch, every rejection was counted as one, and nothing else was.
    expect((await batches(server, 'accepted')) - before.accepted).toBe(run.accepted);
    expect((await batches(server, 'invalid')) + (await batches(server, 'too_large')) - before.rejected).toBe(run.rejected);
    expect((await metricSum(server.registry, 'ide_ingest_observations_total')) - before.observations).toBe(run.applied);
  },
  fresh: () => batchOf([EXAMPLES.operation], 'ide:fuzz:after'),
});
