import { Gauge, type Registry } from 'prom-client';
import type { Logger } from '../log.js';

export interface ReloadResult {
  readonly ok: boolean;
  /** One line: what was wrong with the new configuration, or that it was applied. */
  readonly message: string;
}

/**
 * SIGHUP and `POST /-/reload`, as Prometheus and Alertmanager do them: read the configuration again and,
 * only when all of it is valid, hand it to every part of `serve`; a bad file is logged and the running
 * configuration stays. One reload at a time: requests arriving during one are coalesced into one more
 * reload after it (a burst of SIGHUPs is two reloads, not a queue that grows with the burst), and after
 * `close()` (shutdown) no new one starts.
 * `ide_exporter_config_last_reload_successful` says whether the file on disk is the one running.
 */
export class ConfigReloader<Resolved> {
  private readonly successful: Gauge;
  private readonly successTime: Gauge;
  private running: Promise<ReloadResult> = Promise.resolve({ ok: true, message: 'not reloaded yet' });
  /** The reload waiting for the running one to end; every request made meanwhile shares it. */
  private queued: Promise<ReloadResult> | undefined;
  private closed = false;

  constructor(
    private readonly load: () => Resolved,
    private readonly apply: (next: Resolved) => Promise<void>,
    registry: Registry,
    private readonly logger: Logger,
  ) {
    this.successful = new Gauge({
      name: 'ide_exporter_config_last_reload_successful',
      help: 'Whether the last configuration reload (SIGHUP or POST /-/reload) succeeded (1) or kept the old configuration (0).',
      registers: [registry],
    });
    this.successTime = new Gauge({
      name: 'ide_exporter_config_last_reload_success_timestamp_seconds',
      help: 'Unix time of the last successful configuration load, the start included.',
      registers: [registry],
    });
    this.successful.set(1);
    this.successTime.set(Date.now() / 1000);
  }

  reload(trigger: string): Promise<ReloadResult> {
    if (this.queued !== undefined) return this.queued;
    const next = this.running.then(() => {
      this.queued = undefined;
      if (this.closed) return { ok: false, message: 'shutting down; not reloaded' };
      return this.reloadNow(trigger);
    });
    this.queued = next;
    this.running = next;
    return next;
  }

  /** Shutdown: no reload starts from now on; resolves when the one in progress (if any) has ended. */
  async close(): Promise<void> {
    this.closed = true;
    await this.running;
  }

  private async reloadNow(trigger: string): Promise<ReloadResult> {
    let next: Resolved;
    try {
      next = this.load();
    } catch (error) {
      // A user's mistake is one line (ConfigError, SecretFileError); anything else keeps its stack in the log.
      const message = (error as Error).message ?? String(error);
      this.successful.set(0);
      this.logger.error({ trigger, problems: message.split('\n').join('; ') }, 'configuration reload failed; keeping the running configuration');
      return { ok: false, message };
    }
    try {
      await this.apply(next);
    } catch (error) {
      this.successful.set(0);
      this.logger.error({ trigger, err: error }, 'configuration reload failed while applying it; parts may run the new configuration');
      return { ok: false, message: (error as Error).message };
    }
    this.successful.set(1);
    this.successTime.set(Date.now() / 1000);
    this.logger.info({ trigger }, 'configuration reloaded');
    return { ok: true, message: 'configuration reloaded' };
  }
}
