import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { resolveSecret } from '../../../config/secret-file.js';
import { lazy } from '../../../lazy-require.js';
import type { Notification } from '../../notification.js';
import { alertsOf } from '../../notification.js';
import { channelCommon, channelConfigError, defineChannel, optionalPath } from '../definition.js';
import { worstSeverity } from '../format.js';
import { addressList } from '../lists.js';
import type { DeliveryResult, Notifier } from '../notifier.js';
import { buildAckEmail, buildEmail } from './message.js';

const recipients = z.strictObject({ to: addressList, cc: addressList });

const schema = z
  .strictObject({
    /** The SMTP server; unset: email is off. */
    smtp_host: z.string().min(1).optional(),
    smtp_port: z.coerce.number().int().min(1).max(65_535).default(587),
    /** Implicit TLS from the first byte (port 465). Otherwise STARTTLS is used when the server offers it. */
    secure: z.boolean().default(false),
    /** Refuse to send unless STARTTLS succeeds (never mail credentials or alerts in the clear). */
    require_tls: z.boolean().default(true),
    /** PEM file of the CA that signed the server's certificate (a private CA); the system CAs otherwise. */
    ca_file: optionalPath,
    username: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    password_file: optionalPath,
    from: z.string().min(1).optional(),
    to: addressList,
    cc: addressList,
    /**
     * Other recipients for groups of a given severity (the worst firing alert's): `critical: {to: [oncall@…]}`.
     * Routes name channels, not recipients; this is the per-severity part of "To/Cc per route".
     */
    recipients_by_severity: z.record(z.string(), recipients).default({}),
    ...channelCommon,
    concurrency: z.number().int().positive().default(2),
  })
  // Settings that only make sense together, checked at load so check-config reports them with their place.
  .superRefine((config, ctx) => {
    if (config.smtp_host === undefined) return;
    if (config.from === undefined) ctx.addIssue({ code: 'custom', path: ['from'], message: 'set the sender address along with smtp_host' });
    if (config.to.length === 0 && config.cc.length === 0 && Object.keys(config.recipients_by_severity).length === 0) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'set recipients (to, cc or recipients_by_severity) along with smtp_host' });
    }
    const hasUser = config.username !== undefined;
    const hasPassword = config.password !== undefined || config.password_file !== undefined;
    if (hasUser !== hasPassword)
      ctx.addIssue({
        code: 'custom',
        path: [hasUser ? 'password' : 'username'],
        message: 'set both username and password (or password_file) for SMTP AUTH, or neither',
      });
  })
  .prefault({});

type EmailConfig = z.output<typeof schema>;

// Loaded when an SMTP host is configured: nodemailer costs ~10 MB of resident memory in every `serve` otherwise.
const nodemailer = lazy<typeof import('nodemailer')>('nodemailer');

