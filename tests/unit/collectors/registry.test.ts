import { describe, expect, it } from 'vitest';
import { COLLECTOR_DESCRIPTIONS } from '../../../src/config/collector-descriptions.js';
import { COLLECTORS } from '../../../src/exporter/collectors/index.js';
import { collectorsConfig, silent } from './support.js';

describe('collector registry', () => {
  it('registers the host collectors in exposition order, named as in the config schema', () => {
    const order = ['cpu', 'load', 'stat', 'memory', 'filesystem', 'diskio', 'network', 'filefd', 'pressure', 'hostinfo'];
    expect(COLLECTORS.map((c) => c.name)).toEqual(order);
    expect(Object.keys(collectorsConfig()).filter((k) => k !== 'timeout')).toEqual(order);
  });

  it('creates collectors that carry their definition name and description', () => {
    for (const definition of COLLECTORS) {
      expect(definition.create(collectorsConfig(), silent).name).toBe(definition.name);
      expect(definition.description).toBe(COLLECTOR_DESCRIPTIONS[definition.name]);
    }
  });
});
