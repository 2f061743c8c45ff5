import { OLDEST_IN_FLIGHT, REC } from '../rules/records.js';
import { constant, counter, fires, histogram, line, quiet, series, type Scenario, type TestFile } from './model.js';

const SERVER = { server: 'tsserver' };

/** Per method: a bucket whose p95 is just over the budget, and one whose p95 is under it. */
const BUDGETS = [
  { alert: 'IdeLspCompletionSlow', method: 'textDocument/completion', budget: '500ms', over: [0.5, 1], under: [0.25, 0.5], shown: '975ms' },
  { alert: 'IdeLspHoverSlow', method: 'textDocument/hover', budget: '300ms', over: [0.25, 0.5], under: [0.1, 0.25], shown: '487.5ms' },
  { alert: 'IdeLspDefinitionSlow', method: 'textDocument/definition', budget: '500ms', over: [0.5, 1], under: [0.25, 0.5], shown: '975ms' },
  { alert: 'IdeLspReferencesSlow', method: 'textDocument/references', budget: '2s', over: [1, 2.5], under: [0.5, 1], shown: '2.425s' },
  { alert: 'IdeLspWorkspaceSymbolSlow', method: 'workspace/symbol', budget: '1s', over: [1, 2.5], under: [0.5, 1], shown: '2.425s' },
] as const;

const latency = (method: string, [lower, upper]: readonly [number, number], outcome = 'ok') =>
  histogram('ide_lsp_request_duration_seconds', { ...SERVER, method, outcome }, lower, upper, 60);

const budgetScenarios: Scenario[] = BUDGETS.flatMap(({ alert, method, budget, over, under, shown }) => [
  {
    name: `${method} p95 over its ${budget} budget`,
    // Cancelled requests wait for the editor, not the server: they must not count.
    series: [...latency(method, over), ...latency(method, [5, 10], 'cancelled')],
    alerts: [
      ...quiet(alert, '5m'),
      {
        at: '15m',
        alert,
        expect: [
          fires(
            'medium',
            { ...SERVER, method },
            `The p95 latency of ${method} on tsserver (dev:10451) has been ${shown} for more than 10m (budget ${budget}).`,
          ),
        ],
      },
    ],
  },
  { name: `${method} p95 under its ${budget} budget`, series: latency(method, under), alerts: quiet(alert, '15m') },
  {
    // Defect: 2 requests a minute (0.03/s) made a p95 out of the slowest of ten; no budget alert below 0.05/s.
    name: `${method} p95 over its ${budget} budget on a handful of requests`,
    series: histogram('ide_lsp_request_duration_seconds', { ...SERVER, method, outcome: 'ok' }, over[0], over[1], 2),
    alerts: quiet(alert, '15m'),
  },
]);

const HOVER = { ...SERVER, method: 'textDocument/hover' };
const counts = (ok: number, error: number): [string, string][] => [
  [series('ide_lsp_request_duration_seconds_count', { ...HOVER, outcome: 'ok' }), counter(ok)],
  [series('ide_lsp_request_duration_seconds_count', { ...HOVER, outcome: 'error' }), counter(error)],
];

export const lspTests: TestFile = {
  file: 'lsp',
  ruleFiles: ['lsp'],
  scenarios: [
    ...budgetScenarios,
    {
      name: 'Error ratio of 15% is critical after 2 minutes',
      series: counts(51, 9),
      alerts: [
        ...quiet('IdeLspErrorRatioHigh', '2m'),
        {
          at: '10m',
          alert: 'IdeLspErrorRatioHigh',
          expect: [fires('critical', HOVER, '15% of textDocument/hover requests to tsserver on dev:10451 have failed for more than 2m (threshold 10%).')],
        },
      ],
    },
    { name: 'Error ratio of 9.5% is tolerated', series: counts(54.3, 5.7), alerts: quiet('IdeLspErrorRatioHigh', '10m') },
    { name: 'Error ratio of 50% on 3 requests an hour is noise', series: counts(0.025, 0.025), alerts: quiet('IdeLspErrorRatioHigh', '10m') },
    // Defect: 12 requests in 5 minutes, half of them failed, paged as critical; a page needs 0.1 req/s.
    { name: 'Error ratio of 50% on 12 requests in 5 minutes does not page', series: counts(1.2, 1.2), alerts: quiet('IdeLspErrorRatioHigh', '10m') },
    {
      name: 'A method that never failed has an error ratio of 0',
      series: [[series('ide_lsp_request_duration_seconds_count', { ...HOVER, outcome: 'ok' }), counter(60)]],
      exprs: [
        {
          at: '10m',
          expr: REC.lspErrorRatio,
          samples: [{ labels: `${REC.lspErrorRatio}{instance="dev:10451", job="ide-monitor", method="textDocument/hover", server="tsserver"}`, value: 0 }],
        },
      ],
    },
    {
      name: 'Server down for more than a minute',
      series: [[series('ide_lsp_server_up', SERVER), '1x5 0x20']],
      alerts: [
        ...quiet('IdeLspServerDown', '6m'),
        {
          at: '10m',
          alert: 'IdeLspServerDown',
          expect: [fires('high', SERVER, 'Language server tsserver on dev:10451 has not been running for more than 1m.')],
        },
      ],
    },
    {
      // Four crashes in four minutes; clean exits (code 0) are editors closing, not crashes.
      name: 'Server exiting abnormally four times in 15 minutes',
      series: [
        [series('ide_lsp_server_exits_total', { ...SERVER, code: '1' }), '0x10 1 2 3 4x20'],
        [series('ide_lsp_server_exits_total', { ...SERVER, code: '0' }), counter(1, 30)],
      ],
      alerts: [
        {
          at: '20m',
          alert: 'IdeLspServerRestarting',
          expect: [fires('high', SERVER, 'Language server tsserver on dev:10451 exited abnormally 4 times in the last 15m.')],
        },
      ],
    },
    {
      name: 'Server exiting abnormally three times in 15 minutes',
      series: [[series('ide_lsp_server_exits_total', { ...SERVER, code: '1' }), '0x10 1 2 3x20']],
      alerts: quiet('IdeLspServerRestarting', '20m'),
    },
    {
      // The oldest unanswered request ages a minute per minute: it is never answered.
      name: 'A request unanswered for minutes is stuck',
      series: [[series(OLDEST_IN_FLIGHT, SERVER), line(0, 60, 20)]],
      alerts: [
        ...quiet('IdeLspRequestsStuck', '3m'),
        {
          at: '10m',
          alert: 'IdeLspRequestsStuck',
          expect: [fires('medium', SERVER, 'The oldest editor request to tsserver on dev:10451 has waited 10m 0s for an answer (threshold 2m).')],
        },
      ],
    },
    {
      // Defect: two requests in flight at every evaluation fired the alert, though each was answered within
      // 200 ms; the oldest request's age tells a steady stream from a stuck request.
      name: 'A steady stream of short requests is not stuck',
      series: [
        [series('ide_lsp_requests_in_flight', { ...SERVER, direction: 'client_to_server' }), constant(2, 30)],
        [series(OLDEST_IN_FLIGHT, SERVER), constant(0.2, 30)],
      ],
      alerts: quiet('IdeLspRequestsStuck', '15m', '25m'),
    },
    {
      name: 'A slow request answered after a minute is not stuck',
      series: [[series(OLDEST_IN_FLIGHT, SERVER), `${line(0, 30, 2)} 0x27`]],
      alerts: quiet('IdeLspRequestsStuck', '5m', '20m'),
    },
  ],
};
