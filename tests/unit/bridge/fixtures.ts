import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CHANNELS } from '../../../src/bridge/channels/registry.js';
import type { IntakeChannel } from '../../../src/bridge/intake.js';

export const AM_FIXTURES = fileURLToPath(new URL('../../fixtures/alertmanager/', import.meta.url));
export const GOLDEN = fileURLToPath(new URL('../../fixtures/bridge/golden/', import.meta.url));

/** The payloads captured from the real Alertmanager (tests/fixtures/alertmanager/capture.mjs). */
export function amFixtures(): Array<{ name: string; body: unknown }> {
  return readdirSync(AM_FIXTURES)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ name: f.replace(/\.json$/, ''), body: JSON.parse(readFileSync(`${AM_FIXTURES}${f}`, 'utf8')) as unknown }));
}

export function amFixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(`${AM_FIXTURES}${name}.json`, 'utf8')) as Record<string, unknown>;
}

/** Channels as the feature configures them, without endpoints: the intake only reads unit and send_resolved. */
export function channelsNamed(...names: string[]): Map<string, IntakeChannel> {
  return new Map(names.map((name) => [name, { definition: CHANNELS.find((c) => c.name === name)!, sendResolved: true }]));
}
