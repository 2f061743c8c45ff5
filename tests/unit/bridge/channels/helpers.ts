import { Registry } from 'prom-client';
import { expect } from 'vitest';
import type { AnyChannel } from '../../../../src/bridge/channels/definition.js';
import type { Notifier } from '../../../../src/bridge/channels/notifier.js';
import { silentLogger } from '../../../../src/log.js';
import { stringsIn } from '../fixtures.js';

/** A channel's notifier from a `bridge.channels.<name>` section as YAML would give it. */
export function notifierOf(channel: AnyChannel, section: Record<string, unknown>, registry = new Registry()): Notifier {
  const config = channel.schema.parse(section);
  const notifier = channel.create(config, { logger: silentLogger, registry });
  if (notifier === undefined) throw new Error(`${channel.name} is not configured by ${JSON.stringify(section)}`);
  return notifier;
}

/** No text of the value holds half a surrogate pair (a cut through an emoji). */
export function expectWholeCodePoints(value: unknown): void {
  const broken = stringsIn(value).filter(hasLoneSurrogate);
  expect(broken.map((s) => s.slice(-20))).toEqual([]);
}

/** A high or low surrogate without its other half: invalid UTF-16, shown as garbage or refused by the services. */
function hasLoneSurrogate(text: string): boolean {
  return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}
