import { cpuCollector } from './cpu.js';
import { diskioCollector } from './diskio.js';
import { filefdCollector } from './filefd.js';
import { filesystemCollector } from './filesystem.js';
import { hostinfoCollector } from './hostinfo.js';
import { loadCollector } from './load.js';
import { memoryCollector } from './memory.js';
import { networkCollector } from './network.js';
import { pressureCollector } from './pressure.js';
import { processCollector } from './process.js';
import { statCollector } from './stat.js';

/**
 * Every collector, in exposition order: the one list the `collectors:` config section, the flags, their
 * variables and `--help` are derived from. Adding one: a file in this folder that exports its
 * `defineCollector(…)` (name, default, help line, options) and an entry here.
 */
export const COLLECTORS = [
  cpuCollector,
  loadCollector,
  statCollector,
  memoryCollector,
  filesystemCollector,
  diskioCollector,
  networkCollector,
  filefdCollector,
  pressureCollector,
  hostinfoCollector,
  processCollector,
] as const;
