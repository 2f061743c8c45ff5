/**
 * Why each alert has the thresholds, `for` and severities it has, compared with node-mixin and
 * kubernetes-mixin where they have a counterpart. Rendered into docs/alerts.md; a unit test requires one
 * entry per shipped alert, so a new alert cannot ship without its reasoning.
 */
export const SEVERITY_POLICY = [
  'Severities follow what the person receiving the alert must do, not how far a number is from its limit:',
  '`critical` pages now (something is failing or will within minutes), `high` needs attention within the hour,',
  '`medium` within the working day, `low` is a trend to look at. node-mixin and kubernetes-mixin use',
  '`critical`, `warning` and `info`; we map their `critical` to `critical` where the machine or a service is',
  'about to fail and to `high` where it is hours away, their `warning` to `medium` (or `high` when the',
  'failure is near), and their `info` to `low`. Utilisation alone (a busy CPU, memory in use) never pages:',
  'a developer machine runs builds and indexers at full speed every day. Ratios computed from requests have',
  'a minimum-traffic guard, and alerts on growth, predictions and baselines wait for enough history, so a',
  'handful of requests, a young process or a fresh Prometheus cannot fire them. The reasoning below is about',
  'the default thresholds.',
].join('\n');

export const RATIONALE: Readonly<Record<string, string>> = {
  IdeHostCpuHighUsage:
    'node-mixin NodeCPUHighUsage is `info` above 90 % for 15m. Ours: `low` at 90 %/15m, `medium` only after an hour at 95 %, when the IDE is sluggish for real. Was 75/85/95 % for 5m with `critical` at 95 %: a build paged.',
  IdeHostMemoryHighUsage:
    'node-mixin NodeMemoryHighUtilization is `warning` above 90 % for 15m. Ours: `medium` at 90 %, `high` at 95 % (the OOM killer is near and picks the IDE or a language server), both for 15m. Was 75/85/95 % for 5m with `critical`.',
  IdeHostFilesystemAlmostFull:
    'node-mixin NodeFilesystemAlmostOutOfSpace: `warning` below 5 % available, `critical` below 3 %, for 30m. Ours: the same levels as `high` and `critical` (writes fail, caches corrupt). Was 90/95 %.',
  IdeHostFilesystemFillingUp:
    'node-mixin NodeFilesystemSpaceFillingUp: full within 24h and above 60 % used is `warning`, within 4h and above 80 % `critical`, for 1h over a 6h trend. Ours: `medium` and `high`; 4 hours leave time to act.',
  IdeHostFilesystemFilesAlmostExhausted:
    'node-mixin NodeFilesystemAlmostOutOfFiles: `warning` below 5 % of inodes free, `critical` below 3 %, for 1h. Ours: `high` and `critical`. Filesystems without an inode table (0 files) are skipped.',
  IdeHostFilesystemFilesFillingUp: 'node-mixin NodeFilesystemFilesFillingUp, with the same shape and mapping as IdeHostFilesystemFillingUp.',
  IdeHostDiskIoSaturated: 'node-mixin NodeDiskIOSaturation: `warning` above 10 queued requests for 30m. Ours: `medium`, same numbers.',
  IdeHostLoadHigh: 'node-mixin NodeSystemSaturation: `warning` above a 1-minute load of 2 per core for 15m. Ours: `medium`, same numbers.',
  IdeHostFileDescriptorsNearLimit:
    'node-mixin NodeFileDescriptorLimit: `warning` above 70 %, `critical` above 90 %, for 15m. Ours: `medium` and `high`: the system-wide limit is huge on current kernels, so 90 % is a leak to stop within the hour.',
  IdeHostMemoryExhaustionPredicted:
    'No mixin counterpart. `high`: out of memory within 4h. Fires only while used > 50 %, both the 1h and the 15m trend reach 0 within the horizon, and an hour of history exists; a fall that stopped, or a fresh Prometheus, stays quiet.',
  IdeLspCompletionSlow:
    'A budget per method from the spec. `medium` after 10m, and only above 0.05 req/s: the p95 of a handful of requests is their slowest one.',
  IdeLspHoverSlow: 'As IdeLspCompletionSlow.',
  IdeLspDefinitionSlow: 'As IdeLspCompletionSlow.',
  IdeLspReferencesSlow: 'As IdeLspCompletionSlow.',
  IdeLspWorkspaceSymbolSlow: 'As IdeLspCompletionSlow.',
  IdeLspErrorRatioHigh:
    'The spec\u2019s circuit-breaker trigger, kept `critical` after 2m because example actions open a breaker on it; the guard rose from 0.01 to 0.1 req/s (30 requests in 5m), so a few failed requests never page.',
  IdeLspServerDown: 'kubernetes-mixin pages on a component that is down; ours is one developer\u2019s language server: `high` after 1m.',
  IdeLspServerRestarting:
    'kubernetes-mixin KubePodCrashLooping is `warning` after 15m. Ours: `high` on 4 abnormal exits in 15m: completion and navigation are gone while it loops.',
  IdeLspRequestsStuck:
    'No mixin counterpart. `medium` when the oldest unanswered editor request is older than 2m for 2m; was "some request in flight at every evaluation", which a steady stream of fast requests satisfies.',
  IdeLspLatencyAnomaly: 'No mixin counterpart. `low`: a change to understand, not an outage. Needs a baseline at least 6h old and a p95 above 50 ms.',
  IdeLspLatencyRegression: 'No mixin counterpart. `low`, after 1h: a slow regression to look at, above 50 ms only.',
  IdeAppCacheHitRatioLow: '`medium` after 15m, above 0.1 lookups/s only.',
  IdeAppUiRefreshSlow: 'A budget from the spec: `medium` after 10m, above 0.05 refreshes/s only.',
  IdeProcessGroupGone: 'kubernetes-mixin pages on missing replicas after 15m; a missing IDE or language server group is `high` after 2m.',
  IdeProcessMemoryLeak:
    'The spec\u2019s restart trigger (20 %/h): `high` after 30m, only for groups whose oldest process and data are older than 1h; startup growth read as hundreds of percent per hour.',
  IdeProcessRestartLoop: 'kubernetes-mixin KubePodCrashLooping (`warning`, 15m). Ours: `high` on 4 restarts in 15m.',
  IdeExporterDown: 'kubernetes-mixin TargetDown is `warning` after 10m. Ours: `high` after 5m: every other alert for the machine is blind.',
  IdeExporterTargetMissing:
    'kubernetes-mixin\u2019s absent(up{job=…}) alerts (KubeletDown, …) are `critical` after 15m. Ours: `high` after 10m, also for a single target gone from discovery within the last hour.',
  IdeExporterCollectorFailing:
    'node-mixin NodeTextFileCollectorScrapeError is `warning`. Ours: `medium` after 10m; the missing metrics blind some alerts only.',
  IdeBridgeDeliveryFailing: '`high` after 5m: notifications that fail are alerts nobody sees.',
  IdeBridgeOutboxBacklogGrowing: '`medium` after 15m of growth above 10 pending notifications.',
  IdeLspProxyDroppingObservations: '`low`: LSP metrics undercount; nothing fails.',
};
