import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { actionDefinitionSchema, actionDefinitionsSchema } from '../../../../src/bridge/actions/schema.js';
import { bridgeSchema } from '../../../../src/config/sections/bridge.js';

function problems(input: unknown): string[] {
  const result = actionDefinitionsSchema.safeParse(input);
  if (result.success) throw new Error('expected the definitions to be rejected');
  return result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('actionDefinitionSchema', () => {
  it('applies defaults: POST, 30s timeout, 5m cooldown', () => {
    const parsed = actionDefinitionSchema.parse({ name: 'scale-up', trigger: { http: { url: 'http://autoscaler:8080/scale' } } });
    expect(parsed).toEqual({
      name: 'scale-up',
      trigger: { http: { method: 'POST', url: 'http://autoscaler:8080/scale' } },
      timeout: 30_000,
      cooldown: 300_000,
    });
  });

  it('keeps exec steps and parses durations', () => {
    const parsed = actionDefinitionSchema.parse({
      name: 'restart',
      match: { alertname: 'IdeLspServerDown' },
      match_re: { instance: 'ide-.*' },
      trigger: { exec: { argv: ['/usr/bin/systemctl', 'restart', 'ide-lsp'], working_dir: '/tmp', env: { MODE: 'fast' } } },
      timeout: '1m30s',
      cooldown: '10m',
    });
    expect(parsed.trigger).toEqual({ exec: { argv: ['/usr/bin/systemctl', 'restart', 'ide-lsp'], working_dir: '/tmp', env: { MODE: 'fast' } } });
    expect(parsed.timeout).toBe(90_000);
    expect(parsed.cooldown).toBe(600_000);
  });

  it('names the path of a bad regex, an empty argv and a bad duration', () => {
    expect(problems([{ name: 'a', match_re: { instance: 'ide-(' }, trigger: { exec: { argv: [] } }, timeout: 'soon' }])).toEqual([
      '0.match_re.instance: invalid regular expression "ide-(": Unterminated group',
      '0.trigger.exec.argv: argv needs at least the program to run, e.g. ["/usr/local/bin/restart-indexer"]',
      '0.timeout: invalid duration "soon": use a number and a unit, e.g. 500ms, 5s, 1m',
    ]);
  });

  it('reports duplicate names at the second entry, even next to other mistakes', () => {
    const step = { exec: { argv: ['true'] } };
    expect(
      problems([
        { name: 'dup', trigger: step },
        { name: 'other', trigger: step },
        { name: 'dup', trigger: { exec: { argv: [''] } } },
      ]),
    ).toEqual(['2.trigger.exec.argv.0: argv[0] (the program) must not be empty', '2.name: duplicate action name "dup" (first used by entry 0)']);
  });

  it('rejects templating in argv, reserved env names, both or neither step kinds, and unknown keys', () => {
    expect(
      problems([
        {
          name: 'bad',
          trigger: { exec: { argv: ['restart', '{{ labels.instance }}'], env: { ALERT_INSTANCE: 'x', 'BAD-NAME': 'y' } } },
          rollback: { http: { url: 'http://h/' }, exec: { argv: ['x'] } },
          retries: 3,
        },
        { name: 'empty', trigger: {} },
      ]),
    ).toEqual([
      '0.trigger.exec.argv.1: argv is never templated: read alert labels from ALERT_<LABEL> environment variables or the alert JSON on stdin',
      '0.trigger.exec.env.ALERT_INSTANCE: ALERT_* variables are reserved for alert data',
      '0.trigger.exec.env.BAD-NAME: must be an environment variable name ([A-Za-z_][A-Za-z0-9_]*)',
      '0.rollback: a step needs exactly one of "http", "exec" or "lsp"',
      '0: Unrecognized key: "retries"',
      '1.trigger: a step needs exactly one of "http", "exec" or "lsp"',
    ]);
  });

  it('keeps Go-template arguments that are not our placeholders', () => {
    const parsed = actionDefinitionSchema.parse({ name: 'k', trigger: { exec: { argv: ['kubectl', 'get', 'pod', '-o', 'go-template={{.metadata.name}}'] } } });
    expect(parsed.trigger).toEqual({ exec: { argv: ['kubectl', 'get', 'pod', '-o', 'go-template={{.metadata.name}}'] } });
  });

  it('checks http urls and body placeholders', () => {
    expect(
      problems([
        { name: 'host', trigger: { http: { url: 'http://{{ labels.instance }}/scale' } } },
        { name: 'scheme', trigger: { http: { url: 'file:///etc/passwd' } } },
        { name: 'relative', trigger: { http: { url: '/scale' } } },
        { name: 'unknown', trigger: { http: { url: 'http://h/{{ labels.job }}', body: { a: [{ b: 'x {{ alert.name }}' }] } } } },
        { name: 'method', trigger: { http: { url: 'http://h/', method: 'TRACE' } } },
        { name: 'label', match: { 'not-a-label': 'x' }, trigger: { http: { url: 'http://h/' } } },
      ]),
    ).toEqual([
      '0.trigger.http.url: placeholders may appear only in the path or query of url, never in the scheme, host or port',
      '1.trigger.http.url: unsupported url scheme "file:": use http or https',
      '2.trigger.http.url: invalid url "/scale": use an absolute http:// or https:// URL',
      '3.trigger.http.body.a.0.b: unknown placeholder "{{ alert.name }}": use {{ labels.NAME }}, {{ annotations.NAME }}, {{ fingerprint }}, {{ episode }}, {{ status }}, {{ phase }}, {{ starts_at }} or {{ ends_at }}',
      '4.trigger.http.method: Invalid option: expected one of "GET"|"POST"|"PUT"|"PATCH"|"DELETE"',
      '5.match.not-a-label: must be a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)',
    ]);
  });
});

describe('an http action url: scheme, host and port fixed at config time', () => {
  it.each([
    'http:{{ labels.host }}:8080/x',
    'http:///{{ labels.host }}/x',
    'http:\\\\{{ labels.host }}/x',
    'https:/{{ labels.host }}',
    'http://{{ labels.user }}@ops.example/x',
    'http://ops.example:{{ labels.port }}/x',
  ])('refuses %s', (url) => {
    expect(problems([{ name: 'a', trigger: { http: { url } } }])).toEqual([
      '0.trigger.http.url: placeholders may appear only in the path or query of url, never in the scheme, host or port',
    ]);
  });

  it.each([
    'https://ops.example:8443/scale/{{ labels.job }}?reason={{ annotations.summary }}',
    'http://127.0.0.1/{{ labels.host }}:8080/x',
    'http:ops.example/{{ labels.job }}',
  ])('accepts %s', (url) => {
    expect(actionDefinitionsSchema.safeParse([{ name: 'a', trigger: { http: { url } } }]).success).toBe(true);
  });
});

describe('examples/actions', () => {
  const dir = fileURLToPath(new URL('../../../../examples/actions/', import.meta.url));
  const files = readdirSync(dir).filter((name) => /\.ya?ml$/.test(name));

  it('has the four seed responses', () => {
    expect(files.length).toBeGreaterThanOrEqual(4);
  });

  it.each(files)('%s parses as bridge.actions.definitions and as a whole bridge section', (file) => {
    const document = load(readFileSync(`${dir}${file}`, 'utf8')) as { bridge?: { actions?: { definitions?: unknown } } };
    const result = actionDefinitionsSchema.safeParse(document.bridge?.actions?.definitions);
    expect(result.error?.issues ?? []).toEqual([]);
    expect(result.data?.length).toBeGreaterThan(0);
    // The same file through the real config section, so the examples cannot drift from where the list lives.
    const section = bridgeSchema.safeParse(document.bridge);
    expect(section.error?.issues ?? []).toEqual([]);
    expect(section.data?.actions.definitions.map((d) => d.name)).toEqual(result.data?.map((d) => d.name));
  });
});
