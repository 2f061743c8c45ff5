import { z } from 'zod';
import { duration, enabled, positiveInt } from '../schema-types.js';
import type { Setting } from '../setting.js';

/** `status:` — the live status page at `/` (SSE stream, snapshot and history JSON). */
export const statusSchema = z
  .strictObject({
    enabled: enabled(true),
    /** How often the page's sampler reads the scrape path and pushes an update to every open page. */
    interval: duration.default(1000),
    /** How far back the in-memory ring buffer reaches (charts, `/api/v1/history`). */
    history: duration.default(15 * 60_000),
    /** Open `/api/v1/stream` connections beyond this answer 503, so a crowd of tabs cannot exhaust the process. */
    max_clients: positiveInt.pipe(z.number().max(100_000)).default(500),
    /**
     * The file `ide-monitor generate --config` renders the rules from (its `_config.thresholds`): the
     * page's colours then follow the same levels as the generated alerts. Without it, the defaults.
     */
    monitoring_config_file: z.string().min(1).optional(),
  })
  .refine((s) => s.history / s.interval <= 86_400, 'status.history / status.interval must be at most 86400 points')
  .refine((s) => s.history >= s.interval, 'status.history must be at least status.interval')
  .prefault({});

export const STATUS_SETTINGS: readonly Setting[] = [
  {
    name: 'status.enabled',
    path: ['status', 'enabled'],
    kind: 'boolean',
    help: 'Serve the live status page at / (with its stream, snapshot and history endpoints).',
  },
  { name: 'status.interval', path: ['status', 'interval'], kind: 'duration', help: 'How often the status page samples and pushes an update.' },
  { name: 'status.history', path: ['status', 'history'], kind: 'duration', help: 'How much history the status page keeps in memory.' },
  { name: 'status.max-clients', path: ['status', 'max_clients'], kind: 'string', help: 'Most open status streams; more answer 503.' },
  {
    name: 'status.monitoring-config-file',
    path: ['status', 'monitoring_config_file'],
    kind: 'string',
    help: 'The generate --config file whose _config.thresholds colour the status page (as the generated alerts fire).',
  },
];
