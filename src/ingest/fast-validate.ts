import {
  COMMAND_ID_MAX_LENGTH,
  EXIT_CODE_MAX_LENGTH,
  MAX_ACKS_PER_BATCH,
  MAX_BREAKERS,
  INGEST_VERSION,
  INGEST_VERSION_CONTROL,
  MAX_COUNT,
  MAX_OBSERVATIONS_PER_BATCH,
  MAX_SECONDS,
  NAME_MAX_LENGTH,
} from './limits.js';
import type { IngestBatch, ObservationInput } from './schema.js';

/**
 * A hand-written validator for the hot path. zod costs about as much as JSON.parse itself on a batch of
 * 100 observations (≈45 µs, measured); this check costs a few µs. It answers only "certainly valid" —
 * then returning the same output zod would (defaults filled in) — or `undefined` for anything it is not
 * sure about, and the caller asks zod, which also writes the error messages. A property test holds it to
 * that contract: whenever this returns a batch, zod accepts the body and yields an equal value.
 *
 * It fills defaults into the parsed body in place (the body is ours, fresh from JSON.parse), but only
 * after the whole batch has passed, so a body it gives up on reaches zod untouched.
 */
export function fastValidate(body: unknown): IngestBatch | undefined {
  if (!isPlainObject(body)) return undefined;
  for (const key in body) if (key !== 'version' && key !== 'instance' && key !== 'observations' && key !== 'acks') return undefined;
  const v2 = body.version === INGEST_VERSION_CONTROL;
  if (body.version !== INGEST_VERSION && !v2) return undefined;
  if ('instance' in body && !isName(body.instance)) return undefined;
  if ('acks' in body && !(v2 && validAcks(body.acks))) return undefined;
  const observations = body.observations;
  if (!Array.isArray(observations) || observations.length > MAX_OBSERVATIONS_PER_BATCH) return undefined;
  for (let i = 0; i < observations.length; i += 1) {
    const o: unknown = observations[i];
    if (!validObservation(o) || (!v2 && version2Only(o as Obj))) return undefined;
  }
  for (let i = 0; i < observations.length; i += 1) fillDefaults(observations[i] as Record<string, unknown>);
  return body as unknown as IngestBatch;
}

type Obj = Record<string, unknown>;

/**
 * One observation as a reporter records it: true when the schema accepts it (the property test holds
 * this to zod, through fastValidate), with its defaults filled into a copy. Zod-free, for the proxy's
 * startup path.
 */
export function checkObservation(o: ObservationInput): ObservationInput | undefined {
  if (!isPlainObject(o)) return undefined;
  // A field set to undefined is a field left out, as it would be on the wire.
  const copy: Obj = {};
  for (const key in o) if ((o as Obj)[key] !== undefined) copy[key] = (o as Obj)[key];
  if (!validObservation(copy)) return undefined;
  fillDefaults(copy);
  return copy as unknown as ObservationInput;
}