/** Email over SMTP (nodemailer): one message per group, in a thread per group, acks as short messages. */
export const email = defineChannel<EmailConfig>({
  name: 'email',
  title: 'email',
  unit: 'group',
  ack: 'message',
  schema,
  settings: [
    { name: 'email.smtp-host', path: ['bridge', 'channels', 'email', 'smtp_host'], kind: 'string', help: 'SMTP server host name for the email channel.' },
    {
      name: 'email.smtp-port',
      path: ['bridge', 'channels', 'email', 'smtp_port'],
      kind: 'string',
      help: 'SMTP server port (587 for STARTTLS; 465 with bridge.channels.email.secure: true).',
    },
    { name: 'email.username', path: ['bridge', 'channels', 'email', 'username'], kind: 'string', help: 'SMTP AUTH user name.' },
    { name: 'email.password', path: ['bridge', 'channels', 'email', 'password'], kind: 'string', secret: true, help: 'SMTP AUTH password.' },
    { name: 'email.from', path: ['bridge', 'channels', 'email', 'from'], kind: 'string', help: 'From address of alert emails.' },
    { name: 'email.to', path: ['bridge', 'channels', 'email', 'to'], kind: 'string', help: 'Recipients of alert emails, comma-separated.' },
  ],
  configureHint: 'bridge.channels.email.smtp_host, from and to (IDE_MONITOR_EMAIL_SMTP_HOST, IDE_MONITOR_EMAIL_FROM, IDE_MONITOR_EMAIL_TO)',
  create(config): Notifier | undefined {
    // The schema requires a sender with a host.
    const from = config.from;
    if (config.smtp_host === undefined || from === undefined) return undefined;
    const password = resolveSecret('bridge.channels.email.password', config.password, config.password_file);
    let ca: string | undefined;
    if (config.ca_file !== undefined) {
      try {
        ca = readFileSync(config.ca_file, 'utf8');
      } catch (error) {
        throw channelConfigError('email', `cannot read ${config.ca_file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, 'ca_file');
      }
    }
    const transport = nodemailer().createTransport({
      host: config.smtp_host,
      port: config.smtp_port,
      secure: config.secure,
      requireTLS: config.require_tls && !config.secure,
      ...(config.username !== undefined && password !== undefined && { auth: { user: config.username, pass: password } }),
      tls: { ...(ca !== undefined && { ca }), servername: config.smtp_host },
      connectionTimeout: config.timeout,
      greetingTimeout: config.timeout,
      socketTimeout: config.timeout,
    });
    return {
      async notify(notification) {
        if (notification.kind === 'alert') return { outcome: 'give_up', reason: 'email sends group notifications, not single alerts' };
        const message = notification.kind === 'ack' ? buildAckEmail(notification) : buildEmail(notification);
        const { to, cc } = recipientsOf(config, notification);
        if (to.length === 0 && cc.length === 0)
          return { outcome: 'give_up', reason: 'no recipients for this severity (bridge.channels.email.to / recipients_by_severity)' };
        let timer: NodeJS.Timeout | undefined;
        // nodemailer's timeouts bound each step; this bounds the whole exchange, as the HTTP channels' deadline does.
        const deadline = new Promise<DeliveryResult>((resolve) => {
          timer = setTimeout(() => resolve({ outcome: 'retry', reason: `SMTP: no complete answer within ${config.timeout} ms` }), config.timeout);
        });
        const send = transport
          .sendMail({
            from,
            to,
            cc,
            subject: message.subject,
            text: message.text,
            html: message.html,
            references: message.references,
            inReplyTo: message.references,
          })
          .then((): DeliveryResult => ({ outcome: 'delivered' }), classifySmtpError);
        try {
          return await Promise.race([send, deadline]);
        } finally {
          clearTimeout(timer);
        }
      },
      close: () => transport.close(),
    };
  },
  pacing: (config) => ({ concurrency: config.concurrency, minIntervalMs: 0 }),
});

/** The group's recipients: the worst firing severity's (or, once all resolved, the worst resolved one's) when set, else the defaults. */
function recipientsOf(config: EmailConfig, notification: Notification): { to: string[]; cc: string[] } {
  const alerts = alertsOf(notification);
  const firing = alerts.filter((a) => a.status === 'firing');
  const severity = worstSeverity(firing.length > 0 ? firing : alerts);
  const special = config.recipients_by_severity[severity];
  return special ?? { to: config.to, cc: config.cc };
}

/**
 * An SMTP reply code decides: 4xx is temporary (greylisting, a full queue: retry), 5xx is final (550 no
 * such mailbox, 535 bad credentials: dead-letter with the server's reason). No reply at all (refused,
 * reset, TLS or timeout) is retried.
 */
export function classifySmtpError(error: unknown): DeliveryResult {
  const { responseCode, response, code, message } = error as { responseCode?: number; response?: string; code?: string; message?: string };
  const reply = (response ?? message ?? '').replace(/\s+/g, ' ').trim().slice(0, 200);
  if (typeof responseCode === 'number') {
    const reason = `SMTP ${responseCode}${code === undefined ? '' : ` (${code})`}: ${reply}`;
    return responseCode >= 500 ? { outcome: 'give_up', reason } : { outcome: 'retry', reason };
  }
  return { outcome: 'retry', reason: `SMTP ${code ?? 'error'}: ${reply}` };
}
