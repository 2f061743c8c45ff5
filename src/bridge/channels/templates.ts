import { z } from 'zod';
import { renderString, unknownPlaceholders } from '../actions/template.js';
import type { Notification, NotifiedAlert } from '../notification.js';
import type { Notifier } from './notifier.js';

/**
 * A per-channel text template in the actions' placeholder language (`{{ labels.NAME }}`,
 * `{{ annotations.NAME }}`, `{{ fingerprint }}`, `{{ status }}`, `{{ phase }}`, `{{ starts_at }}`,
 * `{{ ends_at }}`, `{{ episode }}`): plain substitution, no code runs, inserted values are never scanned again.
 * Unknown placeholders are refused when the config is read.
 */
const template = z
  .string()
  .min(1)
  .refine((text) => unknownPlaceholders(text).length === 0, {
    error: (issue) =>
      `unknown placeholder ${JSON.stringify(unknownPlaceholders(String(issue.input))[0]?.placeholder)}; use labels.NAME, annotations.NAME, fingerprint, status, phase, starts_at, ends_at or episode`,
  });

/** Settings every channel has: an alert's headline and text, each defaulting to the message the channel builds today. */
export const channelTemplates = {
  /** Replaces each alert's headline (default: its `summary` annotation). */
  title_template: template.optional(),
  /** Replaces each alert's text (default: its `description` annotation). */
  body_template: template.optional(),
};

export interface ChannelTemplates {
  readonly title_template?: string | undefined;
  readonly body_template?: string | undefined;
}

/**
 * The notification with each alert's summary and description rendered from the templates: every builder
 * shows those two as an alert's headline and text, so one substitution serves every channel. The group's
 * common summary and description are dropped (builders then take the first alert's), since one alert's
 * rendering cannot stand for all.
 */
export function applyTemplates(notification: Notification, templates: ChannelTemplates): Notification {
  const { title_template: title, body_template: body } = templates;
  if ((title === undefined && body === undefined) || notification.kind === 'ack') return notification;
  const render = (alert: NotifiedAlert): NotifiedAlert => {
    const context = { alert, phase: alert.status === 'firing' ? ('trigger' as const) : ('rollback' as const) };
    return {
      ...alert,
      annotations: {
        ...alert.annotations,
        ...(title !== undefined && { summary: renderString(title, context) }),
        ...(body !== undefined && { description: renderString(body, context) }),
      },
    };
  };
  if (notification.kind === 'alert') return { ...notification, alert: render(notification.alert) };
  const common = { ...notification.commonAnnotations };
  if (title !== undefined) delete common['summary'];
  if (body !== undefined) delete common['description'];
  return { ...notification, commonAnnotations: common, alerts: notification.alerts.map(render) };
}

/** A notifier that renders the channel's templates before building its message. */
export function withTemplates(notifier: Notifier, templates: ChannelTemplates): Notifier {
  if (templates.title_template === undefined && templates.body_template === undefined) return notifier;
  return { ...notifier, notify: (notification, dedupKey) => notifier.notify(applyTemplates(notification, templates), dedupKey) };
}
