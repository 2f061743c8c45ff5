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
