/**
 * The absolute LSP gauges (server up, requests in flight, diagnostics) as each reporting instance last
 * stated them, aggregated per server at scrape time. Counters can simply be summed as they arrive; gauges
 * cannot: a proxy's latest state replaces its previous one, and a proxy that stops reporting (killed, its
 * machine asleep) must stop contributing, or its last in-flight count would pin the "requests stuck" alert
 * forever.
 *
 * Per server, at time `now`:
 * - `up` is 1 when any live instance has it up; 0 when live instances have it but none up;
 * - when no live instance has it any more because it went down (a non-zero exit, a state with up=false,
 *   or its instance expired without a goodbye), `up` stays 0 for `retentionMs` so that
 *   `ide_lsp_server_up == 0` can fire, then the series is dropped;
 * - a clean exit (code 0: the editor closed) drops the instance's server at once: a user quitting the IDE
 *   must not page anyone;
 * - in-flight and diagnostics are sums over live instances only.
 */

type Direction = 'client_to_server' | 'server_to_client';
export const SEVERITIES = ['error', 'warning', 'information', 'hint'] as const;
type Severity = (typeof SEVERITIES)[number];

export interface ServerStateReport {
  readonly up: boolean;
  /** Open circuit-breaker patterns (v2); undefined leaves the previous ones. */
  readonly breakers?: readonly string[] | undefined;
  readonly inFlight: Readonly<Record<Direction, number>>;
  readonly diagnostics: Readonly<Record<Severity, number>>;
  /** Seconds the oldest editor → server request has waited (0 when none, or from a proxy that does not say). */
  readonly oldestInFlightSeconds?: number;
}

export interface ServerGauges {
  up: 0 | 1;
  /** False for a server kept only for its retention: it has `up` 0 and no in-flight or diagnostics series. */
  live: boolean;
  inFlight: Record<Direction, number>;
  diagnostics: Record<Severity, number>;
  /** The oldest waiting request over the live instances, in seconds. */
  oldestInFlightSeconds: number;
  /** Open breaker pattern → live instances with it open. */
  breakers: Map<string, number>;
}

interface InstanceServer {
  /** The bounded label value (the raw name may have folded into `other`). */
  readonly server: string;
  up: boolean;
  /**
   * The server exited with code 0. The proxy's final batch says so and then reports its state (up=false)
   * after it: that state must not turn a clean goodbye into a "down" that pages. Cleared by a start or
   * a state with up=true.
   */
  cleanlyExited: boolean;
  inFlight: Record<Direction, number>;
  diagnostics: Record<Severity, number>;
  oldestInFlightSeconds: number;
  breakers: readonly string[];
}

interface Instance {
  lastSeen: number;
  /** It sent a version 2 batch: it executes control commands (restart, breakers). */
  controllable: boolean;
  /** Keyed by the raw server name, so two servers that fold into `other` do not overwrite each other. */
  readonly servers: Map<string, InstanceServer>;
}

export interface InstanceStatesOptions {
  readonly staleAfterMs: number;
  readonly retentionMs: number;
  /** Instances kept at most; a new one beyond it is ignored (after expiring stale ones) and reported false. */
  readonly maxInstances?: number;
  readonly maxServersPerInstance?: number;
  readonly now?: () => number;
}

export class InstanceStates {
  private readonly instances = new Map<string, Instance>();
  /** Servers no live instance holds any more, with the time they went down. */
  private readonly downSince = new Map<string, number>();
  private readonly now: () => number;
  private readonly maxInstances: number;
  private readonly maxServers: number;

  constructor(private readonly options: InstanceStatesOptions) {
    this.now = options.now ?? Date.now;
    this.maxInstances = options.maxInstances ?? 10_000;
    this.maxServers = options.maxServersPerInstance ?? 100;
  }

  /** A batch from `instance` arrived: it is alive. False when the instance table is full. */
  heartbeat(instance: string, controllable = false): boolean {
    const entry = this.instanceOf(instance);
    if (entry === undefined) return false;
    if (controllable) entry.controllable = true;
    return true;
  }

  /**
   * Live instances that execute control commands, optionally only those running `server` (the raw name
   * a proxy reports, or its label) and not cleanly gone; each with the servers it runs.
   */
  controllable(server?: string): { instance: string; servers: string[] }[] {
    const now = this.now();
    this.expire(now);
    const out: { instance: string; servers: string[] }[] = [];
    for (const [key, instance] of this.instances) {
      if (!instance.controllable) continue;
      const servers = [...instance.servers]
        .filter(([raw, s]) => !s.cleanlyExited && (server === undefined || raw === server || s.server === server))
        .map(([raw]) => raw);
      if (server === undefined || servers.length > 0) out.push({ instance: key, servers });
    }
    return out;
  }

  /** Whether `instance` is live and executes control commands. */
  isControllable(instance: string): boolean {
    this.expire(this.now());
    return this.instances.get(instance)?.controllable === true;
  }

