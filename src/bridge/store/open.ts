import path from 'node:path';
import type { BridgeConfig } from '../../config/sections/bridge.js';
import type { Logger } from '../../log.js';
import { SqliteStore } from './sqlite.js';
import type { BridgeStore } from './types.js';

/** The store the config names: PostgreSQL (shared by replicas) when a database URL is set, else SQLite in the data dir. */
export async function openStore(config: BridgeConfig, _logger: Logger): Promise<BridgeStore> {
  if (config.database.url !== undefined || config.database.url_file !== undefined) {
    throw new Error('bridge.database.url: the PostgreSQL store is not available in this build');
  }
  return new SqliteStore(path.resolve(config.data_dir));
}
