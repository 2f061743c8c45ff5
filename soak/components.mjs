// The pieces a soak runs against, all on 127.0.0.1: a Slack-compatible sink that can be taken down, the
// bridge's data directory on a size-limited tmpfs that can be filled, a real Alertmanager, and the built
// `ide-monitor serve` on a fixed port so that Alertmanager and the proxy find it again after a restart.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dump } from 'js-yaml';
import { startServe as startBenchServe } from '../bench/support.mjs';
import { startAlertmanager as startSharedAlertmanager } from '../tests/support/alertmanager.mjs';
import { startSlackSink as startStrictSlackSink } from '../tests/support/sinks.mjs';

export const WEBHOOK_TOKEN = 'soak-webhook-token-5d1e';

// ---------------------------------------------------------------------------------------------------
// Slack sink

const SLACK_TEXT = /^\[(FIRING|RESOLVED)[^\]]*\] \S+.*?: soak alert #(\d+)/;

/**
 * The Slack sink the tests use (200 "ok", and 400 for a body Slack would refuse) on a fixed port, recording
 * which soak alert each accepted message was about, as `"<seq>|firing"` / `"<seq>|resolved"` → times
 * received. `down()` closes the listener and every open connection, so the bridge sees connection
 * refused, as in a real outage; `up()` listens on the same port again.
 */
export async function startSlackSink(port) {
  const received = new Map();
  let unparsed = 0;
  let rejected = 0;
  const sink = await startStrictSlackSink({
    port,
    onRequest: ({ status, body }) => {
      if (status !== 200) return void rejected++;
      const match = SLACK_TEXT.exec(typeof body.text === 'string' ? body.text : '');
      if (match === null) return void unparsed++;
      const key = `${match[2]}|${match[1].toLowerCase()}`;
      received.set(key, (received.get(key) ?? 0) + 1);
    },
  });
  return {
    url: sink.url,
    received,
    get unparsed() {
      return unparsed;
    },
    get rejected() {
      return rejected;
    },
    has: (seq, state) => received.has(`${seq}|${state}`),
    duplicates: () => [...received.values()].reduce((sum, n) => sum + n - 1, 0),
    down: sink.down,
    up: sink.up,
    stop: sink.stop,
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
export function startAlertmanager({ webhookUrl }) {
  return startSharedAlertmanager({
    binary: ALERTMANAGER_BINARY,
    webhookUrl,
    token: WEBHOOK_TOKEN,
    groupBy: ['seq'],
    groupWait: '1s',
    groupInterval: '2s',
    repeatInterval: '1h',
  });
}

// ---------------------------------------------------------------------------------------------------
// ide-monitor serve

/**
 * Starts the built `serve` on a fixed port with the bridge delivering to the Slack sink. The retry
 * timings are short so an outage's backlog drains within the soak; Slack's pace is raised from 1/s
 * because the sink is not Slack and the alert stream runs faster than one message a second.
 */
export function startServe({ port, dataDir, slackUrl, configDir }) {
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
  return startBenchServe({
    port,
    args: [`--config.file=${configFile}`],
    env: { ...process.env, IDE_MONITOR_DATA_DIR: dataDir, IDE_MONITOR_WEBHOOK_TOKEN: WEBHOOK_TOKEN, IDE_MONITOR_SLACK_WEBHOOK_URL: slackUrl },
  });
}
