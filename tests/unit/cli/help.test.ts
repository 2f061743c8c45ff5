import { afterEach, describe, expect, it } from 'vitest';
import { describeSettings } from '../../../src/cli/help.js';
import { SERVE_SETTINGS } from '../../../src/config/settings.js';
import { envNameOf, type Setting } from '../../../src/config/setting.js';

const TOKEN: Setting = { name: 'demo.token', path: ['demo', 'token'], kind: 'string', help: 'A demo secret.', secret: true };
const LABEL: Setting = { name: 'demo.label', path: ['demo', 'label'], kind: 'string', help: 'A demo label.' };

describe('--help and secrets (SECURITY.md)', () => {
  afterEach(() => {
    delete process.env[envNameOf(TOKEN)];
  });

  it('shows (set) in place of a secret default, and never the value', () => {
    const text = describeSettings([TOKEN, LABEL], { demo: { token: 'hunter2-default', label: 'shown' } });
    expect(text).toContain('env IDE_MONITOR_DEMO_TOKEN; default (set)');
    expect(text).toContain('default "shown"');
    expect(text).not.toContain('hunter2-default');
  });

  it('shows defaults only, never what the environment holds', () => {
    process.env[envNameOf(TOKEN)] = 'hunter2-from-env';
    const text = describeSettings([TOKEN, LABEL], { demo: { label: 'shown' } });
    expect(text).not.toContain('hunter2-from-env');
    expect(text).toContain('env IDE_MONITOR_DEMO_TOKEN; default (none)');
  });

  it("marks every credential among serve's settings as a secret, so its --help cannot print one", () => {
    const secret = (name: string) => SERVE_SETTINGS.find((s) => s.name === name)?.secret;
    // Tokens, passwords, keys and the URLs that carry a credential (Slack/Teams/Discord webhooks, database).
    for (const name of [
      'ingest.token',
      'webhook.token',
      'bridge.database-url',
      'email.password',
      'slack.webhook-url',
      'teams.webhook-url',
      'discord.webhook-url',
      'pagerduty.routing-key',
      'opsgenie.api-key',
      'sms.auth-token',
      'outgoing-webhook.url',
    ])
      expect(secret(name), name).toBe(true);
    // Service endpoints are not credentials: their defaults are worth showing.
    for (const name of ['alertmanager.url', 'pagerduty.events-url', 'opsgenie.api-url', 'sms.api-url']) expect(secret(name), name).not.toBe(true);
  });
});
