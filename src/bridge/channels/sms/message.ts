import type { AlertNotification } from '../../notification.js';
import { alertPlace, truncate } from '../format.js';

/** Twilio refuses a body over 1600 characters. */
export const TWILIO_BODY_MAX = 1600;

/**
 * One short text per alert: `[FIRING] Name (critical) dev-1: summary` or `[RESOLVED] …`, cut at `max`
 * characters (default 320: two SMS segments; Twilio's hard limit is 1600). No links or descriptions: a
 * page says what and where, the details are one click away in chat or email.
 */
export function buildSmsBody(notification: AlertNotification, max: number): string {
  const { alert } = notification;
  const name = alert.labels['alertname'] ?? 'alert';
  const severity = alert.labels['severity'];
  const where = alertPlace(alert);
  const state = alert.status === 'firing' ? 'FIRING' : 'RESOLVED';
  const summary = alert.annotations['summary'];
  const tail = alert.status === 'resolved' && alert.resolution !== undefined ? ` Resolution: ${alert.resolution}` : '';
  const text = `[${state}] ${name}${severity === undefined ? '' : ` (${severity})`}${where === undefined ? '' : ` ${where}`}${summary === undefined ? '' : `: ${summary}`}${tail}`;
  return truncate(text, Math.min(max, TWILIO_BODY_MAX));
}

/** The form Twilio's Messages API takes. */
export function smsForm(to: string, from: { from?: string; messagingServiceSid?: string }, body: string): string {
  const form = new URLSearchParams({ To: to, Body: body });
  if (from.messagingServiceSid !== undefined) form.set('MessagingServiceSid', from.messagingServiceSid);
  else if (from.from !== undefined) form.set('From', from.from);
  return form.toString();
}
