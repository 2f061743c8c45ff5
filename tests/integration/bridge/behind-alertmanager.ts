import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startAlertmanager, type RunningAlertmanager } from '../../support/alertmanager.mjs';
import { freePort } from '../../support/ports.mjs';
import type { Teardown } from '../../support/teardown.js';
import { TOKEN, webhookUrl } from './bridge-process.js';

export interface AlertmanagerForBridge {
  /** A throw-away outbox directory, kept across bridge restarts. */
  readonly dataDir: string;
  /** The port reserved for the bridge: Alertmanager's webhook URL must stay valid across a restart. */
  readonly port: number;
  readonly am: RunningAlertmanager;
}

/**
 * A real Alertmanager that posts to the bridge's webhook (with its bearer token) on a port reserved for
 * the bridge, which the test starts afterwards with `startBridge({ port, dataDir, … })`. Cleanup of both
 * the directory and Alertmanager is registered on `teardown`.
 */
export async function alertmanagerForBridge(teardown: Teardown, binary: string, dataDirPrefix: string): Promise<AlertmanagerForBridge> {
  const dataDir = mkdtempSync(path.join(tmpdir(), dataDirPrefix));
  teardown.add(() => rmSync(dataDir, { recursive: true, force: true }));
  const port = await freePort();
  const am = await startAlertmanager({ binary, webhookUrl: webhookUrl(port), token: TOKEN });
  teardown.add(() => am.stop());
  return { dataDir, port, am };
}
