import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { BridgeMetrics } from '../../../src/bridge/metrics.js';
import type { BridgeStore } from '../../../src/bridge/store/types.js';

describe('the bridge metrics', () => {
  it('read the outbox once per scrape for both outbox gauges, fresh on the next scrape, and keep the last values when the store fails', async () => {
    let calls = 0;
    let fail = false;
    const store = {
      pendingStats: async () => {
        calls += 1;
        if (fail) throw Object.assign(new Error('down'), { code: 'ECONNREFUSED' });
        return [{ channel: 'slack', pending: calls, oldestCreatedAt: Date.now() - 3000 }];
      },
    } as unknown as BridgeStore;
    const registry = new Registry();
    new BridgeMetrics(registry, () => store, ['slack']);
    const first = await registry.metrics();
    expect(calls).toBe(1);
    expect(first).toContain('ide_bridge_outbox_pending{channel="slack"} 1');
    // The entry is 3 s old when the store is read; exposition prints the age as it is (3, or 3.004).
    const age = Number(/ide_bridge_outbox_oldest_age_seconds\{channel="slack"\} (\S+)/.exec(first)?.[1]);
    expect(age).toBeGreaterThanOrEqual(2.9);
    expect(age).toBeLessThan(4);
    expect(await registry.metrics()).toContain('ide_bridge_outbox_pending{channel="slack"} 2');
    expect(calls).toBe(2);
    fail = true;
    expect(await registry.metrics()).toContain('ide_bridge_outbox_pending{channel="slack"} 2');
  });
});
