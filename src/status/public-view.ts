import type { HealthBar } from './health.js';
import type { Snapshot } from './snapshot.js';

/**
 * The status page as callers who are not signed in see it with `access.public_status`: how healthy things
 * are and how many alerts fire at which severity. Nothing that names a host, a mount point, an alert, a
 * label, a language server, an LSP method, an operation or a cache.
 */
export function publicSnapshot(full: Snapshot): Snapshot & { readonly public: true } {
  const bar = (b: HealthBar): HealthBar => ({ ...b, detail: '' });
  return {
    ...full,
    public: true,
    health: { cpu: bar(full.health.cpu), memory: bar(full.health.memory), disk: bar(full.health.disk), lsp: bar(full.health.lsp) },
    alerts: { ...full.alerts, items: [] },
    operations: [],
    applications: [],
    caches: [],
    processes: null,
    servers: [],
    point: full.point === null ? null : { ...full.point, lsp: {} },
  };
}

/** The history without the per-method LSP series. */
export function publicHistory(json: string): string {
  return JSON.stringify({ ...(JSON.parse(json) as Record<string, unknown>), lsp: {} });
}
