import { parser } from '@prometheus-io/lezer-promql';

/**
 * A small static view of a PromQL expression, parsed with Prometheus' own lezer grammar: enough to port
 * the dashboard-linter and mixtool checks to TypeScript (no Go on CI).
 */

/** lezer's node type, named through the parser we depend on (@lezer/common is only its dependency, not ours). */
type SyntaxNode = ReturnType<typeof parser.parse>['topNode'];

/** Grafana's `$__rate_interval` is not PromQL; it parses as this duration so we can still find it. */
export const RATE_INTERVAL_STANDIN = '4242s';

interface Matcher {
  readonly name: string;
  readonly op: string;
  readonly value: string;
}

interface SelectorInfo {
  /** The metric name, or '' for a selector without one. */
  readonly metric: string;
  readonly matchers: readonly Matcher[];
  /** The range of the enclosing matrix selector (`5m`), if any. */
  readonly range: string | undefined;
  /** The nearest enclosing function or aggregation, if any (`rate`, `histogram_quantile`, `count`, …). */
  readonly func: string | undefined;
}

export interface ParsedExpr {
  readonly errors: readonly string[];
  readonly selectors: readonly SelectorInfo[];
  /** Each range-vector function call with the range it reads: rate → 5m. */
  readonly rangeCalls: readonly { readonly func: string; readonly range: string }[];
}

/** Replaces Grafana's template variables with PromQL that keeps the expression's shape. */
export function fromGrafana(expr: string): string {
  return expr.replaceAll('$__rate_interval', RATE_INTERVAL_STANDIN).replaceAll('$__interval', '1m').replaceAll('$__range', '1h');
}

export function parsePromql(expr: string): ParsedExpr {
  const tree = parser.parse(expr);
  const errors: string[] = [];
  const selectors: SelectorInfo[] = [];
  const rangeCalls: { func: string; range: string }[] = [];
  const text = (node: SyntaxNode | null) => (node === null ? '' : expr.slice(node.from, node.to));
  tree.iterate({
    enter(ref) {
      if (ref.type.isError) errors.push(`syntax error at ${ref.from}: ${JSON.stringify(expr.slice(Math.max(0, ref.from - 20), ref.to + 20))}`);
      const node = ref.node;
      if (ref.name === 'VectorSelector') {
        const matrix = node.parent?.name === 'MatrixSelector' ? node.parent : null;
        selectors.push({
          metric: text(node.getChild('Identifier')),
          matchers: matchersOf(node, text),
          range: matrix === null ? undefined : text(matrix.getChild('DurationExpr') ?? matrix.lastChild),
          func: enclosingFunction(node, text),
        });
      }
      if (ref.name === 'MatrixSelector') {
        const func = enclosingFunction(node, text);
        if (func !== undefined) rangeCalls.push({ func, range: text(node.getChild('DurationExpr') ?? node.lastChild) });
      }
    },
  });
  return { errors, selectors, rangeCalls };
}

function matchersOf(selector: SyntaxNode, text: (n: SyntaxNode | null) => string): Matcher[] {
  const list = selector.getChild('LabelMatchers');
  if (list === null) return [];
  const out: Matcher[] = [];
  for (let child = list.firstChild; child !== null; child = child.nextSibling) {
    if (!child.name.endsWith('LabelMatcher')) continue;
    const value = text(child.getChild('StringLiteral'));
    out.push({ name: text(child.getChild('LabelName')), op: text(child.getChild('MatchOp')), value: value.slice(1, -1) });
  }
  return out;
}

function enclosingFunction(node: SyntaxNode, text: (n: SyntaxNode | null) => string): string | undefined {
  for (let p = node.parent; p !== null; p = p.parent) {
    if (p.name === 'FunctionCall') return text(p.getChild('FunctionIdentifier'));
    if (p.name === 'AggregateExpr') return text(p.getChild('AggregateOp'));
    if (p.name === 'BinaryExpr') return undefined;
  }
  return undefined;
}

/** Prometheus durations in seconds (`1h30m`, `4242s`). */
export function durationSeconds(duration: string): number {
  const units: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };
  let total = 0;
  for (const [, amount, unit] of duration.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) total += Number(amount) * (units[unit ?? ''] ?? NaN);
  return total;
}

/** What may read a counter: the rate functions, and aggregations that count series rather than add values. */
export const COUNTER_FUNCTIONS = new Set(['rate', 'irate', 'increase', 'count', 'group']);
