import { describe, expect, it } from 'vitest';
import { ActionRunner } from '../../../../src/bridge/actions/runner.js';
import { silentLogger } from '../../../../src/log.js';
import { alert, definition } from './fixtures.js';

const step = { exec: { argv: ['true'] } };

describe('ActionRunner.applicable', () => {
  const definitions = [
    definition({ name: 'exact', match: { alertname: 'IdeLspCompletionSlow', severity: 'critical' }, trigger: step, rollback: step }),
    definition({ name: 'regex', match_re: { instance: 'ide-[0-9]+:.*' }, trigger: step }),
    definition({ name: 'both', match: { severity: 'critical' }, match_re: { alertname: 'IdeLsp.*' }, trigger: step }),
    definition({ name: 'absent', match: { team: '' }, trigger: step }),
    definition({ name: 'everything', trigger: step }),
  ];
  const runner = new ActionRunner({ definitions, dryRun: true, maxConcurrent: 1, logger: silentLogger });
  const names = (labels: Record<string, string>, status: 'firing' | 'resolved' = 'firing') => runner.applicable(alert({ labels, status })).map((d) => d.name);

  it('requires every exact matcher to be equal', () => {
    expect(names({ alertname: 'IdeLspCompletionSlow', severity: 'critical' })).toContain('exact');
    expect(names({ alertname: 'IdeLspCompletionSlow', severity: 'warning' })).not.toContain('exact');
    expect(names({ alertname: 'IdeLspCompletionSlowX', severity: 'critical' })).not.toContain('exact');
  });

  it('anchors regular expressions at both ends, like Alertmanager', () => {
    expect(names({ instance: 'ide-12:10451' })).toContain('regex');
    expect(names({ instance: 'old-ide-12:10451' })).not.toContain('regex');
    expect(names({ instance: 'ide-x:10451' })).not.toContain('regex');
    expect(names({ alertname: 'IdeLspServerDown', severity: 'critical' })).toContain('both');
    expect(names({ alertname: 'MyIdeLspServerDown', severity: 'critical' })).not.toContain('both');
  });

  it('treats a missing label as the empty string', () => {
    expect(names({})).toEqual(['absent', 'everything']);
    expect(names({ team: 'lsp' })).toEqual(['everything']);
  });

  it('offers only actions with a rollback for a resolved alert', () => {
    expect(names({ alertname: 'IdeLspCompletionSlow', severity: 'critical', instance: 'ide-1:1' }, 'firing')).toEqual([
      'exact',
      'regex',
      'both',
      'absent',
      'everything',
    ]);
    expect(names({ alertname: 'IdeLspCompletionSlow', severity: 'critical', instance: 'ide-1:1' }, 'resolved')).toEqual(['exact']);
  });
});
