// A throw-away PostgreSQL cluster for integration tests and the bridge benchmark (plain JS so bench/ can
// import it too; types in postgres-cluster.d.mts). See tests/support/postgres.ts for the test-side helpers.
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from './ports.mjs';

const OWNER = 'postgres';

/** Where Debian's postgresql package puts initdb and pg_ctl (not on PATH): the newest version installed. */
export function postgresBinDir() {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(path.join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : path.join(root, versions[0], 'bin');
}

/**
 * initdb in a temp dir owned by the `postgres` user (initdb refuses to run as root; runuser drops to it
 * without a password or a login shell), listening on 127.0.0.1 only on a free port, its socket in the same
 * dir, trust auth, fsync on (the store's durability is part of what is measured). ~2-3 s to create.
 */
export async function startPostgres(binDir) {
  const dir = mkdtempSync(path.join(tmpdir(), 'pg-test-'));
  const dataDir = path.join(dir, 'data');
  const asOwner = process.getuid?.() === 0;
  const owner = asOwner ? { uid: idOf('-u'), gid: idOf('-g') } : undefined;
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const run = (program, args) => {
    const command = path.join(binDir, program);
    execFileSync(asOwner ? 'runuser' : command, asOwner ? ['-u', OWNER, '--', command, ...args] : args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  };
  const port = await freePort();
  try {
    run('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--no-instructions', '-E', 'UTF8', '--locale=C']);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${stderrOf(error)}`, { cause: error });
  }
  const settings = path.join(dataDir, 'postgresql.auto.conf');
  writeFileSync(
    settings,
    [`listen_addresses = '127.0.0.1'`, `port = ${port}`, `unix_socket_directories = '${dir}'`, 'max_connections = 100', 'shared_buffers = 32MB'].join('\n') +
      '\n',
  );
  if (owner) chownSync(settings, owner.uid, owner.gid);
  const logFile = path.join(dir, 'server.log');
  const start = () => {
    try {
      run('pg_ctl', ['start', '-D', dataDir, '-l', logFile, '-w', '-t', '30']);
    } catch (error) {
      throw new Error(`pg_ctl start failed: ${stderrOf(error)}`, { cause: error });
    }
  };
  const stop = () => {
    try {
      run('pg_ctl', ['stop', '-D', dataDir, '-m', 'immediate', '-w', '-t', '30']);
    } catch {
      // Already stopped.
    }
  };
  try {
    start();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    port,
    async createDatabase(name) {
      const admin = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
      } finally {
        await admin.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    stop,
    start,
    destroy() {
      stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function stderrOf(error) {
  return error?.stderr?.toString().trim() || error.message;
}

function idOf(flag) {
  return Number(execFileSync('id', [flag, OWNER], { encoding: 'utf8' }).trim());
}
