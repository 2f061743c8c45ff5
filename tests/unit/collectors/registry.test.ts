import { describe, expect, it } from 'vitest';
import { COLLECTOR_DESCRIPTIONS } from '../../../src/config/collector-descriptions.js';
import { COLLECTORS } from '../../../src/exporter/collectors/index.js';
import { selectCollectors } from '../../../src/exporter/collector-registry.js';
import { collectorsConfig, silent } from './support.js';

describe('collector registry', () => {
  it('registers the host collectors in exposition order, named as in the config schema', () => {
    const order = ['cpu', 'load', 'stat', 'memory', 'filesystem', 'diskio', 'network', 'filefd', 'pressure', 'hostinfo', 'process'];
    expect(COLLECTORS.map((c) => c.name)).toEqual(order);
    expect(Object.keys(collectorsConfig()).filter((k) => k !== 'timeout' && k !== 'disable_defaults')).toEqual(order);
  });

  it('creates collectors that carry their definition name, each with a description for --help', () => {
    for (const definition of COLLECTORS) {
      expect(definition.create(collectorsConfig(), silent).name).toBe(definition.name);
      expect(COLLECTOR_DESCRIPTIONS[definition.name]).toMatch(/\.$/);
    }
  });

  it('instantiates only the enabled collectors, in registration order', () => {
    const config = collectorsConfig({ cpu: { enabled: false }, pressure: { enabled: false } });
    expect(selectCollectors(COLLECTORS, config, silent).map((c) => c.name)).toEqual([
      'load',
      'stat',
      'memory',
      'filesystem',
      'diskio',
      'network',
      'filefd',
      'hostinfo',
      'process',
    ]);
    expect(selectCollectors(COLLECTORS, collectorsConfig(), silent)).toHaveLength(COLLECTORS.length);
  });
});
