import { describe, expect, it } from 'vitest';
import { describeSettings } from '../../../src/cli/help.js';
import { parseFlags } from '../../../src/cli/parse-flags.js';
import { configSchema } from '../../../src/config/schema.js';
import { positiveInt } from '../../../src/config/schema-types.js';
import { collectorSettingsOf, collectorsSchemaOf } from '../../../src/config/sections/collectors.js';
import { envNameOf } from '../../../src/config/setting.js';
import { SERVE_SETTINGS } from '../../../src/config/settings.js';
import { defineCollector } from '../../../src/exporter/collector-definition.js';
import { COLLECTORS } from '../../../src/exporter/collectors/index.js';
import { selectCollectors } from '../../../src/exporter/collector-registry.js';
import { silent } from './support.js';

// Issue 23: a collector owns its options. A collector declared only here, in one definition, must come out as
// a config key, a flag, a variable and a --help line from the derivation functions serve uses, with no other file
// naming it.
let createdWith: unknown;
const widget = defineCollector({
  name: 'widget',
  enabledByDefault: false,
  help: 'widgets per spindle (/proc/widgets).',
  options: {
    max_widgets: { schema: positiveInt.default(7), flag: { kind: 'string', help: 'Most widgets to report.' } },
    /** File-only: no flag, no variable. */
    spindles: { schema: positiveInt.array().default([]) },
  },
  create: (config) => {
    createdWith = config.widget;
    return { name: 'widget', collect: () => Promise.resolve([]) };
  },
});
const LIST = [COLLECTORS[0], widget] as const;

describe('a collector definition', () => {
  it('becomes a collectors.<name> section with enabled, its options and their defaults', () => {
    const schema = collectorsSchemaOf(LIST);
    expect(schema.parse(undefined)).toEqual({
      timeout: 5000,
      disable_defaults: false,
      cpu: { enabled: true },
      widget: { enabled: false, max_widgets: 7, spindles: [] },
    });
    expect(schema.parse({ widget: { enabled: true, max_widgets: '12', spindles: [1, 2] } }).widget).toEqual({
      enabled: true,
      max_widgets: 12,
      spindles: [1, 2],
    });
    const typo = schema.safeParse({ widget: { max_widget: 3 } });
    expect(typo.success).toBe(false);
    expect(typo.error?.issues).toMatchObject([{ code: 'unrecognized_keys', keys: ['max_widget'], path: ['widget'] }]);
  });

  it('becomes --[no-]collector.<name> and one flag per flagged option, at their config paths, with variables named after them', () => {
    const settings = collectorSettingsOf(LIST);
    const own = settings.filter((s) => s.name.startsWith('collector.widget'));
    expect(own.map((s) => [s.name, s.path.join('.'), s.kind, envNameOf(s)])).toEqual([
      ['collector.widget', 'collectors.widget.enabled', 'boolean', 'IDE_MONITOR_COLLECTOR_WIDGET'],
      ['collector.widget.max-widgets', 'collectors.widget.max_widgets', 'string', 'IDE_MONITOR_COLLECTOR_WIDGET_MAX_WIDGETS'],
    ]);
    const flags = parseFlags(['--collector.widget', '--collector.widget.max-widgets=3', '--no-collector.cpu'], settings, {});
    expect([...flags.settings]).toEqual([
      ['collector.cpu', false],
      ['collector.widget', true],
      ['collector.widget.max-widgets', '3'],
    ]);
    expect(() => parseFlags(['--collector.widget.spindles=1'], settings, {})).toThrow(/Unknown option '--collector.widget.spindles'/);
  });

  it('becomes --help lines with the variable and the default the schema gives', () => {
    const settings = collectorSettingsOf(LIST).filter((s) => s.name.startsWith('collector.widget'));
    const help = describeSettings(settings, { collectors: collectorsSchemaOf(LIST).parse(undefined) });
    expect(help).toBe(
      [
        '  --[no-]collector.widget',
        '      Enable the widget collector: widgets per spindle (/proc/widgets).',
        '      env IDE_MONITOR_COLLECTOR_WIDGET; default false',
        '  --collector.widget.max-widgets=VALUE',
        '      Most widgets to report.',
        '      env IDE_MONITOR_COLLECTOR_WIDGET_MAX_WIDGETS; default 7',
      ].join('\n'),
    );
  });

  it('is created with its own section when enabled, like the registered ones', () => {
    const config = collectorsSchemaOf(LIST).parse({ widget: { enabled: true, max_widgets: 2 } });
    expect(selectCollectors(LIST, config, silent).map((c) => c.name)).toEqual(['cpu', 'widget']);
    expect(createdWith).toEqual({ enabled: true, max_widgets: 2, spindles: [] });
  });

  it('is how serve gets its collectors: settings and the collectors: section come from the registered list', () => {
    expect(SERVE_SETTINGS.filter((s) => s.path[0] === 'collectors')).toEqual(collectorSettingsOf(COLLECTORS));
    expect(configSchema.parse(undefined).collectors).toEqual(collectorsSchemaOf(COLLECTORS).parse(undefined));
  });
});

describe('defineCollector', () => {
  it('refuses an option key no flag can be derived from, or one that hides enabled', () => {
    const define = (key: string) => () =>
      defineCollector({
        name: 'widget',
        enabledByDefault: true,
        help: 'widgets.',
        options: { [key]: { schema: positiveInt.default(1) } },
        create: () => ({ name: 'widget', collect: () => Promise.resolve([]) }),
      });
    expect(define('max_widgets')).not.toThrow();
    expect(define('maxWidgets')).toThrow('collector widget: option key "maxWidgets" must be snake_case and not "enabled"');
    expect(define('enabled')).toThrow(/not "enabled"/);
  });
});
