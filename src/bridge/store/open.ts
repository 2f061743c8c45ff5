import path from 'node:path';
import type { BridgeConfig } from '../../config/sections/bridge.js';
import { resolveSecret } from '../../config/secret-file.js';
import type { Logger } from '../../log.js';
import { SqliteStore } from './sqlite.js';
import type { BridgeStore } from './types.js';

/** The store the config names: PostgreSQL (shared by replicas) when a database URL is set, else SQLite in the data dir. */
export async function openStore(config: BridgeConfig, logger: Logger): Promise<BridgeStore> {
  const url = resolveSecret('bridge.database.url', config.database.url, config.database.url_file);
  if (url === undefined) return new SqliteStore(path.resolve(config.data_dir));
  if (!/^postgres(ql)?:\/\//.test(url)) throw new Error('bridge.database.url_file: the file must hold a postgres:// or postgresql:// URL');
  // Imported here: pg costs ~13 MB of resident memory, and most installations use SQLite.
  const { PostgresStore } = await import('./postgres.js');
  return PostgresStore.open({
    url,
    password: resolveSecret('bridge.database.password', config.database.password, config.database.password_file),
    poolSize: config.database.pool_size,
    // A connection that broke while idle (PostgreSQL restarted) is dropped by the pool; the next query opens a new one.
    onIdleError: (error) => logger.warn({ err: error.message }, 'bridge database connection lost; reconnecting on the next query'),
  });
}
