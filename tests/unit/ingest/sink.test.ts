import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { ingestBatchSchema, type IngestBatchInput } from '../../../src/ingest/schema.js';
import { IngestSink } from '../../../src/ingest/sink.js';
import { batchOf, EXAMPLES } from './examples.js';

const CONFIG = { max_label_values: 100, allowlists: {}, instance_stale_after: 60_000, server_retention: 900_000 };

function setup(config: Partial<typeof CONFIG> = {}) {
  const registry = new Registry();
  const clock = { now: 0 };
  const sink = new IngestSink({ registry, config: { ...CONFIG, ...config }, now: () => clock.now });
  const apply = (batch: IngestBatchInput) => sink.apply(ingestBatchSchema.parse(batch), 'remote:127.0.0.1');
  /** `name{a="b",…}` → value, for every sample of the registry (buckets included). */
  const samples = async (): Promise<Record<string, number>> => {
    const out: Record<string, number> = {};
    for (const metric of await registry.getMetricsAsJSON()) {
      for (const v of metric.values) {
        const name = (v as { metricName?: string }).metricName ?? metric.name;
        const labels = Object.entries(v.labels)
          .map(([k, l]) => `${k}="${String(l)}"`)
          .join(',');
        out[`${name}{${labels}}`] = v.value;
      }
    }
    return out;
  };
  return { registry, clock, sink, apply, samples };
}

