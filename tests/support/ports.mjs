// Loopback ports and bounded waits, shared by the tests, bench/, soak/ and scripts/stack.mjs (plain JS so
// the .mjs scripts import it without a build; types in ports.d.mts).
import { createServer } from 'node:net';

/** An ephemeral port on 127.0.0.1 that was free a moment ago (for programs that need one on the command line). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Thrown by a probe when waiting longer cannot help (the process it waits for has exited). */
export class StopWaiting extends Error {}

/** Polls `probe` until it resolves true, at most `timeoutMs`; bounded, so a broken start fails instead of hanging. */
export async function waitFor(what, probe, timeoutMs = 15_000, everyMs = 100) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    try {
      if (await probe()) return;
    } catch (error) {
      if (error instanceof StopWaiting) throw error;
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${lastError instanceof Error ? String(lastError) : JSON.stringify(lastError)}` : ''}`,
  );
}
