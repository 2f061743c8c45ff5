// Formatting shared by the benchmark sections, so every table reads the same way.

export const fmt = (x, digits) => (Number.isFinite(x) ? x.toFixed(digits) : String(x));

/** `median (min–max)` across rounds; a lone number when every round agreed at the shown precision. */
export function spread({ median, min, max }, digits, scale = 1) {
  const [m, lo, hi] = [median, min, max].map((x) => fmt(x * scale, digits));
  return lo === hi ? m : `${m} (${lo}–${hi})`;
}

export const mark = (ok) => (ok ? '✅ pass' : '❌ fail');

export function table(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** A figure sampled once (or a section that runs once) in the `{ median, min, max }` shape. */
export const once = (x) => ({ median: x, min: x, max: x });

/**
 * @typedef {object} Headline One row of the summary, as a section's `run` returns them in `headline`.
 * @property {string} figure what is measured ("scrape latency p99")
 * @property {string} [unit] "ms", "msg/s", …
 * @property {number} digits decimals shown for ours and reference
 * @property {{ median: number, min: number, max: number } | number} ours median (min–max) across rounds, or a figure sampled once
 * @property {{ median: number, min: number, max: number } | number} [reference] the same figure of what ours is compared with, measured in the same rounds
 * @property {string} [referenceName] "node_exporter", "direct", …
 * @property {{ median: number, min: number, max: number }} [ratio] ours / reference taken per round, then summarised
 * @property {'lower' | 'higher'} [better] which direction is better, shown as ↓ or ↑
 * @property {string} [target] the target, with the compared value when it is not `ours` itself
 * @property {boolean} [pass] undefined without a target
 */

const asSpread = (x) => (typeof x === 'number' ? once(x) : x);
const arrow = { lower: ' ↓', higher: ' ↑' };

/** The summary: one row per headline figure of every section, in section order. */
export function summaryTable(rows) {
  const result = (pass) => (pass === undefined ? '' : pass ? '✅' : '❌');
  return table(
    ['section', 'figure', 'ours', 'reference', 'ratio ours/ref', 'target', 'result'],
    rows.map((r) => [
      r.section,
      `${r.figure}${r.unit ? ` (${r.unit})` : ''}${arrow[r.better] ?? ''}`,
      r.ours === undefined ? '' : spread(asSpread(r.ours), r.digits),
      r.reference === undefined ? '' : `${spread(asSpread(r.reference), r.digits)} ${r.referenceName}`,
      r.ratio === undefined ? '' : spread(r.ratio, 2),
      r.target ?? '',
      result(r.pass),
    ]),
  );
}
