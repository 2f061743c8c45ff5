import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discord } from '../../../../src/bridge/channels/discord/index.js';
import { opsgenie } from '../../../../src/bridge/channels/opsgenie/index.js';
import { applyTemplates } from '../../../../src/bridge/channels/templates.js';
import { CHANNELS } from '../../../../src/bridge/channels/registry.js';
import { OPSGENIE_KEY, startDiscordSink, startOpsGenieSink, type Sink } from '../../../support/sinks.mjs';
import { alertNotification, group, payload } from '../fixtures.js';
import { notifierOf } from './helpers.js';

describe('per-channel title and body templates', () => {
  const p = payload('firing-and-resolved');
  const templates = {
    title_template: '{{ labels.alertname }} on {{ labels.instance }} is {{ status }}',
    body_template: 'Runbook step for {{ labels.instance }} ({{ phase }}, {{ fingerprint }})',
  };

  it('every channel takes them, and refuses unknown placeholders when the config is read', () => {
    for (const channel of CHANNELS) {
      expect(() => channel.schema.parse({ title_template: '{{ labels.alertname }}' }), channel.name).not.toThrow();
      const refused = channel.schema.safeParse({ body_template: 'hi {{ process.env.HOME }}' });
      expect(refused.success, channel.name).toBe(false);
      expect(refused.error?.issues[0]?.message, channel.name).toMatch(/^unknown placeholder "\{\{ process.env.HOME \}\}"; use labels.NAME/);
    }
  });

  it("render each alert's headline and text; alert data is inserted as text and never expanded again", () => {
    const rendered = applyTemplates(group(p), templates);
    if (rendered.kind !== 'group') throw new Error('expected a group');
    expect(rendered.alerts.map((a) => a.annotations['summary'])).toEqual([
      'IdeHostCpuHighUsage on dev-1:10451 is firing',
      'IdeHostCpuHighUsage on dev-2:10451 is resolved',
      'IdeHostCpuHighUsage on dev-3:10451 is firing',
    ]);
    expect(rendered.alerts[1]!.annotations['description']).toBe(`Runbook step for dev-2:10451 (rollback, ${p.alerts[1]!.fingerprint})`);
    expect(rendered.commonAnnotations['summary']).toBeUndefined();
    const sneaky = { ...p.alerts[0]!, labels: { ...p.alerts[0]!.labels, instance: '{{ fingerprint }}' } };
    const one = applyTemplates(alertNotification(sneaky), templates);
    expect(one.kind === 'alert' && one.alert.annotations['summary']).toBe('IdeHostCpuHighUsage on {{ fingerprint }} is firing');
    // Without templates the notification is the same object: the default messages are unchanged.
    const plain = group(p);
    expect(applyTemplates(plain, {})).toBe(plain);
  });

  describe('through the notifiers', () => {
    let discordSink: Sink;
    let opsgenieSink: Sink;
    beforeAll(async () => ([discordSink, opsgenieSink] = await Promise.all([startDiscordSink(), startOpsGenieSink()])));
    afterAll(() => Promise.all([discordSink.stop(), opsgenieSink.stop()]));

    it('shape what Discord and OpsGenie receive', async () => {
      const chat = notifierOf(discord, { webhook_url: discordSink.url, ...templates });
      expect(await chat.notify(group(p), 'k')).toMatchObject({ outcome: 'delivered' });
      const message = discordSink.accepted()[0]!.body as { content: string; embeds: Array<{ title: string; description: string }> };
      expect(message.content).toBe('**[FIRING:2, 1 resolved] IdeHostCpuHighUsage (critical)**: IdeHostCpuHighUsage on dev-1:10451 is firing');
      expect(message.embeds[0]!.title).toBe('🔴 IdeHostCpuHighUsage on dev-1:10451 is firing');
      expect(message.embeds[0]!.description.startsWith('Runbook step for dev-1:10451 (trigger, ')).toBe(true);
      const pager = notifierOf(opsgenie, { api_key: OPSGENIE_KEY, api_url: opsgenieSink.url, title_template: '{{ labels.severity }}: {{ labels.alertname }}' });
      expect(await pager.notify(alertNotification(p.alerts[0]!), 'o')).toMatchObject({ outcome: 'delivered' });
      expect((opsgenieSink.accepted()[0]!.body as { message: string }).message).toBe('IdeHostCpuHighUsage: critical: IdeHostCpuHighUsage');
      chat.close?.();
      pager.close?.();
    });
  });
});
