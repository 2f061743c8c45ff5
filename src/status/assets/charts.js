// The three live charts (uPlot, copied into dist at build time). Data arrives once as history and then one
// point per update; arrays are trimmed to the last 15 minutes so memory stays flat however long a tab is open.
const WINDOW_S = 15 * 60;
const HEIGHT = 170;

const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();
const pct = (x) => (x === null || x === undefined ? null : x * 100);
const ms = (x) => (x === null || x === undefined ? null : x * 1000);

function axis(format) {
  const grid = { stroke: css('--grid'), width: 1 };
  return { stroke: css('--muted'), grid, ticks: grid, values: format, size: 58 };
}

/**
 * Time labels on one line, as short as the tick step allows: uPlot's default adds a date line at each
 * minute and its labels ran into each other on narrow charts. The window is 15 minutes, so a date says nothing.
 */
function timeLabels(_u, ticks) {
  const step = ticks.length > 1 ? ticks[1] - ticks[0] : 60;
  const parts = step < 60 ? { hour: '2-digit', minute: '2-digit', second: '2-digit' } : { hour: '2-digit', minute: '2-digit' };
  return ticks.map((t) => new Date(t * 1000).toLocaleTimeString([], parts));
}

function options(el, labels, { yMax, format }) {
  return {
    width: Math.max(200, el.clientWidth),
    height: HEIGHT,
    legend: { live: false },
    cursor: { drag: { x: false, y: false } },
    scales: {
      x: { time: true },
      y: { range: (_u, _min, max) => [0, yMax ?? Math.max(1, (max ?? 0) * 1.15)] },
    },
    // `space`: the least pixels between two time ticks, wide enough for "12:34:56" with room to spare.
    axes: [{ ...axis(timeLabels), space: 80, size: 36 }, axis((_u, ticks) => ticks.map(format))],
    series: [
      {},
      ...labels.map((label, i) => ({
        label,
        stroke: css(`--series-${(i % 8) + 1}`),
        width: 1.5,
        points: { show: false },
        spanGaps: false,
      })),
    ],
  };
}

class Chart {
  constructor(el, config) {
    this.el = el;
    this.config = config;
    this.labels = [];
    this.plot = null;
    new ResizeObserver(() => this.plot?.setSize({ width: Math.max(200, this.el.clientWidth), height: HEIGHT })).observe(el);
  }

  /** Draws `columns` = [times, ...one array per label]; rebuilds when the set of series changed. */
  draw(labels, columns) {
    const same = labels.length === this.labels.length && labels.every((l, i) => l === this.labels[i]);
    if (!same || this.plot === null) this.rebuild(labels, columns);
    else this.plot.setData(columns);
  }

  rebuild(labels, columns) {
    this.plot?.destroy();
    this.labels = labels;
    this.plot = new window.uPlot(options(this.el, labels, this.config), columns, this.el);
  }
}

export class LiveCharts {
  constructor() {
    this.cpuChart = new Chart(document.getElementById('chart-cpu'), { yMax: 100, format: (v) => `${v} %` });
    this.memoryChart = new Chart(document.getElementById('chart-memory'), { yMax: 100, format: (v) => `${v} %` });
    this.lspChart = new Chart(document.getElementById('chart-lsp'), { format: (v) => (v >= 1000 ? `${+(v / 1000).toFixed(2)} s` : `${+v.toFixed(1)} ms`) });
    this.lspNote = document.getElementById('lsp-chart-note');
    this.reset({ t: [], cpu: [], memory: [], lsp: {} });
    // Theme switches re-read the colours.
    matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
      for (const c of [this.cpuChart, this.memoryChart, this.lspChart]) c.plot = null;
      this.redraw();
    });
  }

  /** Replaces everything with `/api/v1/history` (times in ms, ratios 0..1, latencies in seconds). */
  reset(history) {
    this.t = history.t.map((t) => t / 1000);
    this.cpu = history.cpu.map(pct);
    this.memory = history.memory.map(pct);
    this.lsp = new Map(Object.entries(history.lsp).map(([method, values]) => [method, values.map(ms)]));
    this.redraw();
  }

  append(point) {
    if (!point) return;
    const t = point.t / 1000;
    if (this.t.length > 0 && t <= this.t[this.t.length - 1]) return;
    this.t.push(t);
    this.cpu.push(pct(point.cpu));
    this.memory.push(pct(point.memory));
    for (const [method, values] of this.lsp) values.push(ms(point.lsp[method]));
    for (const [method, value] of Object.entries(point.lsp)) {
      if (this.lsp.has(method)) continue;
      const values = new Array(this.t.length - 1).fill(null);
      values.push(ms(value));
      this.lsp.set(method, values);
    }
    this.trim(t - WINDOW_S);
    this.redraw();
  }

  trim(oldest) {
    let drop = 0;
    while (drop < this.t.length && this.t[drop] < oldest) drop += 1;
    if (drop === 0) return;
    for (const list of [this.t, this.cpu, this.memory, ...this.lsp.values()]) list.splice(0, drop);
    for (const [method, values] of this.lsp) if (values.every((v) => v === null)) this.lsp.delete(method);
  }

  redraw() {
    if (!window.uPlot) return;
    this.cpuChart.draw(['CPU busy'], [this.t, this.cpu]);
    this.memoryChart.draw(['memory used'], [this.t, this.memory]);
    const methods = [...this.lsp.keys()].sort();
    // Legends drop the common `textDocument/` prefix so several methods fit on a narrow chart.
    this.lspChart.draw(
      methods.map((m) => m.replace(/^textDocument\//, '')),
      [this.t, ...methods.map((m) => this.lsp.get(m))],
    );
    this.lspNote.hidden = methods.length > 0;
  }
}
