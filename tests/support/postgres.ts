import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from './ports.js';

/** Where Debian's postgresql package puts initdb and pg_ctl (not on PATH): the newest version installed. */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(path.join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : path.join(root, versions[0], 'bin');
}

/** Like requireBinary: missing in CI fails, missing on a developer's machine skips with a visible line. */
export function requirePostgres(): string | undefined {
  const found = postgresBinDir();
  if (found !== undefined) return found;
  const message = 'needs postgresql (/usr/lib/postgresql/*/bin/initdb); run scripts/install-test-deps.sh';
  if (process.env['CI'] === 'true') throw new Error(`CI must not skip: ${message}`);
  console.warn(`SKIPPED: ${message}`);
  return undefined;
}

export interface RunningPostgres {
  readonly port: number;
  /** A new, empty database on the cluster; its URL (user postgres, trust auth on loopback). */
  createDatabase(name: string): Promise<string>;
  /** `pg_ctl restart -m fast`-like, split so a test can act while the server is down. */
  stop(): void;
  start(): void;
  /** Stops the server at once and removes its directory. */
  destroy(): void;
}

const OWNER = 'postgres';

/**
 * A throw-away PostgreSQL cluster: initdb in a temp dir owned by the `postgres` user (initdb refuses to
 * run as root), listening on 127.0.0.1 only on a free port, its socket in the same dir, trust auth on
 * loopback, fsync on (the store's durability is what is tested). ~2-3 s to create; start one per file.
 */
export async function startPostgres(binDir: string): Promise<RunningPostgres> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pg-test-'));
  const dataDir = path.join(dir, 'data');
  const asOwner = process.getuid?.() === 0;
  if (asOwner) chownSync(dir, uid(OWNER), gid(OWNER));
  const run = (program: string, args: string[]) => {
    const command = path.join(binDir, program);
    // runuser (util-linux) drops root to the postgres user without a password or a login shell.
    execFileSync(asOwner ? 'runuser' : command, asOwner ? ['-u', OWNER, '--', command, ...args] : args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  };
  const port = await freePort();
  try {
    run('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--no-instructions', '-E', 'UTF8', '--locale=C']);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${stderrOf(error)}`);
  }
  writeFileSync(
    path.join(dataDir, 'postgresql.auto.conf'),
    [`listen_addresses = '127.0.0.1'`, `port = ${port}`, `unix_socket_directories = '${dir}'`, 'max_connections = 100', 'shared_buffers = 32MB', 'logging_collector = off'].join('\n') + '\n',
  );
  if (asOwner) chownSync(path.join(dataDir, 'postgresql.auto.conf'), uid(OWNER), gid(OWNER));
  const logFile = path.join(dir, 'server.log');
  const start = () => {
    try {
      run('pg_ctl', ['start', '-D', dataDir, '-l', logFile, '-w', '-t', '30']);
    } catch (error) {
      throw new Error(`pg_ctl start failed: ${stderrOf(error)}`);
    }
  };
  const stop = () => {
    try {
      run('pg_ctl', ['stop', '-D', dataDir, '-m', 'immediate', '-w', '-t', '30']);
    } catch {
      // Already stopped.
    }
  };
  start();
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

function stderrOf(error: unknown): string {
  const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
  return stderr || (error as Error).message;
}

function uid(user: string): number {
  return Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
}

function gid(user: string): number {
  return Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
}
