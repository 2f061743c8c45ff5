import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { webhookPayloadSchema } from '../../../src/bridge/payload.js';
import { Intake } from '../../../src/bridge/intake.js';
import { Reminders } from '../../../src/bridge/reminders.js';
import { compileRoutes } from '../../../src/bridge/routing.js';
import { SqliteStore } from '../../../src/bridge/store/sqlite.js';
import { silentLogger } from '../../../src/log.js';
import { amFixture, channelsNamed } from './fixtures.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('reminders', () => {
  it('re-post an unacknowledged critical alert once per repeat_interval, to the reminder channels it reached', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bridge-reminders-'));
    dirs.push(dir);
    const firing = webhookPayloadSchema.parse(amFixture('firing-single'));
    const alert = firing.alerts[0]!;
    let now = Date.parse(alert.startsAt);
    const store = new SqliteStore(dir, () => now);
    const routes = compileRoutes([{ match: {}, match_re: {}, channels: ['slack', 'pagerduty'], actions: false, continue: false, escalate_to: [] }]);
    const channels = channelsNamed('slack', 'pagerduty');
    await new Intake(store, { routes, channels, applicableActions: () => [], now: () => now }).submit(firing);
    const woken: string[] = [];
    const reminders = new Reminders({
      store,
      routes,
      channels,
      intervalMs: 4 * 3_600_000,
      severities: ['critical'],
      remindOn: ['slack'],
      logger: silentLogger,
      wake: (c) => woken.push(...c),
      now: () => now,
    });

    now += 3_600_000;
    expect(await reminders.run()).toBe(0);
    now += 3 * 3_600_000;
    expect(await reminders.run()).toBe(1);
    expect(await reminders.run()).toBe(0);
    expect(woken).toEqual(['slack']);
    // The reminder waits behind the group's firing message (same order key).
    const [first] = await store.claim('slack', 10, 60_000);
    await store.markDelivered(first!.id);
    const [second] = await store.claim('slack', 10, 60_000);
    const reminder = JSON.parse(second!.body) as { kind: string; note: string; alerts: Array<{ status: string }> };
    expect(reminder).toMatchObject({ kind: 'group', note: 'Reminder: still firing after 4 h and not acknowledged.', alerts: [{ status: 'firing' }] });
    expect(await store.claim('pagerduty', 10, 60_000).then((items) => items.length)).toBe(1);

    // An acknowledged alert is not repeated.
    await store.putAck({ fingerprint: alert.fingerprint, startsAt: alert.startsAt, by: 'alice', at: new Date(now).toISOString(), comment: '' });
    now += 4 * 3_600_000;
    expect(await reminders.run()).toBe(0);
    await store.withdrawAck(alert.fingerprint, alert.startsAt);
    expect(await reminders.run()).toBe(1);
    await store.close();
  });
});
