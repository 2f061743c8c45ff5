import type { CollectorDefinition } from '../collector.js';
import type { CollectorName } from '../../config/schema.js';
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
 * Every collector by name, in exposition order. Adding one: a file in this folder, an entry here and its
 * options in `config/schema.ts` (which also holds whether it is on by default).
 */
export const COLLECTORS: readonly CollectorDefinition<CollectorName>[] = [
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
];
