import { z } from 'zod';
import { enabled } from '../schema-types.js';
import type { Setting } from '../settings.js';

/** `bridge:` — the Alertmanager webhook receiver and its channels, actions and outbox. */
export const bridgeSchema = z
  .strictObject({
    enabled: enabled(true),
  })
  .prefault({});

export const BRIDGE_SETTINGS: readonly Setting[] = [];
