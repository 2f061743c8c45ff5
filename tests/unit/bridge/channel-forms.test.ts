import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formsOf } from '../../../src/bridge/channel-forms.js';
import { configSchema } from '../../../src/config/schema.js';

const dir = mkdtempSync(path.join(tmpdir(), 'channel-forms-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bridgeWith = (channels: Record<string, unknown>) => configSchema.parse({ bridge: { channels } }).bridge;

describe('channel forms: what a reload compares to keep or replace a notifier', () => {
  it('is the same while the settings and the secret file behind them are, and differs when the file is rotated', () => {
    const file = path.join(dir, 'slack-url');
    writeFileSync(file, 'https://hooks.slack.com/services/T0/B0/first\n');
    const bridge = bridgeWith({ slack: { webhook_url_file: file } });
    const before = formsOf(bridge).get('slack');
    expect(formsOf(bridge).get('slack')).toBe(before);
    writeFileSync(file, 'https://hooks.slack.com/services/T0/B0/second\n');
    expect(formsOf(bridge).get('slack')).not.toBe(before);
  });

  it('differs when a setting changes, and when the file becomes unreadable', () => {
    const file = path.join(dir, 'routing-key');
    writeFileSync(file, 'R0UT1NGKEY\n');
    const before = formsOf(bridgeWith({ pagerduty: { routing_key_file: file } })).get('pagerduty');
    expect(formsOf(bridgeWith({ pagerduty: { routing_key_file: file, concurrency: 2 } })).get('pagerduty')).not.toBe(before);
    rmSync(file);
    expect(formsOf(bridgeWith({ pagerduty: { routing_key_file: file } })).get('pagerduty')).toContain('unreadable: ENOENT');
  });
});
