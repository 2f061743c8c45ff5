import { z } from 'zod';
import { resolveSecret } from '../../../config/secret-file.js';
import { createChannelHttp } from '../delivery.js';
import { channelCommon, defineChannel, httpUrl, optionalPath } from '../definition.js';
import type { Notifier } from '../notifier.js';
import { buildPagerDutyEvent } from './event.js';

const DEFAULT_PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

const schema = z
  .strictObject({
    routing_key: z.string().min(1).optional(),
    routing_key_file: optionalPath,
    events_url: httpUrl.default(DEFAULT_PAGERDUTY_EVENTS_URL),
    ...channelCommon,
    /** Concurrent requests; PagerDuty's own limit is answered with 429s, which we honour. */
    concurrency: z.number().int().positive().default(4),
  })
  .prefault({});

/** PagerDuty Events API v2: one incident per alert (trigger, acknowledge, resolve on the same dedup_key). */
export const pagerduty = defineChannel<z.output<typeof schema>>({
  name: 'pagerduty',
  title: 'PagerDuty',
  unit: 'alert',
  ack: 'native',
  schema,
  settings: [
    {
      name: 'pagerduty.routing-key',
      path: ['bridge', 'channels', 'pagerduty', 'routing_key'],
      kind: 'string',
      secret: true,
      help: 'PagerDuty Events API v2 routing (integration) key.',
    },
    { name: 'pagerduty.events-url', path: ['bridge', 'channels', 'pagerduty', 'events_url'], kind: 'string', help: 'PagerDuty Events API v2 enqueue URL.' },
  ],
  configureHint: 'bridge.channels.pagerduty.routing_key or IDE_MONITOR_PAGERDUTY_ROUTING_KEY',
  create(config): Notifier | undefined {
    const routingKey = resolveSecret('bridge.channels.pagerduty.routing_key', config.routing_key, config.routing_key_file);
    if (routingKey === undefined) return undefined;
    const http = createChannelHttp(config.timeout);
    return {
      async notify(notification) {
        if (notification.kind === 'group') return { outcome: 'give_up', reason: 'PagerDuty sends per-alert notifications, not groups' };
        return http.send({ url: config.events_url, body: JSON.stringify(buildPagerDutyEvent(notification, routingKey)) });
      },
      close: () => http.close(),
    };
  },
  pacing: (config) => ({ concurrency: config.concurrency, minIntervalMs: 0 }),
});
