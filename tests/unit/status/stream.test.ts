import express from 'express';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { StreamHub, sseFrame } from '../../../src/status/stream.js';
import { waitFor } from '../../support/ports.mjs';
import { Teardown } from '../../support/teardown.js';
import { recordingLogger } from '../collectors/support.js';

const teardown = new Teardown();
afterEach(() => teardown.run());

/** A hub behind a real HTTP server, with its warnings captured. */
async function hubOnServer(maxBufferedBytes: number) {
  const { logger, records } = recordingLogger();
  const hub = new StreamHub({ maxClients: 10, maxBufferedBytes, retryMs: 1000, logger });
  const app = express();
  app.get('/stream', (req, res) => hub.open(req, res, sseFrame(0, '{}')));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  teardown.add(() => {
    hub.closeAll();
    server.close();
    server.closeAllConnections();
  });
  return { hub, records, port: (server.address() as AddressInfo).port };
}

describe('status stream hub (SECURITY.md: a reader more than maxBufferedBytes behind is cut)', () => {
  it('cuts a client that stops reading once its unsent bytes pass the bound, and logs it once', async () => {
    const { hub, records, port } = await hubOnServer(1024 * 1024);
    // A client that sends its request and then never reads: the kernel's buffers fill, then Node's.
    const socket = net.connect(port, '127.0.0.1');
    teardown.add(() => socket.destroy());
    socket.write('GET /stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    socket.pause();
    await waitFor('the stream to open', () => hub.size === 1, 2000);
    const closed = new Promise((resolve) => socket.once('close', resolve));
    const frame = sseFrame(1, JSON.stringify({ pad: 'x'.repeat(512 * 1024) }));
    // Bounded: 200 frames of 512 KiB is far past any loopback socket buffer.
    for (let i = 0; i < 200 && hub.size > 0; i += 1) {
      hub.broadcast(frame);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(hub.size).toBe(0);
    expect(records.map((r) => [r.level, r.msg])).toEqual([[40, 'status stream client fell behind; disconnected (it will reconnect)']]);
    socket.resume();
    await closed;
  });
});
