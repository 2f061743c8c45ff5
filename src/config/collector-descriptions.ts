import { COLLECTORS } from '../exporter/collectors/index.js';
import type { CollectorName } from './schema.js';

/** Each collector's one line (declared in its own file), by name: for `--help` and the collectors' names. */
export const COLLECTOR_DESCRIPTIONS = Object.fromEntries(COLLECTORS.map((d) => [d.name, d.help])) as Readonly<Record<CollectorName, string>>;
