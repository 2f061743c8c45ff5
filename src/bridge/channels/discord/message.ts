import type { AckNotification, GroupNotification, NotifiedAlert } from '../../notification.js';
import { ackTitle, alertLinks, firingFirst, groupTitle, truncate } from '../format.js';

/** Discord's documented limits for one webhook message. */
export const DISCORD_LIMITS = {
  content: 2000,
  embeds: 10,
  /** Title, description, field names and values, footer text and author name of all embeds together. */
  embedTotal: 6000,
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
} as const;

const COLOURS: Record<string, number> = { critical: 0xe01e5a, high: 0xf2711c, warning: 0xf2711c, medium: 0xecb22e, low: 0x439fe0, info: 0x439fe0 };
const RESOLVED_COLOUR = 0x2eb67d;
const GREY = 0x868e96;
/** An embed whose description budget would fall below this is not worth sending: the alerts after it are counted instead. */
const MIN_DESCRIPTION = 100;

export interface DiscordEmbed {
  title: string;
  description?: string;
  color: number;
  fields?: Array<{ name: string; value: string; inline?: boolean }>;
  footer?: { text: string };
  timestamp?: string;
}

export interface DiscordMessage {
  content: string;
  embeds: DiscordEmbed[];
  /** Nothing in alert text may ping: `@everyone` in a label stays plain text. */
  allowed_mentions: { parse: [] };
}

/**
 * One message per group: the title as `content`, then one embed per alert (firing first) with its summary
 * as title, its description, resolution and links as description, and the labels that tell it apart as a
 * field. At most 10 embeds and 6000 characters of embed text: descriptions share what is left, and alerts
 * that do not fit are counted in the content line.
 */
export function buildDiscordMessage(notification: GroupNotification): DiscordMessage {
  const ordered = firingFirst(notification.alerts);
  const embeds: DiscordEmbed[] = [];
  let budget = DISCORD_LIMITS.embedTotal;
  for (const alert of ordered) {
    if (embeds.length === DISCORD_LIMITS.embeds) break;
    const embed = alertEmbed(alert, notification, budget);
    if (embed === undefined) break;
    budget -= embedLength(embed);
    embeds.push(embed);
  }
  const notes: string[] = [];
  if (ordered.length > embeds.length)
    notes.push(`${ordered.length - embeds.length} more alert${ordered.length - embeds.length === 1 ? '' : 's'} not shown (Discord message limits)`);
  if (notification.truncatedAlerts > 0) notes.push(`${notification.truncatedAlerts} truncated by Alertmanager (max_alerts)`);
  const summary = notification.commonAnnotations['summary'] ?? ordered[0]?.annotations['summary'];
  const lines = [`**${groupTitle(notification)}**${summary === undefined ? '' : `: ${summary}`}`];
  if (notification.note !== undefined) lines.push(`_${notification.note}_`);
  if (notes.length > 0) lines.push(`…${notes.join('; ')}.`);
  return { content: truncate(lines.join('\n'), DISCORD_LIMITS.content), embeds, allowed_mentions: { parse: [] } };
}

/** A short message saying who acknowledged (or withdrew the ack of) an alert; a webhook cannot edit its earlier message. */
export function buildDiscordAckMessage(notification: AckNotification): DiscordMessage {
  const embed: DiscordEmbed = {
    title: truncate(ackTitle(notification), DISCORD_LIMITS.title),
    color: GREY,
    footer: { text: truncate(`fingerprint ${notification.alert.fingerprint}`, DISCORD_LIMITS.footer) },
    timestamp: notification.at,
  };
  if (notification.comment !== '') embed.description = truncate(notification.comment, DISCORD_LIMITS.description);
  return { content: truncate(ackTitle(notification), DISCORD_LIMITS.content), embeds: [embed], allowed_mentions: { parse: [] } };
}

function alertEmbed(alert: NotifiedAlert, notification: GroupNotification, budget: number): DiscordEmbed | undefined {
  const summary = alert.annotations['summary'] ?? notification.commonAnnotations['summary'] ?? alert.labels['alertname'] ?? 'alert';
  const title = truncate(`${alert.status === 'firing' ? '🔴' : '🟢'} ${summary}`, DISCORD_LIMITS.title);
  const own = Object.entries(alert.labels).filter(([label, value]) => label !== 'alertname' && notification.commonLabels[label] !== value);
  const fields = own.length === 0 ? [] : [{ name: 'Labels', value: truncate(own.map(([k, v]) => `${k}=${v}`).join(', '), DISCORD_LIMITS.fieldValue) }];
  const footer = { text: alert.status === 'firing' ? `since ${alert.startsAt}` : `resolved ${alert.endsAt}` };
  const fixed = title.length + footer.text.length + fields.reduce((n, f) => n + f.name.length + f.value.length, 0);
  const room = Math.min(DISCORD_LIMITS.description, budget - fixed);
  if (room < MIN_DESCRIPTION) return undefined;
  const links = alertLinks(alert, notification.externalURL, 512)
    .map((l) => `[${l.text}](${l.url})`)
    .join(' · ');
  const resolution = alert.status === 'resolved' && alert.resolution !== undefined ? `**Resolution:** ${alert.resolution}` : '';
  const description = alert.annotations['description'] ?? alert.annotations['message'] ?? '';
  // Links go last and are kept whole: the text before them is what gets cut.
  const head = [resolution, description].filter((t) => t !== '').join('\n');
  const linkLine = links.length + 1 <= room / 2 ? links : '';
  const text = linkLine === '' ? truncate(head, room) : `${truncate(head, room - linkLine.length - 1)}${head === '' ? '' : '\n'}${linkLine}`;
  const colour = alert.status === 'resolved' ? RESOLVED_COLOUR : (COLOURS[alert.labels['severity'] ?? ''] ?? GREY);
  return {
    title,
    ...(text !== '' && { description: text }),
    color: colour,
    ...(fields.length > 0 && { fields }),
    footer,
    timestamp: alert.status === 'firing' ? alert.startsAt : alert.endsAt,
  };
}

/** The characters Discord counts towards the 6000 of a message. */
export function embedLength(embed: DiscordEmbed): number {
  return (
    embed.title.length +
    (embed.description?.length ?? 0) +
    (embed.footer?.text.length ?? 0) +
    (embed.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0)
  );
}
