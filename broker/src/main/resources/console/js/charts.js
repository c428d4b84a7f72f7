// Charts through uPlot (a WebJar served by the broker itself), sized to their container.

import uPlot from "../vendor/uplot/uPlot.esm.js";

const COLORS = ["#1f4e79", "#cf222e", "#1a7f37", "#9a6700", "#8250df", "#0969da"];

/**
 * A chart in `container`: `series` are [{label, scale?}], `categories` (optional) names integer x values (bars by
 * model); otherwise x is a time in seconds. Call `set(data)` with [xs, ...ys]; it rebuilds only when needed.
 */
export class Chart {
  constructor(container, { series, categories = null, scales = {} }) {
    this.container = container;
    this.series = series;
    this.categories = categories;
    this.scales = scales;
    this.plot = null;
    new ResizeObserver(() => this.resize()).observe(container);
  }

  /** Draws `data`; `xRange` [min, max] fixes the x axis (otherwise it spans the data). */
  set(data, categories, xRange) {
    if (categories) this.categories = categories;
    if (this.plot) this.plot.destroy();
    this.container.innerHTML = "";
    const width = Math.max(240, this.container.clientWidth || 300);
    const bars = !!this.categories;
    const options = {
      width, height: 200,
      scales: { x: bars ? { time: false, auto: false, range: [-0.5, Math.max(1, this.categories.length) - 0.5] }
                        : { time: true, ...(xRange ? { auto: false, range: xRange } : {}) },
                ...this.scales },
      axes: [
        bars ? { values: (u, ticks) => ticks.map((t) => (Number.isInteger(t) ? this.categories[t] ?? "" : "")),
                 splits: () => this.categories.map((_, i) => i) } : {},
        { scale: this.series[0].scale || "y" },
      ],
      series: [{}, ...this.series.map((s, i) => ({
        label: s.label, scale: s.scale || "y", stroke: COLORS[i % COLORS.length], width: 2,
        fill: bars ? COLORS[i % COLORS.length] + "55" : undefined,
        paths: bars ? uPlot.paths.bars({ size: [0.7 / this.series.length, 60],
                                         align: this.series.length === 2 ? (i === 0 ? -1 : 1) : 0 }) : undefined,
        points: { show: !bars },
      }))],
    };
    const scalesUsed = [...new Set(this.series.map((s) => s.scale || "y"))];
    if (scalesUsed.length > 1) options.axes.push({ scale: scalesUsed[1], side: 1, grid: { show: false } });
    this.plot = new uPlot(options, data, this.container);
    this.container.setAttribute("role", "img");
    this.container.setAttribute("aria-label", this.describe(data));
  }

  /** A text alternative: each series' last value (or total for bars). */
  describe(data) {
    return this.series.map((s, i) => {
      const ys = data[i + 1] || [];
      const shown = this.categories ? ys.reduce((a, b) => a + (b || 0), 0) : ys[ys.length - 1];
      return `${s.label}: ${shown == null ? "none" : Number(shown).toFixed(2)}`;
    }).join("; ");
  }

  resize() {
    if (this.plot) this.plot.setSize({ width: Math.max(240, this.container.clientWidth), height: 200 });
  }
}