function validObservation(o: unknown): boolean {
  if (!isPlainObject(o)) return false;
  switch (o.kind) {
    case 'lsp_request':
      return (
        onlyKeys(o, LSP_REQUEST_KEYS) &&
        isName(o.server) &&
        isName(o.method) &&
        (o.direction === undefined ? !('direction' in o) : isDirection(o.direction)) &&
        (o.outcome === 'ok' || o.outcome === 'error' || o.outcome === 'cancelled' || o.outcome === 'short_circuited') &&
        isSeconds(o.duration_seconds) &&
        optional(o, 'error_code', Number.isSafeInteger)
      );
    case 'lsp_notification':
      return onlyKeys(o, NOTIFICATION_KEYS) && isName(o.server) && isName(o.method) && isDirection(o.direction) && optional(o, 'count', isCount);
    case 'lsp_bytes':
      return onlyKeys(o, BYTES_KEYS) && isName(o.server) && isDirection(o.direction) && isCount(o.bytes);
    case 'lsp_server':
      return (
        onlyKeys(o, SERVER_KEYS) &&
        isName(o.server) &&
        (o.event === 'start' || o.event === 'exit') &&
        optional(o, 'code', (c) => Number.isSafeInteger(c) || (typeof c === 'string' && c.length <= EXIT_CODE_MAX_LENGTH)) &&
        optional(o, 'cause', (c) => c === 'client_disconnect')
      );
    case 'lsp_restart':
      return onlyKeys(o, RESTART_KEYS) && isName(o.server) && (o.reason === 'command' || o.reason === 'crash');
    case 'lsp_state':
      return (
        onlyKeys(o, STATE_KEYS) &&
        isName(o.server) &&
        typeof o.up === 'boolean' &&
        isPlainObject(o.in_flight) &&
        onlyKeys(o.in_flight, IN_FLIGHT_KEYS) &&
        isCount(o.in_flight.client_to_server) &&
        isCount(o.in_flight.server_to_client) &&
        isPlainObject(o.diagnostics) &&
        onlyKeys(o.diagnostics, DIAGNOSTICS_KEYS) &&
        isCount(o.diagnostics.error) &&
        isCount(o.diagnostics.warning) &&
        isCount(o.diagnostics.information) &&
        isCount(o.diagnostics.hint) &&
        optional(o, 'breakers', (b) => Array.isArray(b) && b.length <= MAX_BREAKERS && b.every(isName)) &&
        optional(o, 'oldest_in_flight_seconds', (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1e9)
      );
    case 'lsp_dropped':
      return onlyKeys(o, DROPPED_KEYS) && isName(o.server) && isCount(o.count);
    case 'operation':
      return (
        onlyKeys(o, OPERATION_KEYS) &&
        isName(o.operation) &&
        (o.outcome === undefined ? !('outcome' in o) : o.outcome === 'ok' || o.outcome === 'error') &&
        isSeconds(o.duration_seconds)
      );
    case 'cache':
      return onlyKeys(o, CACHE_KEYS) && isName(o.cache) && (o.result === 'hit' || o.result === 'miss') && optional(o, 'count', isCount);
    default:
      return false;
  }
}

function fillDefaults(o: Obj): void {
  switch (o.kind) {
    case 'lsp_request':
      if (o.direction === undefined) o.direction = 'client_to_server';
      break;
    case 'lsp_notification':
    case 'cache':
      if (o.count === undefined) o.count = 1;
      break;
    case 'operation':
      if (o.outcome === undefined) o.outcome = 'ok';
      break;
    default:
      break;
  }
}

const LSP_REQUEST_KEYS = new Set(['kind', 'server', 'method', 'direction', 'outcome', 'duration_seconds', 'error_code']);
const NOTIFICATION_KEYS = new Set(['kind', 'server', 'method', 'direction', 'count']);
const BYTES_KEYS = new Set(['kind', 'server', 'direction', 'bytes']);
const SERVER_KEYS = new Set(['kind', 'server', 'event', 'code', 'cause']);
const RESTART_KEYS = new Set(['kind', 'server', 'reason']);
const STATE_KEYS = new Set(['kind', 'server', 'up', 'in_flight', 'diagnostics', 'breakers', 'oldest_in_flight_seconds']);
const ACK_KEYS = new Set(['id', 'outcome', 'detail']);

/** What a version 1 batch may not carry (the schema's usesVersion2, on an already valid observation). */
function version2Only(o: Obj): boolean {
  return o.kind === 'lsp_restart' || (o.kind === 'lsp_state' && 'breakers' in o) || (o.kind === 'lsp_server' && 'cause' in o);
}

function validAcks(acks: unknown): boolean {
  if (!Array.isArray(acks) || acks.length > MAX_ACKS_PER_BATCH) return false;
  return acks.every(
    (a) =>
      isPlainObject(a) &&
      onlyKeys(a, ACK_KEYS) &&
      typeof a.id === 'string' &&
      a.id.length >= 1 &&
      a.id.length <= COMMAND_ID_MAX_LENGTH &&
      (a.outcome === 'done' || a.outcome === 'failed') &&
      optional(a, 'detail', (d) => typeof d === 'string' && d.length <= NAME_MAX_LENGTH),
  );
}
const IN_FLIGHT_KEYS = new Set(['client_to_server', 'server_to_client']);
const DIAGNOSTICS_KEYS = new Set(['error', 'warning', 'information', 'hint']);
const DROPPED_KEYS = new Set(['kind', 'server', 'count']);
const OPERATION_KEYS = new Set(['kind', 'operation', 'outcome', 'duration_seconds']);
const CACHE_KEYS = new Set(['kind', 'cache', 'result', 'count']);

/** Only objects as JSON.parse makes them; anything exotic (a class instance, a null prototype) goes to zod. */
function isPlainObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;
}

function onlyKeys(o: Obj, allowed: ReadonlySet<string>): boolean {
  for (const key in o) if (!allowed.has(key)) return false;
  return true;
}

/** An optional field: absent, or present and valid (a present `undefined` is left to zod's judgement). */
function optional(o: Obj, key: string, valid: (value: unknown) => boolean): boolean {
  return key in o ? valid(o[key]) : true;
}

function isName(value: unknown): value is string {
  return typeof value === 'string' && value.length >= 1 && value.length <= NAME_MAX_LENGTH;
}

function isDirection(value: unknown): boolean {
  return value === 'client_to_server' || value === 'server_to_client';
}

function isSeconds(value: unknown): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= MAX_SECONDS;
}

function isCount(value: unknown): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= MAX_COUNT;
}