describe('IngestSink: observations to metrics', () => {
  it('maps one observation of every kind to the contract metrics', async () => {
    const { apply, samples } = setup();
    apply(batchOf(Object.values(EXAMPLES), 'proxy-1'));
    const s = await samples();
    const hover = 'server="tsserver",method="textDocument/hover",outcome="ok"';
    expect(s[`ide_lsp_request_duration_seconds_count{${hover}}`]).toBe(1);
    expect(s[`ide_lsp_request_duration_seconds_sum{${hover}}`]).toBe(0.004);
    expect(s[`ide_lsp_request_duration_seconds_bucket{${hover},le="0.0025"}`]).toBe(0);
    expect(s[`ide_lsp_request_duration_seconds_bucket{${hover},le="0.005"}`]).toBe(1);
    expect(s[`ide_lsp_request_duration_seconds_bucket{${hover},le="+Inf"}`]).toBe(1);
    expect(s['ide_lsp_notifications_total{server="tsserver",method="textDocument/didChange",direction="client_to_server"}']).toBe(1);
    expect(s['ide_lsp_message_bytes_total{server="tsserver",direction="server_to_client"}']).toBe(2048);
    expect(s['ide_lsp_server_exits_total{server="tsserver",code="1"}']).toBe(1);
    expect(s['ide_lsp_proxy_observations_dropped_total{server="tsserver"}']).toBe(7);
    expect(s['ide_app_operation_duration_seconds_count{operation="ui_refresh",outcome="ok"}']).toBe(1);
    expect(s['ide_app_operation_duration_seconds_bucket{operation="ui_refresh",outcome="ok",le="0.25"}']).toBe(1);
    expect(s['ide_app_operation_duration_seconds_bucket{operation="ui_refresh",outcome="ok",le="0.1"}']).toBe(0);
    expect(s['ide_app_cache_requests_total{cache="symbols",result="hit"}']).toBe(1);
    // The exit came before the state in the batch; the state (up) is the latest word.
    expect(s['ide_lsp_server_up{server="tsserver"}']).toBe(1);
    expect(s['ide_lsp_requests_in_flight{server="tsserver",direction="client_to_server"}']).toBe(2);
    expect(s['ide_lsp_requests_in_flight{server="tsserver",direction="server_to_client"}']).toBe(1);
    expect(s['ide_lsp_diagnostics{server="tsserver",severity="warning"}']).toBe(5);
    expect(s['ide_ingest_batches_total{outcome="accepted"}']).toBe(1);
    expect(s['ide_ingest_batches_total{outcome="invalid"}']).toBe(0);
    for (const kind of Object.keys(EXAMPLES)) expect(s[`ide_ingest_observations_total{kind="${kind}"}`]).toBe(1);
  });

  it('renders through prom-client too (cumulative buckets, _sum and _count)', async () => {
    const { apply, registry } = setup();
    apply(batchOf([0.0005, 0.003, 0.003, 20].map((d) => ({ ...EXAMPLES.operation, duration_seconds: d }))));
    const text = await registry.getSingleMetricAsString('ide_app_operation_duration_seconds');
    const lines = text.split('\n');
    expect(lines).toContain('# TYPE ide_app_operation_duration_seconds histogram');
    expect(lines).toContain('ide_app_operation_duration_seconds_bucket{operation="ui_refresh",outcome="ok",le="0.001"} 1');
    expect(lines).toContain('ide_app_operation_duration_seconds_bucket{operation="ui_refresh",outcome="ok",le="0.005"} 3');
    expect(lines).toContain('ide_app_operation_duration_seconds_bucket{operation="ui_refresh",outcome="ok",le="10"} 3');
    expect(lines).toContain('ide_app_operation_duration_seconds_bucket{operation="ui_refresh",outcome="ok",le="+Inf"} 4');
    expect(lines).toContain('ide_app_operation_duration_seconds_sum{operation="ui_refresh",outcome="ok"} 20.0065');
    expect(lines).toContain('ide_app_operation_duration_seconds_count{operation="ui_refresh",outcome="ok"} 4');
    registry.resetMetrics();
    expect((await registry.getSingleMetricAsString('ide_app_operation_duration_seconds')).split('\n')).toHaveLength(2);
  });

  it('sums counters and deltas across batches', async () => {
    const { apply, samples } = setup();
    apply(batchOf([EXAMPLES.cache, { ...EXAMPLES.cache, count: 4 }, { kind: 'cache', cache: 'symbols', result: 'miss', count: 2 }]));
    apply(batchOf([{ ...EXAMPLES.lsp_bytes, bytes: 10 }, EXAMPLES.lsp_bytes]));
    const s = await samples();
    expect(s['ide_app_cache_requests_total{cache="symbols",result="hit"}']).toBe(5);
    expect(s['ide_app_cache_requests_total{cache="symbols",result="miss"}']).toBe(2);
    expect(s['ide_lsp_message_bytes_total{server="tsserver",direction="server_to_client"}']).toBe(2058);
    expect(s['ide_ingest_observations_total{kind="cache"}']).toBe(3);
  });

  it('counts errors by code, "unknown" without one, and cancelled requests answered with an error', async () => {
    const { apply, samples } = setup();
    const req = EXAMPLES.lsp_request;
    apply(
      batchOf([
        { ...req, outcome: 'error', error_code: -32603 },
        { ...req, outcome: 'error', error_code: -32603 },
        { ...req, outcome: 'error' },
        { ...req, outcome: 'cancelled', error_code: -32800 },
        { ...req, outcome: 'cancelled' },
      ]),
    );
    const s = await samples();
    const e = (code: string) => s[`ide_lsp_request_errors_total{server="tsserver",method="textDocument/hover",code="${code}"}`];
    expect([e('-32603'), e('unknown'), e('-32800')]).toEqual([2, 1, 1]);
    expect(s['ide_lsp_request_duration_seconds_count{server="tsserver",method="textDocument/hover",outcome="cancelled"}']).toBe(2);
  });

  it('folds non-spec methods and overflowing operations into other, counting each fold', async () => {
    const { apply, samples } = setup({ max_label_values: 2 });
    apply(
      batchOf([
        { ...EXAMPLES.lsp_request, method: 'typescript/organizeImports' },
        ...['a', 'b', 'c', 'd'].map((operation) => ({ ...EXAMPLES.operation, operation })),
      ]),
    );
    const s = await samples();
    expect(s['ide_lsp_request_duration_seconds_count{server="tsserver",method="other",outcome="ok"}']).toBe(1);
    expect(s['ide_app_operation_duration_seconds_count{operation="a",outcome="ok"}']).toBe(1);
    expect(s['ide_app_operation_duration_seconds_count{operation="other",outcome="ok"}']).toBe(2);
    expect(s['ide_ingest_label_overflow_total{metric="ide_lsp_request_duration_seconds"}']).toBe(1);
    expect(s['ide_ingest_label_overflow_total{metric="ide_app_operation_duration_seconds"}']).toBe(2);
  });

  it('uses the allowlist instead of the cap when one is configured', async () => {
    const { apply, samples } = setup({ allowlists: { cache: ['symbols'] } });
    apply(batchOf([EXAMPLES.cache, { ...EXAMPLES.cache, cache: 'files' }]));
    const s = await samples();
    expect(s['ide_app_cache_requests_total{cache="symbols",result="hit"}']).toBe(1);
    expect(s['ide_app_cache_requests_total{cache="other",result="hit"}']).toBe(1);
    expect(s['ide_ingest_label_overflow_total{metric="ide_app_cache_requests_total"}']).toBe(1);
  });

  it('exports the oldest waiting request per server, the longest over its instances (IdeLspRequestsStuck reads it)', async () => {
    const { apply, samples } = setup();
    apply(batchOf([{ ...EXAMPLES.lsp_state, server: 'pyright', oldest_in_flight_seconds: 130.5 }], 'proxy-1'));
    apply(batchOf([{ ...EXAMPLES.lsp_state, server: 'pyright', oldest_in_flight_seconds: 2 }], 'proxy-2'));
    apply(batchOf([{ ...EXAMPLES.lsp_state, server: 'gopls' }], 'proxy-3'));
    const s = await samples();
    expect(s['ide_lsp_oldest_inflight_request_age_seconds{server="pyright"}']).toBe(130.5);
    expect(s['ide_lsp_oldest_inflight_request_age_seconds{server="gopls"}']).toBe(0);
  });

  it('computes the gauges at scrape time: an expired instance vanishes, its server stays 0 for the retention', async () => {
    const { apply, clock, samples } = setup();
    apply(
      batchOf(
        [
          { kind: 'lsp_server', server: 'gopls', event: 'start' },
          { ...EXAMPLES.lsp_state, server: 'gopls' },
        ],
        'proxy-1',
      ),
    );
    apply(batchOf([{ ...EXAMPLES.lsp_state, server: 'gopls' }], 'proxy-2'));
    let s = await samples();
    expect(s['ide_lsp_server_starts_total{server="gopls"}']).toBe(1);
    expect(s['ide_lsp_requests_in_flight{server="gopls",direction="client_to_server"}']).toBe(4);
    clock.now = 30_000;
    apply(batchOf([], 'proxy-2'));
    clock.now = 61_000;
    s = await samples();
    expect(s['ide_lsp_requests_in_flight{server="gopls",direction="client_to_server"}']).toBe(2);
    expect(s['ide_lsp_server_up{server="gopls"}']).toBe(1);
    clock.now = 91_000;
    s = await samples();
    expect(s['ide_lsp_server_up{server="gopls"}']).toBe(0);
    expect(s['ide_lsp_requests_in_flight{server="gopls",direction="client_to_server"}']).toBeUndefined();
    expect(s['ide_lsp_diagnostics{server="gopls",severity="error"}']).toBeUndefined();
    clock.now = 91_000 + 900_000;
    s = await samples();
    expect(s['ide_lsp_server_up{server="gopls"}']).toBeUndefined();
  });

  it('a clean exit (code 0) counts and drops the server; state without an instance is kept per remote address', async () => {
    const { apply, samples } = setup();
    apply(batchOf([EXAMPLES.lsp_state]));
    expect((await samples())['ide_lsp_server_up{server="tsserver"}']).toBe(1);
    // As the proxy sends its last batch: the exit, then its final state.
    apply(
      batchOf([
        { kind: 'lsp_server', server: 'tsserver', event: 'exit', code: 0 },
        { ...EXAMPLES.lsp_state, up: false },
      ]),
    );
    const s = await samples();
    expect(s['ide_lsp_server_exits_total{server="tsserver",code="0"}']).toBe(1);
    expect(s['ide_lsp_server_up{server="tsserver"}']).toBeUndefined();
  });
});

