import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { SERVE_SETTINGS } from '../../../src/config/settings.js';
import { problemsOf } from '../../support/config-problems.js';
import { collectorsConfig } from './support.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ide-monitor-process-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function loadYaml(text: string) {
  const file = path.join(dir, `c${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(file, text);
  return { file, load: () => loadConfig({ file, env: {}, flags: new Map(), settings: SERVE_SETTINGS }) };
}

describe('collectors.process config', () => {
  it('is on by default with no groups and a 5 minute restart window', () => {
    expect(collectorsConfig().process).toEqual({ enabled: true, groups: [], restart_window: 300_000 });
  });

  it('reads the documented example, one comm name or a list, and ORed matchers', () => {
    const { load } = loadYaml(`collectors:
  process:
    restart_window: 10m
    groups:
      - name: typescript-language-server
        cmdline: 'typescript-language-server'
      - name: rust-analyzer
        comm: [rust-analyzer]
      - name: ide-backend
        pid_file: /run/ide-backend.pid
      - name: pyright
        comm: pyright-langserver
        cmdline: 'pyright.*--stdio'
`);
    const process = load().collectors.process;
    expect(process.restart_window).toBe(600_000);
    expect(process.groups).toEqual([
      { name: 'typescript-language-server', cmdline: 'typescript-language-server' },
      { name: 'rust-analyzer', comm: ['rust-analyzer'] },
      { name: 'ide-backend', pid_file: '/run/ide-backend.pid' },
      { name: 'pyright', comm: ['pyright-langserver'], cmdline: 'pyright.*--stdio' },
    ]);
  });

  it('names the line and path of each bad group', () => {
    const { file, load } = loadYaml(`collectors:
  process:
    groups:
      - name: ok
        comm: ok
      - name: ok
        comm: again
      - name: 'has space'
        comm: x
      - name: no-matcher
      - name: bad-regex
        cmdline: '(['
      - name: empty-list
        comm: []
      - name: typo
        cmdlien: x
`);
    const problems = problemsOf(load);
    // Every problem names the file (and a line; the locator stops at the \`groups\` list) and the group's path.
    for (const p of problems) expect(p.startsWith(`${file}:`)).toBe(true);
    expect(problems.map((p) => p.replace(/^\S+ /, '')).sort()).toEqual([
      'collectors.process.groups.1.name: duplicate group name "ok" (already used by groups.0)',
      'collectors.process.groups.2.name: must be letters, digits, "_", ".", ":" or "-", not starting with a punctuation mark',
      'collectors.process.groups.3: group "no-matcher" needs a matcher: comm, cmdline or pid_file',
      'collectors.process.groups.4.cmdline: invalid regular expression "([": Unterminated character class',
      'collectors.process.groups.5.comm: must list at least one name',
      'collectors.process.groups.6.cmdlien: unknown setting; check its spelling and indentation against the README',
      'collectors.process.groups.6: group "typo" needs a matcher: comm, cmdline or pid_file',
    ]);
  });
});
