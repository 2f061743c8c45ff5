import { z } from 'zod';
import { resolveSecret } from '../../../config/secret-file.js';
import { createChannelHttp } from '../delivery.js';
import { channelCommon, defineChannel, httpUrl, optionalPath } from '../definition.js';
import { addressList } from '../lists.js';
import type { DeliveryResult, Notifier } from '../notifier.js';
import { buildSmsBody, smsForm, TWILIO_BODY_MAX } from './message.js';

const DEFAULT_TWILIO_API_URL = 'https://api.twilio.com';
/** Partly delivered notifications remembered (recipients already texted); a bound, so a storm cannot grow it. */
const PARTIAL_MEMORY = 1000;

const schema = z
  .strictObject({
    account_sid: z.string().min(1).optional(),
    auth_token: z.string().min(1).optional(),
    auth_token_file: optionalPath,
    /** The sending number (E.164), or a messaging service instead. */
    from: z.string().min(1).optional(),
    messaging_service_sid: z.string().min(1).optional(),
    /** Recipients (E.164 numbers); a list or comma-separated. */
    to: addressList,
    api_url: httpUrl.default(DEFAULT_TWILIO_API_URL),
    /** Characters per text (a segment is 160 GSM characters); Twilio's hard limit is 1600. */
    max_length: z.number().int().min(20).max(TWILIO_BODY_MAX).default(320),
    /**
     * At most this many texts per minute, all recipients together: a paging storm is paced, never dropped
     * (the outbox holds the rest, oldest first).
     */
    max_per_minute: z.number().positive().default(10),
    ...channelCommon,
  })
  // Settings that only make sense together, checked at load so check-config reports them with their place.
  .superRefine((config, ctx) => {
    const hasToken = config.auth_token !== undefined || config.auth_token_file !== undefined;
    if (config.account_sid === undefined && !hasToken) return;
    if (config.account_sid === undefined || !hasToken)
      ctx.addIssue({
        code: 'custom',
        path: [config.account_sid === undefined ? 'account_sid' : 'auth_token'],
        message: 'set both account_sid and auth_token (or auth_token_file)',
      });
    if (config.from === undefined && config.messaging_service_sid === undefined)
      ctx.addIssue({ code: 'custom', path: ['from'], message: 'set from (a Twilio number, E.164) or messaging_service_sid' });
    if (config.to.length === 0) ctx.addIssue({ code: 'custom', path: ['to'], message: 'set the recipients (E.164 numbers)' });
  })
  .prefault({});

type SmsConfig = z.output<typeof schema>;

/** SMS through Twilio's Messages API: one short text per alert and recipient; no acks (a text per ack is noise). */
export const sms = defineChannel<SmsConfig>({
  name: 'sms',
  title: 'SMS (Twilio)',
  unit: 'alert',
  ack: 'none',
  schema,
  settings: [
    { name: 'sms.account-sid', path: ['bridge', 'channels', 'sms', 'account_sid'], kind: 'string', help: 'Twilio account SID.' },
    { name: 'sms.auth-token', path: ['bridge', 'channels', 'sms', 'auth_token'], kind: 'string', secret: true, help: 'Twilio auth token.' },
    { name: 'sms.from', path: ['bridge', 'channels', 'sms', 'from'], kind: 'string', help: 'Twilio sending number (E.164).' },
    { name: 'sms.to', path: ['bridge', 'channels', 'sms', 'to'], kind: 'string', help: 'SMS recipients (E.164), comma-separated.' },
    { name: 'sms.api-url', path: ['bridge', 'channels', 'sms', 'api_url'], kind: 'string', help: 'Twilio API base URL.' },
  ],
  configureHint: 'bridge.channels.sms.account_sid and auth_token (IDE_MONITOR_SMS_ACCOUNT_SID, IDE_MONITOR_SMS_AUTH_TOKEN)',
  create(config): Notifier | undefined {
    const token = resolveSecret('bridge.channels.sms.auth_token', config.auth_token, config.auth_token_file);
    // The schema has checked that these come together.
    if (config.account_sid === undefined || token === undefined) return undefined;
    const url = `${config.api_url.replace(/\/+$/, '')}/2010-04-01/Accounts/${encodeURIComponent(config.account_sid)}/Messages.json`;
    const headers = {
      Authorization: `Basic ${Buffer.from(`${config.account_sid}:${token}`).toString('base64')}`,
      'Content-Type': 'application/x-www-form-urlencoded',
    };
    const sender = {
      ...(config.from !== undefined && { from: config.from }),
      ...(config.messaging_service_sid !== undefined && { messagingServiceSid: config.messaging_service_sid }),
    };
    const http = createChannelHttp(config.timeout);
    // A retry after a partial failure must not text the recipients who already got it.
    const texted = new Map<string, Set<string>>();
    return {
      async notify(notification, dedupKey): Promise<DeliveryResult> {
        if (notification.kind !== 'alert') return { outcome: 'give_up', reason: `SMS sends per-alert notifications, not ${notification.kind}` };
        const body = buildSmsBody(notification, config.max_length);
        const done = texted.get(dedupKey) ?? new Set<string>();
        for (const to of config.to) {
          if (done.has(to)) continue;
          const result = await http.send({ url, body: smsForm(to, sender, body), headers });
          if (result.outcome !== 'delivered') {
            if (result.outcome === 'retry' && done.size > 0) remember(texted, dedupKey, done);
            else texted.delete(dedupKey);
            return { ...result, reason: `to ${mask(to)}: ${result.reason}` };
          }
          done.add(to);
        }
        texted.delete(dedupKey);
        return { outcome: 'delivered', status: 201 };
      },
      close: () => http.close(),
    };
  },
  // One at a time, spaced so that all recipients' texts stay within max_per_minute.
  pacing: (config) => ({ concurrency: 1, minIntervalMs: Math.ceil((60_000 * Math.max(1, config.to.length)) / config.max_per_minute) }),
});

function remember(map: Map<string, Set<string>>, key: string, value: Set<string>): void {
  map.delete(key);
  map.set(key, value);
  // Oldest first out: Map iterates in insertion order.
  while (map.size > PARTIAL_MEMORY) map.delete(map.keys().next().value!);
}

/** A phone number in a log line: enough to tell recipients apart, not the whole number. */
function mask(number: string): string {
  return number.length <= 4 ? number : `…${number.slice(-4)}`;
}
