import { humanSeconds, num, percent } from '../promql.js';
import type { Level } from '../thresholds.js';
import { defineAlert, forText, record, type AlertDefinition, type RuleArea, type RuleContext } from './model.js';
import { LSP_FOLDED, OLDEST_IN_FLIGHT, REC } from './records.js';

/** RED for language servers: latency per method against its budget, errors, and the server's own state. */
export function lspRules(ctx: RuleContext): RuleArea {
  const { m } = ctx;
  const t = ctx.config.thresholds;
  // Cancelled requests end when the editor gives up and short-circuited ones never reach the server:
  // neither says how fast the server is.
  const served = 'outcome!~"cancelled|short_circuited"';
  const count = (...matchers: string[]) => `sum without (${LSP_FOLDED}) (rate(${m('ide_lsp_request_duration_seconds_count', ...matchers)}[5m]))`;
  const quantile = (q: number) => `histogram_quantile(${q}, ${REC.lspBuckets})`;
  return {
    file: 'lsp',
    title: 'LSP operations',
    recording: [
      record(REC.lspBuckets, `sum without (${LSP_FOLDED}) (rate(${m('ide_lsp_request_duration_seconds_bucket', served)}[5m]))`),
      record(REC.lspP50, quantile(0.5)),
      record(REC.lspP95, quantile(0.95)),
      record(REC.lspP99, quantile(0.99)),
      record(REC.lspRequests, count()),
      // `or … * 0` yields 0 rather than nothing for methods that have never failed, so panels show 0 %.
      record(
        REC.lspErrorRatio,
        `
        (
          ${count('outcome="error"')}
        or
          ${count('outcome!="short_circuited"')} * 0
        )
        /
        ${count('outcome!="short_circuited"')}`,
      ),
    ],
    alerts: [
      ...Object.entries(t.lspLatencyBudgets).flatMap(([method, budget]) => latencyBudget(ctx, method, budget.levels)),
      ...defineAlert(ctx, {
        name: 'IdeLspErrorRatioHigh',
        dashboard: 'lsp',
        panel: 'Error ratio by method',
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
        condition: (l) => `error ratio per server and method > ${percent(l.value)} (at least ${num(t.lspErrorRatio.minRequestRate)} req/s)`,
      }),
      ...defineAlert(ctx, {
        name: 'IdeLspServerDown',
        dashboard: 'lsp',
        panel: 'Servers running',
        levels: t.lspServerDown.levels,
        summary: 'A language server is not running.',
        expr: () => `${m('ide_lsp_server_up')} == 0`,
        description: (l) => `Language server {{ $labels.server }} on {{ $labels.instance }} has not been running for more than ${forText(l)}.`,
        condition: () => 'ide_lsp_server_up == 0',
      }),
      ...defineAlert(ctx, {
        name: 'IdeLspServerRestarting',
        dashboard: 'lsp',
        panel: 'Server starts and abnormal exits',
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
        panel: 'Oldest request in flight',
        levels: t.lspRequestsStuck.levels,
        summary: 'A request to a language server stays unanswered.',
        // The age of the oldest unanswered editor request, not the in-flight count: a steady stream of short
        // requests keeps the count above 0 at every evaluation while each one is answered in milliseconds.
        expr: (l) => `${m(OLDEST_IN_FLIGHT)} > ${num(l.value)}`,
        description: (l) =>
          `The oldest editor request to {{ $labels.server }} on {{ $labels.instance }} has waited {{ $value | humanizeDuration }} for an answer (threshold ${humanSeconds(l.value)}).`,
        condition: (l) => `oldest editor request in flight older than ${humanSeconds(l.value)}`,
      }),
    ],
  };
}

function latencyBudget(ctx: RuleContext, method: string, levels: readonly Level[]): AlertDefinition[] {
  const minRate = ctx.config.thresholds.lspLatencyBudgetMinRequestRate;
  return defineAlert(ctx, {
    name: `IdeLsp${methodAlertName(method)}Slow`,
    dashboard: 'lsp',
    panel: 'p95 latency by method',
    levels,
    summary: `Requests for ${method} are slower than their budget.`,
    // A p95 over a handful of requests is the slowest of them: no budget alert below the minimum traffic.
    expr: (l) => `
      (
        ${REC.lspP95}{method="${method}"} > ${num(l.value)}
      and
        ${REC.lspRequests}{method="${method}"} > ${num(minRate)}
      )`,
    description: (l) =>
      `The p95 latency of ${method} on {{ $labels.server }} ({{ $labels.instance }}) has been {{ $value | humanizeDuration }} for more than ${forText(l)} (budget ${humanSeconds(l.value)}).`,
    condition: (l) => `p95 of ${method} > ${humanSeconds(l.value)} (at least ${num(minRate)} req/s)`,
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
