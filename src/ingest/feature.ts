import type { Config } from '../config/schema.js';
import type { FeatureContext, ServeFeature } from '../serve/feature.js';
import { unappliedChanges } from '../serve/unapplied.js';
import { accessOf } from '../access/create.js';
import { resolveSecret } from '../config/secret-file.js';
import type { WriteAuth } from '../http/request-guards.js';
import { LspControl } from './control.js';
import { mountIngestRoutes, mountLspControlRoutes } from './routes.js';
import { INGEST_PATH } from './schema.js';
import { IngestSink } from './sink.js';

/** What a reload applies at once: the token (a rotated secret must not wait for a restart). */
const LIVE_SETTINGS = ['token', 'token_file'];

/** The ingestion API as a `serve` feature: its metrics live in the shared registry, its route on the API side. */
export function createIngestFeature(ctx: FeatureContext): ServeFeature & { readonly control: LspControl } {
  const { config, registry, logger } = ctx;
  const sink = new IngestSink({ registry, config: config.ingest });
  const control = new LspControl({ states: sink.states });
  const tokenOf = (next: Config) => resolveSecret('ingest.token', next.ingest.token, next.ingest.token_file);
  const auth: { token: string | undefined } & WriteAuth = { token: tokenOf(config), tokenSetting: 'ingest.token (IDE_MONITOR_INGEST_TOKEN)' };
  return {
    control,
    extension: {
      name: 'ingest',
      mountApi(app) {
        const log = logger.child({ component: 'ingest' });
        mountIngestRoutes(app, { sink, control, auth, maxBodySize: config.ingest.max_body_size, logger: log });
        mountLspControlRoutes(app, { control, access: accessOf(ctx), logger: log });
      },
    },
    async start() {
      logger.info(
        { path: INGEST_PATH, auth: auth.token === undefined ? 'loopback only' : 'bearer token', max_body_size: config.ingest.max_body_size },
        'ingestion API enabled',
      );
    },
    reload(next) {
      const token = tokenOf(next);
      if (token !== auth.token) logger.info({ auth: token === undefined ? 'loopback only' : 'bearer token' }, 'ingestion API token replaced');
      auth.token = token;
      return unappliedChanges('ingest', config.ingest, next.ingest, LIVE_SETTINGS);
    },
  };
}
