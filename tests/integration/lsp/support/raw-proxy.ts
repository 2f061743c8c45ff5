import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CLI } from '../../../support/exporter.js';

export const ECHO_SERVER = fileURLToPath(new URL('../../../fixtures/lsp-servers/echo-server.mjs', import.meta.url));
export const MISBEHAVING_SERVER = fileURLToPath(new URL('../../../fixtures/lsp-servers/misbehaving-server.mjs', import.meta.url));

export function frame(message: unknown): Buffer {
  const body = Buffer.isBuffer(message) ? message : Buffer.from(typeof message === 'string' ? message : JSON.stringify(message), 'utf8');
  return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'latin1'), body]);
}

export interface RawMessage {
  readonly raw: Buffer;
  readonly body: Buffer;
  readonly json: Record<string, unknown> | undefined;
}

/**
 * `ide-monitor lsp-proxy` (the built CLI) driven at the byte level: what the tests write is exactly what
 * the proxy reads, and `stdout()` is exactly what it wrote.
 */
export class RawProxy {
  readonly child: ChildProcessWithoutNullStreams;
  private out: Buffer[] = [];
  private err = '';
  readonly exited: Promise<number | null>;
  private waiters: (() => void)[] = [];

  constructor(proxyArgs: readonly string[], server: readonly string[], env: NodeJS.ProcessEnv = {}) {
    this.child = spawn(process.execPath, [CLI, 'lsp-proxy', ...proxyArgs, '--', ...server], { env: { ...process.env, ...env } });
    this.child.stdout.on('data', (d: Buffer) => {
      this.out.push(d);
      for (const w of this.waiters.splice(0)) w();
    });
    this.child.stderr.on('data', (d: Buffer) => (this.err += d.toString()));
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  write(bytes: Buffer): void {
    this.child.stdin.write(bytes);
  }

  send(message: unknown): void {
    this.write(frame(message));
  }

  stdout(): Buffer {
    return Buffer.concat(this.out);
  }

  stderr(): string {
    return this.err;
  }

  /** Every complete message written so far. */
  messages(): RawMessage[] {
    const data = this.stdout();
    const found: RawMessage[] = [];
    let at = 0;
    for (;;) {
      const end = data.indexOf('\r\n\r\n', at);
      if (end < 0) break;
      const length = Number(/Content-Length: (\d+)/.exec(data.toString('latin1', at, end))?.[1]);
      if (data.length < end + 4 + length) break;
      const body = data.subarray(end + 4, end + 4 + length);
      let json: Record<string, unknown> | undefined;
      try {
        json = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
      } catch {
        json = undefined;
      }
      found.push({ raw: data.subarray(at, end + 4 + length), body, json });
      at = end + 4 + length;
    }
    return found;
  }

  /** Waits (bounded) for a message matching `predicate`. */
  async waitFor(predicate: (m: RawMessage) => boolean, timeoutMs = 5000): Promise<RawMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.messages().find(predicate);
      if (hit !== undefined) return hit;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching message within ${timeoutMs} ms; stderr: ${this.err}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** A request and its response (by id). */
  async request(id: number | string, method: string, params?: unknown): Promise<Record<string, unknown>> {
    this.send({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) });
    const m = await this.waitFor((x) => x.json !== undefined && x.json['id'] === id && x.json['method'] === undefined);
    return m.json!;
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}
