import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discord } from '../../../../src/bridge/channels/discord/index.js';
import { buildDiscordAckMessage, buildDiscordMessage, DISCORD_LIMITS, embedLength } from '../../../../src/bridge/channels/discord/message.js';
import { golden } from '../../../support/golden.js';
import { discordProblems, startDiscordSink, type Sink } from '../../../support/sinks.mjs';
import { ackNotification, group, hugeAlert, payload } from '../fixtures.js';
import { expectWholeCodePoints, notifierOf } from './helpers.js';

describe('the Discord message builder', () => {
  it("renders real Alertmanager groups and an ack as the golden files show, within Discord's checks", () => {
    for (const name of ['firing-single', 'firing-and-resolved', 'resolved-group']) {
      const message = buildDiscordMessage(group(payload(name)));
      golden(`discord-${name}`, message);
      expect(discordProblems(message)).toEqual([]);
    }
    const ack = buildDiscordAckMessage(ackNotification(payload('firing-single').alerts[0]!));
    golden('discord-ack', ack);
    expect(ack.content).toBe('[ACKNOWLEDGED] IdeHostCpuHighUsage (dev-1:10451) by alice');
  });

  it('never pings: mentions in alert text stay plain', () => {
    const message = buildDiscordMessage(group(payload('firing-single')));
    expect(message.allowed_mentions).toEqual({ parse: [] });
  });

  it('keeps huge emoji alerts within every limit, cutting on code points and counting what it left out', () => {
    const base = payload('firing-single');
    const many = Array.from({ length: 40 }, (_, i) => hugeAlert(base.alerts[0]!, i));
    const message = buildDiscordMessage(group(base, many));
    expect(discordProblems(message)).toEqual([]);
    expect(message.embeds.length).toBeLessThanOrEqual(DISCORD_LIMITS.embeds);
    expect(message.embeds.reduce((n, e) => n + embedLength(e), 0)).toBeLessThanOrEqual(DISCORD_LIMITS.embedTotal);
    expect(message.content.length).toBeLessThanOrEqual(DISCORD_LIMITS.content);
    expect(message.content).toMatch(new RegExp(`${40 - message.embeds.length} more alerts not shown`));
    expectWholeCodePoints(message);
    // The check is not vacuous: half an emoji (what a plain .slice() cut leaves) fails it.
    expect(() => expectWholeCodePoints({ title: `x${'🔥'.slice(0, 1)}` })).toThrow();
  });
});

describe('the Discord notifier against a Discord webhook sink', () => {
  let sink: Sink;
  beforeAll(async () => (sink = await startDiscordSink()));
  afterAll(() => sink.stop());
  const notification = () => group(payload('firing-single'));

  it("delivers (204), waits as long as a 429's fractional retry_after says, retries 5xx, gives up on 401/404 with the reason", async () => {
    const notifier = notifierOf(discord, { webhook_url: sink.url });
    expect(await notifier.notify(notification(), 'k1')).toEqual({ outcome: 'delivered', status: 204 });
    sink.failNext(1, 429, 1.25);
    // The JSON body's 1.25 s, not the header's whole 2 s.
    expect(await notifier.notify(notification(), 'k2')).toMatchObject({ outcome: 'retry', retryAfterMs: 1250 });
    sink.failNext(1, 502);
    expect(await notifier.notify(notification(), 'k3')).toMatchObject({ outcome: 'retry', reason: expect.stringContaining('HTTP 502') });
    sink.failNext(1, 401);
    expect(await notifier.notify(notification(), 'k4')).toEqual({ outcome: 'give_up', reason: 'HTTP 401: {"message":"401: Unauthorized","code":0}' });
    sink.failNext(1, 404);
    expect(await notifier.notify(notification(), 'k5')).toMatchObject({ outcome: 'give_up', reason: expect.stringContaining('Unknown Webhook') });
    notifier.close?.();
  });
});
