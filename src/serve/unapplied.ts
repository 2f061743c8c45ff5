/**
 * The settings of a section that differ between the configuration a feature started with and a reloaded
 * one, except those the feature applies live: what a reload must name as "changes only on restart".
 * `live` holds dotted paths inside the section (`routes`, `webhook.token`); a path's parent is walked
 * into so its other keys are still compared. The section's `enabled` is left to serve's own list.
 */
export function unappliedChanges(section: string, started: unknown, next: unknown, live: readonly string[]): string[] {
  const changed: string[] = [];
  const walk = (path: string, a: unknown, b: unknown) => {
    // A section's `enabled` is serve's to name (it names it for a feature that is not running, too).
    if (live.includes(path) || path === 'enabled') return;
    const descend = path === '' || live.some((l) => l.startsWith(`${path}.`));
    if (descend && isRecord(a) && isRecord(b)) {
      for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) walk(path === '' ? key : `${path}.${key}`, a[key], b[key]);
      return;
    }
    if (JSON.stringify(a) !== JSON.stringify(b)) changed.push(path === '' ? section : `${section}.${path}`);
  };
  walk('', started, next);
  return changed;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
