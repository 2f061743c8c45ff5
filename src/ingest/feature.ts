import type { FeatureContext, ServeFeature } from '../commands/serve-features.js';
import { resolveSecret } from '../config/secret-file.js';
import { mountIngestRoutes } from './routes.js';
import { INGEST_PATH } from './schema.js';
import { IngestSink } from './sink.js';

/** The ingestion API as a `serve` feature: its metrics live in the shared registry, its route on the API side. */
export function createIngestFeature(ctx: FeatureContext): ServeFeature {
  const { config, registry, logger } = ctx;
  const sink = new IngestSink({ registry, config: config.ingest });
  const token = resolveSecret('ingest.token', config.ingest.token, config.ingest.token_file);
  return {
    extension: {
      name: 'ingest',
      mountApi(app) {
        mountIngestRoutes(app, { sink, token, maxBodySize: config.ingest.max_body_size, logger: logger.child({ component: 'ingest' }) });
      },
    },
    async start() {
      logger.info(
        { path: INGEST_PATH, auth: token === undefined ? 'loopback only' : 'bearer token', max_body_size: config.ingest.max_body_size },
        'ingestion API enabled',
      );
    },
  };
}
