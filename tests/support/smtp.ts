import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.mjs';
import { startProcess, type RunningProcess } from './process.mjs';

/** Debian's python3-aiosmtpd is a module of the system Python (a pyenv `python3` on PATH does not have it). */
const SYSTEM_PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./smtp_sink.py', import.meta.url));
const TLS_DIR = fileURLToPath(new URL('../fixtures/tls/', import.meta.url));
/** The test server's certificate is self-signed: it is its own CA. */
export const TEST_CA_FILE = path.join(TLS_DIR, 'server.crt');
export const SMTP_USER = 'bridge@example.org';
export const SMTP_PASSWORD = 'smtp-password-for-tests-7c1e';

/** Whether aiosmtpd can be run (scripts/install-test-deps.sh installs it). */
export function hasAiosmtpd(): boolean {
  return existsSync(SYSTEM_PYTHON) && spawnSync(SYSTEM_PYTHON, ['-c', 'import aiosmtpd'], { stdio: 'ignore' }).status === 0;
}

/** One message as the SMTP server received and parsed it. */
interface ReceivedMail {
  readonly mail_from: string;
  readonly rcpt_tos: string[];
  /** STARTTLS was done before the message. */
  readonly tls: boolean;
  readonly authenticated: boolean;
  readonly login: string | null;
  readonly content_type: string;
  readonly headers: Record<string, string>;
  readonly parts: Array<{ content_type: string; charset: string | null; transfer_encoding: string | null; content: string }>;
  /** The raw message. */
  readonly raw: string;
}

export interface SmtpServer {
  readonly host: string;
  readonly port: number;
  /** Every message received so far, in order. */
  messages(): ReceivedMail[];
  output(): string;
  stop(): Promise<void>;
}

/** A real SMTP server (aiosmtpd) on 127.0.0.1 requiring STARTTLS (the test certificate) and AUTH. */
export async function startSmtpServer(): Promise<SmtpServer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ide-monitor-smtp-'));
  const port = await freePort();
  const child: RunningProcess = startProcess(
    SYSTEM_PYTHON,
    [SCRIPT, String(port), dir, path.join(TLS_DIR, 'server.crt'), path.join(TLS_DIR, 'server.key'), SMTP_USER, SMTP_PASSWORD],
    { name: 'the SMTP server' },
  );
  try {
    await child.waitReady('to start', () => child.output().includes('READY'), 15_000);
  } catch (error) {
    await child.stop();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    host: '127.0.0.1',
    port,
    messages: () =>
      readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .sort()
        .map((f) => ({
          ...(JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as Omit<ReceivedMail, 'raw'>),
          raw: readFileSync(path.join(dir, f.replace(/\.json$/, '.eml')), 'utf8'),
        })),
    output: () => child.output(),
    async stop() {
      await child.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
