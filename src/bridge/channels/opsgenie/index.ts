import { z } from 'zod';
import { resolveSecret } from '../../../config/secret-file.js';
import { createChannelHttp } from '../delivery.js';
import { channelCommon, defineChannel, httpUrl, optionalPath } from '../definition.js';
import type { Notifier } from '../notifier.js';
import { buildOpsGenieRequest } from './request.js';

const DEFAULT_OPSGENIE_API_URL = 'https://api.opsgenie.com';

const schema = z
  .strictObject({
    api_key: z.string().min(1).optional(),
    api_key_file: optionalPath,
    /** https://api.opsgenie.com (US) or https://api.eu.opsgenie.com (EU). */
    api_url: httpUrl.default(DEFAULT_OPSGENIE_API_URL),
    ...channelCommon,
    concurrency: z.number().int().positive().default(4),
  })
  .prefault({});

/** OpsGenie Alert API v2: one OpsGenie alert per alert (create, acknowledge, close by alias). */
export const opsgenie = defineChannel<z.output<typeof schema>>({
  name: 'opsgenie',
  title: 'OpsGenie',
  unit: 'alert',
  ack: 'native',
  schema,
  settings: [
    {
      name: 'opsgenie.api-key',
      path: ['bridge', 'channels', 'opsgenie', 'api_key'],
      kind: 'string',
      secret: true,
      help: 'OpsGenie API integration key (sent as Authorization: GenieKey KEY).',
    },
    {
      name: 'opsgenie.api-url',
      path: ['bridge', 'channels', 'opsgenie', 'api_url'],
      kind: 'string',
      help: 'OpsGenie API base URL: https://api.opsgenie.com (US) or https://api.eu.opsgenie.com (EU).',
    },
  ],
  configureHint: 'bridge.channels.opsgenie.api_key or IDE_MONITOR_OPSGENIE_API_KEY',
  create(config): Notifier | undefined {
    const key = resolveSecret('bridge.channels.opsgenie.api_key', config.api_key, config.api_key_file);
    if (key === undefined) return undefined;
    const base = config.api_url.replace(/\/+$/, '');
    const http = createChannelHttp(config.timeout);
    return {
      async notify(notification) {
        if (notification.kind === 'group') return { outcome: 'give_up', reason: 'OpsGenie sends per-alert notifications, not groups' };
        const request = buildOpsGenieRequest(notification);
        // OpsGenie answers 202 and processes asynchronously; 401/403 (bad key), 422 (invalid) are final, 429 and 5xx retried.
        return http.send({ url: `${base}${request.path}`, body: JSON.stringify(request.body), headers: { Authorization: `GenieKey ${key}` } });
      },
      close: () => http.close(),
    };
  },
  pacing: (config) => ({ concurrency: config.concurrency, minIntervalMs: 0 }),
});
