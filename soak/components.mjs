// The pieces a soak runs against, all on 127.0.0.1: a Slack-compatible sink that can be taken down, the
// bridge's data directory on a size-limited tmpfs that can be filled, a real Alertmanager, and the built
// `ide-monitor serve` on a fixed port so that Alertmanager and the proxy find it again after a restart.
import http from 'node:http';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dump } from 'js-yaml';
import { CLI, ServerProcess } from '../bench/support.mjs';

export const WEBHOOK_TOKEN = 'soak-webhook-token-5d1e';

// ---------------------------------------------------------------------------------------------------
// Slack sink

const SLACK_TEXT = /^\[(FIRING|RESOLVED)[^\]]*\] \S+.*?: soak alert #(\d+)/;

/**
 * Answers like a Slack incoming webhook (200 "ok") and records which soak alert each message was about,
 * as `"<seq>|firing"` / `"<seq>|resolved"` → times received. `down()` closes the listener and every open
 * connection, so the bridge sees connection refused, as in a real outage.
 */
export async function startSlackSink(port) {
  const received = new Map();
  let unparsed = 0;
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      let text = '';
      try {
        text = JSON.parse(Buffer.concat(chunks).toString('utf8')).text ?? '';
      } catch {
        // counted below as unparsed
      }
      const match = SLACK_TEXT.exec(text);
      if (match === null) unparsed++;
      else {
        const key = `${match[2]}|${match[1].toLowerCase()}`;
        received.set(key, (received.get(key) ?? 0) + 1);
      }
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
    });
  });
  const listen = () => new Promise((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
  await listen();
  return {
    url: `http://127.0.0.1:${port}/services/T000/B000/soak`,
    received,
    get unparsed() {
      return unparsed;
    },
    has: (seq, state) => received.has(`${seq}|${state}`),
    duplicates: () => [...received.values()].reduce((sum, n) => sum + n - 1, 0),
    async down() {
      const closed = new Promise((resolve) => server.close(resolve));
      server.closeAllConnections();
      await closed;
    },
    up: listen,
    async stop() {
      if (!server.listening) return;
      const closed = new Promise((resolve) => server.close(resolve));
      server.closeAllConnections();
      await closed;
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// The bridge's data directory

const FILL_CHUNKS = [1 << 20, 64 << 10, 4 << 10, 512];

/**
 * A tmpfs of `sizeMb` for the bridge's outbox, so that "disk full" is a real ENOSPC. Mounting needs root
 * (CAP_SYS_ADMIN); without it the directory is a plain temp dir and `mounted` is false with the reason,
 * and the disk-full fault is reported as not run rather than faked.
 */
export function dataDisk(sizeMb) {
  const dir = mkdtempSync(path.join(tmpdir(), 'ide-monitor-soak-data-'));
  const filler = path.join(dir, 'filler');
  let mounted = false;
  let reason = '';
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m,mode=0700`, 'tmpfs', dir], { stdio: 'pipe' });
    mounted = true;
  } catch (error) {
    reason = String(error.stderr || error.message).trim();
  }
  return {
    dir,
    mounted,
    reason,
    /** Writes a filler file until the filesystem answers ENOSPC; returns the bytes written. */
    fill() {
      const fd = openSync(filler, 'w');
      let written = 0;
      try {
        for (const size of FILL_CHUNKS) {
          const chunk = Buffer.alloc(size, 0x55);
          for (;;) {
            try {
              written += writeSync(fd, chunk);
            } catch (error) {
              if (error.code === 'ENOSPC') break;
              throw error;
            }
          }
        }
      } finally {
        closeSync(fd);
      }
      return written;
    },
    free: () => unlinkSync(filler),
    cleanup() {
      if (mounted) {
        try {
          execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
        } catch {
          // best effort: a lazy unmount only fails when nothing is mounted
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Alertmanager

export const ALERTMANAGER_BINARY = '/usr/bin/prometheus-alertmanager';

/**
 * A real Alertmanager: one group per soak alert (`group_by: [seq]`) so each alert is its own webhook
 * call, a group_interval of 2 s so a failed notification is tried again soon, and the bridge's token.
 */
export async function startAlertmanager({ port, webhookUrl, dir }) {
  const configFile = path.join(dir, 'alertmanager.yml');
  writeFileSync(
    configFile,
    dump({
      route: { receiver: 'bridge', group_by: ['seq'], group_wait: '1s', group_interval: '2s', repeat_interval: '1h' },
      receivers: [
        {
          name: 'bridge',
          webhook_configs: [{ url: webhookUrl, send_resolved: true, max_alerts: 0, http_config: { authorization: { type: 'Bearer', credentials: WEBHOOK_TOKEN } } }],
        },
      ],
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const am = new ServerProcess('Alertmanager', ALERTMANAGER_BINARY, [
    `--config.file=${configFile}`,
    `--storage.path=${path.join(dir, 'am-data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    `--web.external-url=${url}`,
    '--cluster.listen-address=',
    '--log.level=warn',
  ]);
  try {
    await am.waitReady(async () => (await fetch(`${url}/-/ready`)).ok, `answering ${url}/-/ready`);
  } catch (error) {
    await am.stop();
    throw error;
  }
  am.url = url;
  return am;
}

// ---------------------------------------------------------------------------------------------------
// ide-monitor serve

/**
 * Starts the built `serve` on a fixed port with the bridge delivering to the Slack sink. The retry
 * timings are short so an outage's backlog drains within the soak; Slack's pace is raised from 1/s
 * because the sink is not Slack and the alert stream runs faster than one message a second.
 */
export async function startServe({ port, dataDir, slackUrl, configDir }) {
  const configFile = path.join(configDir, 'ide-monitor.yml');
  writeFileSync(
    configFile,
    dump({
      bridge: {
        retry: { initial_backoff: '200ms', max_backoff: '2s' },
        channels: { slack: { messages_per_second: 50 } },
      },
    }),
  );
  const base = `http://127.0.0.1:${port}`;
  const serve = new ServerProcess('ide-monitor serve', CLI, ['serve', `--web.listen-address=127.0.0.1:${port}`, `--config.file=${configFile}`, '--log.level=warn'], {
    env: { ...process.env, IDE_MONITOR_DATA_DIR: dataDir, IDE_MONITOR_WEBHOOK_TOKEN: WEBHOOK_TOKEN, IDE_MONITOR_SLACK_WEBHOOK_URL: slackUrl },
  });
  try {
    await serve.waitReady(async () => (await fetch(`${base}/-/ready`)).ok, `answering ${base}/-/ready`);
  } catch (error) {
    await serve.stop();
    throw error;
  }
  serve.base = base;
  return serve;
}
