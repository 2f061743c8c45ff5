import { createHash } from 'node:crypto';
import type { AckNotification, GroupNotification, NotifiedAlert } from '../../notification.js';
import { ackTitle, alertLinks, firingFirst, groupTitle, truncate } from '../format.js';

/** A subject stays on one screen line; mail servers fold it, we cut it. */
export const EMAIL_SUBJECT_MAX = 250;
/** Each alert's description in the body. */
const DESCRIPTION_MAX = 4000;
/** Alerts shown in one message; more are counted. Text and HTML together stay under BODY_MAX_BYTES either way. */
const EMAIL_MAX_ALERTS = 100;
export const EMAIL_BODY_MAX_BYTES = 512 * 1024;
const BODY_MAX_BYTES = EMAIL_BODY_MAX_BYTES;

export interface EmailMessage {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** Ties every message of one Alertmanager group into one thread in mail clients. */
  readonly references: string;
}

/** The thread id of a group: the same for its firing, resolved and ack messages. */
export function threadId(groupKey: string): string {
  return `<${createHash('sha256').update(groupKey).digest('hex').slice(0, 32)}@ide-monitor>`;
}

/**
 * One message per group: the subject is the group title (`[FIRING:2] Name (critical)`), the body lists each
 * alert (firing first) with its summary, time, resolution, description, labels and links, as plain text
 * and as HTML (every value escaped).
 */
export function buildEmail(notification: GroupNotification): EmailMessage {
  const ordered = firingFirst(notification.alerts);
  const blocks: Array<{ text: string; html: string }> = [];
  let bytes = 0;
  for (const alert of ordered.slice(0, EMAIL_MAX_ALERTS)) {
    const block = alertBlock(alert, notification);
    bytes += Buffer.byteLength(block.text) + Buffer.byteLength(block.html);
    if (bytes > BODY_MAX_BYTES) break;
    blocks.push(block);
  }
  const notes: string[] = [];
  if (ordered.length > blocks.length) notes.push(`${ordered.length - blocks.length} more alerts not shown`);
  if (notification.truncatedAlerts > 0) notes.push(`${notification.truncatedAlerts} truncated by Alertmanager (max_alerts)`);
  const title = groupTitle(notification);
  const textParts = [
    title,
    ...(notification.note === undefined ? [] : [notification.note]),
    ...blocks.map((b) => b.text),
    ...(notes.length > 0 ? [`…${notes.join('; ')}.`] : []),
  ];
  const htmlParts = [
    `<h2>${html(title)}</h2>`,
    ...(notification.note === undefined ? [] : [`<p><em>${html(notification.note)}</em></p>`]),
    ...blocks.map((b) => b.html),
    ...(notes.length > 0 ? [`<p><em>…${html(notes.join('; '))}.</em></p>`] : []),
  ];
  return {
    subject: truncate(title, EMAIL_SUBJECT_MAX),
    text: `${textParts.join('\n\n')}\n`,
    html: page(htmlParts.join('\n')),
    references: threadId(notification.groupKey),
  };
}

/** A short message saying who acknowledged (or withdrew the ack of) an alert, in the group's thread. */
export function buildAckEmail(notification: AckNotification): EmailMessage {
  const title = ackTitle(notification);
  const lines = [title, ...(notification.comment === '' ? [] : [notification.comment]), `${notification.at} · fingerprint ${notification.alert.fingerprint}`];
  return {
    subject: truncate(title, EMAIL_SUBJECT_MAX),
    text: lines.join('\n\n'),
    html: page(lines.map((line, i) => (i === 0 ? `<h2>${html(line)}</h2>` : `<p>${html(line)}</p>`)).join('\n')),
    references: threadId(notification.groupKey),
  };
}

function alertBlock(alert: NotifiedAlert, notification: GroupNotification): { text: string; html: string } {
  const summary = alert.annotations['summary'] ?? notification.commonAnnotations['summary'] ?? alert.labels['alertname'] ?? 'alert';
  const state = alert.status === 'firing' ? `FIRING since ${alert.startsAt}` : `RESOLVED at ${alert.endsAt}`;
  const description = alert.annotations['description'] ?? alert.annotations['message'];
  const resolution = alert.status === 'resolved' ? alert.resolution : undefined;
  const labels = Object.entries(alert.labels).map(([k, v]) => [k, truncate(v, 500)] as const);
  const links = alertLinks(alert, notification.externalURL);
  const text = [
    `${truncate(summary, 1000)} (${state})`,
    ...(resolution === undefined ? [] : [`Resolution: ${truncate(resolution, 1000)}`]),
    ...(description === undefined ? [] : [truncate(description, DESCRIPTION_MAX)]),
    `Labels: ${labels.map(([k, v]) => `${k}=${v}`).join(', ')}`,
    ...links.map((l) => `${l.text}: ${l.url}`),
  ].join('\n');
  const colour = alert.status === 'firing' ? '#E01E5A' : '#2EB67D';
  const htmlBlock = [
    `<div style="border-left:4px solid ${colour};padding-left:8px;margin:12px 0">`,
    `<p><strong>${html(truncate(summary, 1000))}</strong> <small>(${html(state)})</small></p>`,
    ...(resolution === undefined ? [] : [`<p><strong>Resolution:</strong> ${html(truncate(resolution, 1000))}</p>`]),
    ...(description === undefined ? [] : [`<p style="white-space:pre-wrap">${html(truncate(description, DESCRIPTION_MAX))}</p>`]),
    `<table>${labels.map(([k, v]) => `<tr><td><code>${html(k)}</code></td><td><code>${html(v)}</code></td></tr>`).join('')}</table>`,
    ...(links.length === 0 ? [] : [`<p>${links.map((l) => `<a href="${html(l.url)}">${html(l.text)}</a>`).join(' · ')}</p>`]),
    '</div>',
  ].join('\n');
  return { text, html: htmlBlock };
}

function page(body: string): string {
  return `<!DOCTYPE html>\n<html><body style="font-family:sans-serif">\n${body}\n</body></html>\n`;
}

/** Escapes text for HTML content and attribute values. */
function html(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