describe('IngestSink: version 2 (control channel)', () => {
  const state = (breakers?: string[]) => ({
    kind: 'lsp_state' as const,
    server: 'ts',
    up: true,
    in_flight: { client_to_server: 0, server_to_client: 0 },
    diagnostics: { error: 0, warning: 0, information: 0, hint: 0 },
    ...(breakers !== undefined && { breakers }),
  });

  it('counts an exit after the editor went away as a client disconnect: not an exit, and the server is not down', async () => {
    const { apply, samples } = setup();
    apply(batchOf([{ kind: 'lsp_server', server: 'ts', event: 'start' }], 'p'));
    apply(
      batchOf(
        [
          { kind: 'lsp_server', server: 'ts', event: 'exit', code: 1, cause: 'client_disconnect' },
          { ...state(), up: false },
        ],
        'p',
      ),
    );
    const s = await samples();
    expect(s['ide_lsp_server_client_disconnects_total{server="ts"}']).toBe(1);
    expect(s['ide_lsp_server_exits_total{server="ts",code="1"}']).toBeUndefined();
    expect(s['ide_lsp_server_up{server="ts"}']).toBeUndefined();
  });

  it('counts restarts by reason and exports open breakers per pattern, summed over live proxies', async () => {
    const { apply, samples, clock } = setup();
    apply(
      batchOf(
        [{ kind: 'lsp_restart', server: 'ts', reason: 'command' }, { kind: 'lsp_restart', server: 'ts', reason: 'crash' }, state(['textDocument/*'])],
        'p1',
      ),
    );
    apply(batchOf([state(['textDocument/*', 'workspace/symbol'])], 'p2'));
    let s = await samples();
    expect(s['ide_lsp_proxy_restarts_total{server="ts",reason="command"}']).toBe(1);
    expect(s['ide_lsp_proxy_restarts_total{server="ts",reason="crash"}']).toBe(1);
    expect(s['ide_lsp_proxy_breaker_open{server="ts",method="textDocument/*"}']).toBe(2);
    expect(s['ide_lsp_proxy_breaker_open{server="ts",method="workspace/symbol"}']).toBe(1);
    apply(batchOf([state([])], 'p2'));
    clock.now = 61_000; // p1 stopped reporting: its breakers no longer count
    apply(batchOf([state([])], 'p2'));
    s = await samples();
    expect(Object.keys(s).filter((k) => k.startsWith('ide_lsp_proxy_breaker_open'))).toEqual([]);
  });

  it('refuses version 2 content in a version 1 batch, naming the field', () => {
    const parsed = ingestBatchSchema.safeParse({ version: 1, observations: [{ kind: 'lsp_restart', server: 'ts', reason: 'crash' }] });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]).toMatchObject({ path: ['observations', 0], message: expect.stringMatching(/needs "version": 2/) });
  });
});
