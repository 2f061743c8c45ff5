/**
 * Requests waiting for their response, one table per direction: client→server and server→client ids
 * are separate spaces that collide in practice (both sides count from 0). A Map keys by SameValueZero,
 * so the number 1 and the string "1" are different requests, as JSON-RPC says they are.
 */
export type Direction = 'client_to_server' | 'server_to_client';

export const DIRECTIONS: readonly Direction[] = ['client_to_server', 'server_to_client'];

export function opposite(direction: Direction): Direction {
  return direction === 'client_to_server' ? 'server_to_client' : 'client_to_server';
}

export interface PendingRequest {
  readonly method: string;
  /** performance.now() when the request was seen. */
  readonly start: number;
  /** A `$/cancelRequest` for it was seen: it counts as cancelled whatever the answer. */
  cancelled: boolean;
}

export interface CompletedRequest extends PendingRequest {
  readonly durationMs: number;
}

/** A server that never answers must not grow the proxy without bound; the oldest entries are forgotten. */
export const MAX_PENDING_PER_DIRECTION = 10_000;

export class PendingRequests {
  private readonly tables: Record<Direction, Map<number | string, PendingRequest>> = {
    client_to_server: new Map(),
    server_to_client: new Map(),
  };
  /** Requests forgotten because the table was full or the same id was reused while pending. */
  abandoned = 0;

  constructor(private readonly maxPerDirection = MAX_PENDING_PER_DIRECTION) {}

  /** A request sent in `direction`. */
  start(direction: Direction, id: number | string, method: string, now: number): void {
    const table = this.tables[direction];
    if (table.has(id)) {
      this.abandoned++;
      table.delete(id);
    } else if (table.size >= this.maxPerDirection) {
      const oldest = table.keys().next();
      if (oldest.done !== true) table.delete(oldest.value);
      this.abandoned++;
    }
    table.set(id, { method, start: now, cancelled: false });
  }

  /** A `$/cancelRequest` sent in `direction` cancels a request sent in the same direction. */
  cancel(direction: Direction, id: number | string): boolean {
    const pending = this.tables[direction].get(id);
    if (pending === undefined) return false;
    pending.cancelled = true;
    return true;
  }

  /** A response travelling in `responseDirection` answers a request that went the opposite way. */
  complete(responseDirection: Direction, id: number | string, now: number): CompletedRequest | undefined {
    const table = this.tables[opposite(responseDirection)];
    const pending = table.get(id);
    if (pending === undefined) return undefined;
    table.delete(id);
    return { ...pending, durationMs: now - pending.start };
  }

  /** [id, method] of every request pending in `direction`. */
  entries(direction: Direction): [number | string, string][] {
    return [...this.tables[direction]].map(([id, p]) => [id, p.method]);
  }

  inFlight(direction: Direction): number {
    return this.tables[direction].size;
  }

  /** Seconds the oldest request still waiting in `direction` has waited (0 when none): what "stuck" means. */
  oldestAgeSeconds(direction: Direction, now: number): number {
    let oldest = now;
    // Insertion order is start order: the first entry is the oldest.
    for (const pending of this.tables[direction].values()) {
      oldest = pending.start;
      break;
    }
    return Math.max(0, (now - oldest) / 1000);
  }

  /** Everything still pending (the server exited): those requests will never be answered. */
  clear(): void {
    this.tables.client_to_server.clear();
    this.tables.server_to_client.clear();
  }
}