  /** Replaces the instance's state for one server (`lsp_state`). False when it could not be kept. */
  report(instance: string, rawServer: string, server: string, state: ServerStateReport): boolean {
    const entry = this.serverOf(instance, rawServer, server);
    if (entry === undefined) return false;
    entry.up = state.up;
    entry.inFlight = { ...state.inFlight };
    entry.diagnostics = { ...state.diagnostics };
    entry.oldestInFlightSeconds = state.oldestInFlightSeconds ?? 0;
    if (state.breakers !== undefined) entry.breakers = [...state.breakers];
    if (state.up) {
      entry.cleanlyExited = false;
      this.downSince.delete(server);
    }
    return true;
  }

  /** The server process started (`lsp_server` start). */
  started(instance: string, rawServer: string, server: string): boolean {
    const entry = this.serverOf(instance, rawServer, server);
    if (entry === undefined) return false;
    entry.up = true;
    entry.cleanlyExited = false;
    this.downSince.delete(server);
    return true;
  }

  /**
   * The server process exited (`lsp_server` exit). Nothing is in flight to a dead process and its
   * diagnostics died with it. A clean exit takes the instance's server out of every gauge; any other
   * leaves it down.
   */
  exited(instance: string, rawServer: string, server: string, clean: boolean): boolean {
    const entry = this.serverOf(instance, rawServer, server);
    if (entry === undefined) return false;
    entry.cleanlyExited = clean;
    entry.up = false;
    entry.inFlight = zeroInFlight();
    entry.diagnostics = zeroDiagnostics();
    entry.oldestInFlightSeconds = 0;
    entry.breakers = [];
    return true;
  }

  /** The gauges per server label as of now; expires stale instances and finished retentions. */
  snapshot(): Map<string, ServerGauges> {
    const now = this.now();
    this.expire(now);
    const out = new Map<string, ServerGauges>();
    for (const instance of this.instances.values()) {
      for (const s of instance.servers.values()) {
        if (s.cleanlyExited) continue;
        let gauges = out.get(s.server);
        if (gauges === undefined) {
          gauges = { up: 0, live: true, inFlight: zeroInFlight(), diagnostics: zeroDiagnostics(), oldestInFlightSeconds: 0, breakers: new Map() };
          out.set(s.server, gauges);
        }
        if (s.up) gauges.up = 1;
        gauges.inFlight.client_to_server += s.inFlight.client_to_server;
        gauges.inFlight.server_to_client += s.inFlight.server_to_client;
        gauges.oldestInFlightSeconds = Math.max(gauges.oldestInFlightSeconds, s.oldestInFlightSeconds);
        for (const severity of SEVERITIES) gauges.diagnostics[severity] += s.diagnostics[severity];
        for (const b of s.breakers) gauges.breakers.set(b, (gauges.breakers.get(b) ?? 0) + 1);
      }
    }
    for (const [server, since] of this.downSince) {
      if (out.has(server)) continue;
      if (now - since > this.options.retentionMs) this.downSince.delete(server);
      else out.set(server, { up: 0, live: false, inFlight: zeroInFlight(), diagnostics: zeroDiagnostics(), oldestInFlightSeconds: 0, breakers: new Map() });
    }
    return out;
  }

  get instanceCount(): number {
    return this.instances.size;
  }

  private expire(now: number): void {
    for (const [key, instance] of this.instances) {
      const expiresAt = instance.lastSeen + this.options.staleAfterMs;
      if (now <= expiresAt) continue;
      this.instances.delete(key);
      // Went silent without saying goodbye: whatever it ran counts as down from the moment it expired.
      for (const s of instance.servers.values()) if (!s.cleanlyExited) this.markDown(s.server, expiresAt);
    }
    // A server some live instance still holds is not "gone"; one whose holders all left cleanly neither.
    for (const instance of this.instances.values()) {
      for (const s of instance.servers.values()) if (s.up) this.downSince.delete(s.server);
    }
  }

  private markDown(server: string, at: number): void {
    const previous = this.downSince.get(server);
    if (previous === undefined || previous < at) this.downSince.set(server, at);
  }

  private instanceOf(key: string): Instance | undefined {
    const now = this.now();
    let instance = this.instances.get(key);
    if (instance === undefined) {
      if (this.instances.size >= this.maxInstances) this.expire(now);
      if (this.instances.size >= this.maxInstances) return undefined;
      instance = { lastSeen: now, controllable: false, servers: new Map() };
      this.instances.set(key, instance);
    }
    instance.lastSeen = now;
    return instance;
  }

  private serverOf(instanceKey: string, rawServer: string, server: string): InstanceServer | undefined {
    const instance = this.instanceOf(instanceKey);
    if (instance === undefined) return undefined;
    let entry = instance.servers.get(rawServer);
    if (entry === undefined) {
      if (instance.servers.size >= this.maxServers) return undefined;
      entry = { server, up: false, cleanlyExited: false, inFlight: zeroInFlight(), diagnostics: zeroDiagnostics(), oldestInFlightSeconds: 0, breakers: [] };
      instance.servers.set(rawServer, entry);
    }
    return entry;
  }
}

function zeroInFlight(): Record<Direction, number> {
  return { client_to_server: 0, server_to_client: 0 };
}

function zeroDiagnostics(): Record<Severity, number> {
  return { error: 0, warning: 0, information: 0, hint: 0 };
}
