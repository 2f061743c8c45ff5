import type { FeatureContext, ServeFeature } from '../serve/feature.js';
import { accessOf } from '../access/create.js';
import { resolveSecret } from '../config/secret-file.js';
import { LspControl } from './control.js';
import { mountIngestRoutes, mountLspControlRoutes } from './routes.js';
import { INGEST_PATH } from './schema.js';
import { IngestSink } from './sink.js';

/** The ingestion API as a `serve` feature: its metrics live in the shared registry, its route on the API side. */
export function createIngestFeature(ctx: FeatureContext): ServeFeature & { readonly control: LspControl } {
  const { config, registry, logger } = ctx;
  const sink = new IngestSink({ registry, config: config.ingest });
  const control = new LspControl({ states: sink.states });
  const token = resolveSecret('ingest.token', config.ingest.token, config.ingest.token_file);
  return {
    control,
    extension: {
      name: 'ingest',
      mountApi(app) {
        const log = logger.child({ component: 'ingest' });
        mountIngestRoutes(app, { sink, control, token, maxBodySize: config.ingest.max_body_size, logger: log });
        mountLspControlRoutes(app, { control, access: accessOf(ctx), logger: log });
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
