import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PAGE_CACHE_KIB, SqliteStore } from '../../../../src/bridge/store/sqlite.js';
import { describeStoreContract } from './contract.js';

describeStoreContract('SQLite', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bridge-store-'));
  let now = Date.parse('2024-05-01T12:00:00Z');
  const clock = { now: () => now, advance: (ms: number) => void (now += ms) };
  let store = new SqliteStore(dir, clock.now);
  return {
    store,
    clock,
    reopen: async () => {
      await store.close();
      store = new SqliteStore(dir, clock.now);
      return store;
    },
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('the SQLite store on disk', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps its files readable by their owner only: they hold alerts, the audit log and action output', async () => {
    const parent = mkdtempSync(path.join(tmpdir(), 'bridge-store-'));
    dirs.push(parent);
    const dir = path.join(parent, 'data');
    const store = new SqliteStore(dir);
    await store.audit('ack', 'x', {});
    await store.close();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const name of readdirSync(dir)) expect(statSync(path.join(dir, name)).mode & 0o777, name).toBe(0o600);
  });

  it('narrows an existing data dir to 0700', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bridge-store-'));
    dirs.push(dir);
    chmodSync(dir, 0o755);
    await new SqliteStore(dir).close();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('refuses a data dir that is a symlink, leaving what it points at untouched', () => {
    const parent = mkdtempSync(path.join(tmpdir(), 'bridge-store-'));
    dirs.push(parent);
    const target = path.join(parent, 'elsewhere');
    mkdirSync(target, { mode: 0o700 });
    writeFileSync(path.join(target, 'bridge.sqlite'), 'precious');
    symlinkSync(target, path.join(parent, 'data'));
    expect(() => new SqliteStore(path.join(parent, 'data'))).toThrow(
      /^bridge\.data_dir: .*\/data is a symbolic link; set bridge\.data_dir \(flag --data-dir, env IDE_MONITOR_DATA_DIR\)/,
    );
    expect(readFileSync(path.join(target, 'bridge.sqlite'), 'utf8')).toBe('precious');
  });

  it('refuses a data dir writable by its group or by everyone', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bridge-store-'));
    dirs.push(dir);
    chmodSync(dir, 0o775);
    expect(() => new SqliteStore(dir)).toThrow(/^bridge\.data_dir: .* is writable by its group or by everyone \(mode 775; chmod 700 it\)/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("refuses a data dir owned by another user (as root: one chowned to nobody; otherwise: root's /usr)", () => {
    let dir = '/usr';
    if (process.getuid?.() === 0) {
      dir = mkdtempSync(path.join(tmpdir(), 'bridge-store-'));
      dirs.push(dir);
      chmodSync(dir, 0o700);
      chownSync(dir, 65534, 65534);
    }
    expect(() => new SqliteStore(dir)).toThrow(/^bridge\.data_dir: .* is owned by uid \d+, not by this user \(uid \d+\)/);
    if (dir !== '/usr') expect(readdirSync(dir)).toEqual([]);
  });

  it("sets SQLite's page cache to 2 MB (cache_size -2000), not the 16 MB better-sqlite3 builds in", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bridge-store-'));
    dirs.push(dir);
    const store = new SqliteStore(dir);
    expect(store.db.pragma('cache_size', { simple: true })).toBe(-2000);
    expect(PAGE_CACHE_KIB).toBe(2000);
    await store.close();
  });

  it('migrates a schema-1 outbox written by the previous release, keeping its rows', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bridge-store-'));
    dirs.push(dir);
    const store = new SqliteStore(dir);
    await store.intake([{ events: [], deliveries: [{ channel: 'slack', dedupKey: 'k', orderKey: 'g', body: '{}', fingerprints: [], ifNew: [] }] }]);
    // Back to what release 1 wrote: version 1 and without the lifecycle tables and columns.
    store.db.exec(
      'DROP TABLE acks; DROP TABLE action_triggers; DROP INDEX alerts_firing; DROP INDEX alerts_escalation; ALTER TABLE outbox DROP COLUMN lease_until; ALTER TABLE alerts DROP COLUMN escalate_at; ALTER TABLE alerts DROP COLUMN escalated_at; ALTER TABLE alerts DROP COLUMN resolution; PRAGMA user_version = 1',
    );
    await store.close();
    const migrated = new SqliteStore(dir);
    expect(migrated.db.pragma('user_version', { simple: true })).toBe(2);
    expect((await migrated.claim('slack', 10, 1000)).map((i) => i.dedupKey)).toEqual(['k']);
    await migrated.close();
  });
});
