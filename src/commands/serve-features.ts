import type { LspControl } from '../ingest/control.js';
import type { ActiveAlertsView, FeatureContext, ServeFeature } from '../serve/feature.js';

/** The enabled features, in mount order; each module is imported only when enabled. */
export async function createFeatures(ctx: FeatureContext): Promise<ServeFeature[]> {
  const features: ServeFeature[] = [];
  let lspControl: LspControl | undefined;
  if (ctx.config.ingest.enabled) {
    const ingest = (await import('../ingest/feature.js')).createIngestFeature(ctx);
    features.push(ingest);
    lspControl = ingest.control;
  }
  let alerts: ActiveAlertsView | undefined;
  if (ctx.config.bridge.enabled) {
    const bridge = await (await import('../bridge/feature.js')).createBridgeFeature({ ...ctx, ...(lspControl !== undefined && { lspControl }) });
    features.push(bridge);
    alerts = bridge;
  }
  if (ctx.config.status.enabled) features.push((await import('../status/feature.js')).createStatusFeature({ ...ctx, alerts }));
  // Always created, so a reload can add the first remote_write URL; idle (no timer, no queue) without one.
  features.push((await import('../remote-write/feature.js')).createRemoteWriteFeature(ctx));
  return features;
}
