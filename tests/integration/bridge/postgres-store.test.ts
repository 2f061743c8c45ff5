import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../src/bridge/store/open.js';
import { PostgresStore } from '../../../src/bridge/store/postgres.js';
import { bridgeSchema } from '../../../src/config/sections/bridge.js';
import { createLogger } from '../../../src/log.js';
import type { BridgeStore } from '../../../src/bridge/store/types.js';
import { requirePostgres, startPostgres, type RunningPostgres } from '../../support/postgres.js';
import { describeStoreContract } from '../../unit/bridge/store/contract.js';

const binDir = requirePostgres();

describe.skipIf(binDir === undefined)('PostgreSQL store', () => {
  let server: RunningPostgres;
  let database: string;
  let schemas = 0;
  beforeAll(async () => {
    server = await startPostgres(binDir!);
    database = await server.createDatabase('contract');
  });
  afterAll(() => server?.destroy());

  /** A fresh schema per case (the store's tables land in the URL's search_path): cheaper than a database each. */
  const freshDatabase = async () => {
    const schema = `case_${++schemas}`;
    const client = new pg.Client({ connectionString: database });
    await client.connect();
    await client.query(`CREATE SCHEMA ${schema}`);
    await client.end();
    return `${database}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  };

  describeStoreContract('PostgreSQL', async () => {
    const url = await freshDatabase();
    let now = Date.parse('2024-05-01T12:00:00Z');
    const clock = { now: () => now, advance: (ms: number) => void (now += ms) };
    const open = () => PostgresStore.open({ url, poolSize: 4 }, clock.now);
    const stores: BridgeStore[] = [];
    const track = async (store: Promise<BridgeStore>) => {
      stores.push(await store);
      return stores.at(-1)!;
    };
    const store = await track(open());
    return {
      store,
      clock,
      replica: () => track(open()),
      reopen: async () => {
        await store.close();
        return track(open());
      },
      cleanup: async () => {
        for (const s of stores) await s.close();
      },
    };
  });

  it('hands each due escalation and each ack to one replica when two ask at the same moment', async () => {
    const url = await freshDatabase();
    const [a, b] = await Promise.all([PostgresStore.open({ url, poolSize: 4 }), PostgresStore.open({ url, poolSize: 4 })]);
    try {
      const startsAt = '2024-05-01T12:00:00Z';
      const events = Array.from({ length: 30 }, (_, i) => ({
        fingerprint: `e${i}`,
        status: 'firing' as const,
        startsAt,
        endsAt: '0001-01-01T00:00:00Z',
        alertname: 'Esc',
        severity: 'critical',
        labels: { alertname: 'Esc', i: String(i) },
        annotations: {},
        generatorURL: '',
        groupKey: 'g',
        externalURL: '',
        escalateAt: 1000,
      }));
      await a.intake([{ events, deliveries: [] }]);
      const taken = (await Promise.all([a.takeDueEscalations(2000, 20), b.takeDueEscalations(2000, 20)])).flat().map((x) => x.fingerprint);
      expect(taken.sort()).toEqual(events.map((e) => e.fingerprint).sort());
      const acks = await Promise.all(
        ['alice', 'bob'].flatMap((by) => [a, b].map((store) => store.putAck({ fingerprint: 'e1', startsAt, by, at: '2024-05-01T12:01:00.000Z', comment: by }))),
      );
      expect(acks.filter((x) => x.created)).toHaveLength(1);
      expect(new Set(acks.map((x) => x.ack.by)).size).toBe(1);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('migrates once when two replicas start at once, and records the version', async () => {
    const url = await freshDatabase();
    const stores = await Promise.all([PostgresStore.open({ url, poolSize: 2 }), PostgresStore.open({ url, poolSize: 2 })]);
    const { rows } = await stores[0].pool.query('SELECT version FROM schema_migrations ORDER BY version');
    expect(rows.map((r: { version: number }) => r.version)).toEqual([1]);
    for (const store of stores) await store.close();
  });

  it('refuses a database migrated by a newer ide-monitor', async () => {
    const url = await freshDatabase();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(
      'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL); INSERT INTO schema_migrations VALUES (99, 0)',
    );
    await client.end();
    await expect(PostgresStore.open({ url, poolSize: 1 })).rejects.toThrow(/migrated by a newer ide-monitor \(schema 99\)/);
  });

  it('opens the store the config names: the URL from bridge.database.url_file, the password from password_file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bridge-secrets-'));
    try {
      const url = await freshDatabase();
      writeFileSync(path.join(dir, 'url'), `${url}\n`);
      writeFileSync(path.join(dir, 'password'), 'not-checked-by-trust-auth\n');
      const config = bridgeSchema.parse({ database: { url_file: path.join(dir, 'url'), password_file: path.join(dir, 'password'), pool_size: 2 } });
      const store = await openStore(config, createLogger({ level: 'error', format: 'logfmt' }, new PassThrough()));
      expect(store.kind).toBe('postgres');
      await store.ping();
      await store.close();
      writeFileSync(path.join(dir, 'url'), 'mysql://nope\n');
      await expect(openStore(config, createLogger({ level: 'error', format: 'logfmt' }, new PassThrough()))).rejects.toThrow(
        /^bridge\.database\.url_file: the file must hold a postgres:\/\/ or postgresql:\/\/ URL$/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails to open with a one-line reason naming the setting, without the password', async () => {
    const url = `postgres://postgres:hunter2@127.0.0.1:${server.port}/no_such_db`;
    const error = await PostgresStore.open({ url, poolSize: 1 }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/^cannot connect to the bridge database 127\.0\.0\.1:\d+\/no_such_db \(bridge\.database\.url\): .*no_such_db/);
    expect((error as Error).message).not.toContain('hunter2');
  });
});
