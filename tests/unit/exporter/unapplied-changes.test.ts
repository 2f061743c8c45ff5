import { describe, expect, it } from 'vitest';
import { unappliedChanges } from '../../../src/serve/unapplied.js';

describe('the settings a reload cannot apply', () => {
  const started = { routes: [1], retention: 7, webhook: { token: 'a', max_body: 10 }, alertmanager: { url: 'x' } };
  const live = ['routes', 'webhook.token'];

  it('names each changed setting by its path, except the live ones and the parents walked into', () => {
    const next = { routes: [2], retention: 1, webhook: { token: 'b', max_body: 20 }, alertmanager: { url: 'x' } };
    expect(unappliedChanges('bridge', started, next, live)).toEqual(['bridge.retention', 'bridge.webhook.max_body']);
  });

  it('is empty when only live settings changed, and names a key that appeared or went away', () => {
    expect(unappliedChanges('bridge', started, { ...started, routes: [], webhook: { token: 'c', max_body: 10 } }, live)).toEqual([]);
    expect(unappliedChanges('bridge', started, { ...started, database: { url: 'postgres://x' } }, live)).toEqual(['bridge.database']);
  });

  it("leaves the section's enabled to serve, which names it once for running and stopped features alike", () => {
    expect(unappliedChanges('status', { enabled: true, interval: 1000 }, { enabled: false, interval: 2000 }, [])).toEqual(['status.interval']);
  });
});
