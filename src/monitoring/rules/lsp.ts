import { humanSeconds, num, percent } from '../promql.js';
import type { Level } from '../thresholds.js';
import { defineAlert, forText, record, type AlertDefinition, type RuleArea, type RuleContext } from './model.js';
import { LSP_BY, REC } from './records.js';

/** RED for language servers: latency per method against its budget, errors, and the server's own state. */
export function lspRules(ctx: RuleContext): RuleArea {
  const { m } = ctx;
  const t = ctx.config.thresholds;
  // Cancelled requests end when the editor gives up and short-circuited ones never reach the server:
  // neither says how fast the server is.
  const served = 'outcome!~"cancelled|short_circuited"';
  const count = (...matchers: string[]) => `sum by (${LSP_BY}) (rate(${m('ide_lsp_request_duration_seconds_count', ...matchers)}[5m]))`;
  const quantile = (q: number) => `histogram_quantile(${q}, ${REC.lspBuckets})`;
  return {
    file: 'lsp',
    title: 'LSP operations',
    recording: [
      record(REC.lspBuckets, `sum by (${LSP_BY}, le) (rate(${m('ide_lsp_request_duration_seconds_bucket', served)}[5m]))`),
      record(REC.lspP50, quantile(0.5)),
      record(REC.lspP95, quantile(0.95)),
      record(REC.lspP99, quantile(0.99)),
      record(REC.lspRequests, count()),
      // `or … * 0` yields 0 rather than nothing for methods that have never failed, so panels show 0 %.
      record(REC.lspErrorRatio, `
        (
          ${count('outcome="error"')}
        or
          ${count('outcome!="short_circuited"')} * 0
        )
        /
        ${count('outcome!="short_circuited"')}`),
    ],
    alerts: [
      ...Object.entries(t.lspLatencyBudgets).flatMap(([method, budget]) => latencyBudget(ctx, method, budget.levels)),
      ...defineAlert(ctx, {
        name: 'IdeLspErrorRatioHigh',
        dashboard: 'lsp',
        levels: t.lspErrorRatio.levels,
        summary: 'A language server answers too many requests with errors.',
        expr: (l) => `
          (
            ${REC.lspErrorRatio} > ${num(l.value)}
          and
            ${REC.lspRequests} > ${num(t.lspErrorRatio.minRequestRate)}
          )`,
        description: (l) =>
          `{{ $value | humanizePercentage }} of {{ $labels.method }} requests to {{ $labels.server }} on {{ $labels.instance }} have failed for more than ${forText(l)} (threshold ${percent(l.value)}).`,
        condition: (l) =>
          `error ratio per server and method > ${percent(l.value)} (at least ${num(t.lspErrorRatio.minRequestRate)} req/s)`,
      }),
      ...defineAlert(ctx, {
        name: 'IdeLspServerDown',
        dashboard: 'lsp',
        levels: t.lspServerDown.levels,
        summary: 'A language server is not running.',
        expr: () => `${m('ide_lsp_server_up')} == 0`,
        description: (l) => `Language server {{ $labels.server }} on {{ $labels.instance }} has not been running for more than ${forText(l)}.`,
        condition: () => 'ide_lsp_server_up == 0',
      }),
      ...defineAlert(ctx, {
        name: 'IdeLspServerRestarting',
        dashboard: 'lsp',
        levels: t.lspServerRestarting.levels,
        summary: 'A language server keeps exiting abnormally.',
        expr: (l) => `sum without (code) (increase(${m('ide_lsp_server_exits_total', 'code!="0"')}[${t.lspServerRestarting.window}])) > ${num(l.value)}`,
        description: () =>
          `Language server {{ $labels.server }} on {{ $labels.instance }} exited abnormally {{ printf "%.0f" $value }} times in the last ${t.lspServerRestarting.window}.`,
        condition: (l) => `more than ${num(l.value)} non-zero exits in ${t.lspServerRestarting.window}`,
      }),
      ...defineAlert(ctx, {
        name: 'IdeLspRequestsStuck',
        dashboard: 'lsp',
        levels: t.lspRequestsStuck.levels,
        summary: 'Requests to a language server stay unanswered.',
        // At every evaluation for `for`: a busy server drains its queue now and then, a stuck one never does.
        expr: (l) => `${m('ide_lsp_requests_in_flight', 'direction="client_to_server"')} > ${num(l.value)}`,
        description: (l) =>
          `{{ $value }} editor requests to {{ $labels.server }} on {{ $labels.instance }} have been in flight without interruption for more than ${forText(l)}.`,
        condition: (l) => `editor requests in flight > ${num(l.value)} at every evaluation`,
      }),
    ],
  };
}

function latencyBudget(ctx: RuleContext, method: string, levels: readonly Level[]): AlertDefinition[] {
  return defineAlert(ctx, {
    name: `IdeLsp${methodAlertName(method)}Slow`,
    dashboard: 'lsp',
    levels,
    summary: `Requests for ${method} are slower than their budget.`,
    expr: (l) => `${REC.lspP95}{method="${method}"} > ${num(l.value)}`,
    description: (l) =>
      `The p95 latency of ${method} on {{ $labels.server }} ({{ $labels.instance }}) has been {{ $value | humanizeDuration }} for more than ${forText(l)} (budget ${humanSeconds(l.value)}).`,
    condition: (l) => `p95 of ${method} > ${humanSeconds(l.value)}`,
  });
}

/** `textDocument/completion` → `Completion`, `workspace/symbol` → `WorkspaceSymbol`. */
export function methodAlertName(method: string): string {
  return method
    .replace(/^textDocument\//, '')
    .split('/')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
