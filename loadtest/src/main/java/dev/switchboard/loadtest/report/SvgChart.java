package dev.switchboard.loadtest.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A minimal inline-SVG line chart: no scripts, no external fonts, so the HTML report stays self-contained.
 * Stateless; {@link #render} builds a fresh string each call.
 */
final class SvgChart {
    private static final int WIDTH = 760;
    private static final int HEIGHT = 300;
    private static final int LEFT = 64;
    private static final int RIGHT = 40;
    private static final int TOP = 34;
    private static final int BOTTOM = 44;
    /** The percentile axis stops here: 100% itself is at infinity on a 1/(1-p) scale. */
    private static final double MAX_PERCENTILE = 99.9999;
    private static final double LOG_FLOOR = 0.001;

    /** How x values are placed. */
    enum XAxis {
        /** Plain linear axis (seconds of the run). */
        LINEAR,
        /** Percentile in 0–100 on the classic HdrHistogram {@code 1/(1-p)} log scale. */
        PERCENTILE
    }

    /** How y values are placed. */
    enum YAxis {
        /** Linear from 0. */
        LINEAR,
        /**
         * Log10 from the decade of the smallest positive value (at least {@value #LOG_FLOOR}); zeros sit on the
         * floor.
         */
        LOG
    }

    /**
     * One line.
     *
     * @param name legend text
     * @param color CSS colour
     * @param xs x values
     * @param ys y values, same length as {@code xs}
     * @param dashed draw a dashed line (so a series that often coincides with another stays visible)
     */
    record Series(String name, String color, double[] xs, double[] ys, boolean dashed) {
        Series(String name, String color, double[] xs, double[] ys) {
            this(name, color, xs, ys, false);
        }

        Series {
            if (xs.length != ys.length) {
                throw new IllegalArgumentException("xs and ys differ in length");
            }
        }
    }

    private SvgChart() {
    }

    /** An {@code <svg>} element for the series; series without points are left out of plot and legend. */
    static String render(String title, String xLabel, String yLabel, XAxis xAxis, YAxis yAxis, List<Series> all) {
        List<Series> series = new ArrayList<>();
        for (Series s : all) {
            if (s.xs().length > 0) {
                series.add(s);
            }
        }
        StringBuilder svg = new StringBuilder(8192);
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
                + "width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"%s\">", WIDTH, HEIGHT, WIDTH, HEIGHT,
                HtmlReport.escape(title)));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>");
        text(svg, LEFT, 20, "start", "title", title);
        text(svg, LEFT + plotWidth() / 2.0, HEIGHT - 6, "middle", "axis", xLabel);
        svg.append(String.format(Locale.ROOT, "<text x=\"14\" y=\"%.1f\" text-anchor=\"middle\" class=\"axis\" "
                + "transform=\"rotate(-90 14 %.1f)\">%s</text>", TOP + plotHeight() / 2.0, TOP + plotHeight() / 2.0,
                HtmlReport.escape(yLabel)));
        if (series.isEmpty()) {
            text(svg, LEFT + plotWidth() / 2.0, TOP + plotHeight() / 2.0, "middle", "axis", "no samples");
            return svg.append("</svg>").toString();
        }
        Scale x = xScale(xAxis, series);
        Scale y = yScale(yAxis, series);
        axes(svg, x, y, xAxis);
        for (Series s : series) {
            plot(svg, s, x, y);
        }
        legend(svg, series);
        return svg.append("</svg>").toString();
    }

    private static int plotWidth() {
        return WIDTH - LEFT - RIGHT;
    }

    private static int plotHeight() {
        return HEIGHT - TOP - BOTTOM;
    }

    /** Maps a data value to a pixel along one axis; {@code ticks} are data values. */
    private record Scale(double min, double max, boolean log, boolean percentile, double[] ticks) {
        double transform(double value) {
            if (percentile) {
                return Math.log10(100.0 / (100.0 - Math.min(value, Math.min(max, MAX_PERCENTILE))));
            }
            // On a log axis, values below the axis floor (zeros included) sit on the floor.
            return log ? Math.log10(Math.max(value, min)) : value;
        }

        double fraction(double value) {
            double lo = transform(min);
            double hi = transform(max);
            return hi <= lo ? 0.5 : (transform(value) - lo) / (hi - lo);
        }
    }

    private static Scale xScale(XAxis axis, List<Series> series) {
        double max = Double.NEGATIVE_INFINITY;
        double min = Double.POSITIVE_INFINITY;
        for (Series s : series) {
            for (double v : s.xs()) {
                max = Math.max(max, v);
                min = Math.min(min, v);
            }
        }
        if (axis == XAxis.PERCENTILE) {
            // A percentile curve ends at 100%, which is at infinity on this scale: the axis stops at the decade
            // after the last point below 100%, and the 100% point is drawn there.
            double top = 0;
            for (Series s : series) {
                for (double v : s.xs()) {
                    if (v < 100.0) {
                        top = Math.max(top, v);
                    }
                }
            }
            List<Double> ticks = new ArrayList<>(List.of(0.0, 90.0));
            double tick = 99.0;
            while (tick <= MAX_PERCENTILE + 1e-9 && ticks.get(ticks.size() - 1) < Math.min(top, MAX_PERCENTILE)) {
                ticks.add(tick);
                tick = 100.0 - (100.0 - tick) / 10.0;
            }
            double end = ticks.get(ticks.size() - 1);
            return new Scale(0, end, false, true, ticks.stream().mapToDouble(Double::doubleValue).toArray());
        }
        double lo = Math.min(0, min);
        double[] ticks = niceTicks(lo, max);
        return new Scale(lo, ticks[ticks.length - 1], false, false, ticks);
    }

    private static Scale yScale(YAxis axis, List<Series> series) {
        double max = 0;
        double min = Double.POSITIVE_INFINITY;
        for (Series s : series) {
            for (double v : s.ys()) {
                max = Math.max(max, v);
                if (v > 0) {
                    min = Math.min(min, v);
                }
            }
        }
        if (axis == YAxis.LOG) {
            double lo = Math.pow(10, Math.floor(Math.log10(Math.max(LOG_FLOOR, Math.min(min, max)))));
            double hi = Math.pow(10, Math.ceil(Math.log10(Math.max(max, lo * 10))));
            List<Double> ticks = new ArrayList<>();
            for (double t = lo; t <= hi * 1.0001; t *= 10) {
                ticks.add(t);
            }
            return new Scale(lo, hi, true, false, ticks.stream().mapToDouble(Double::doubleValue).toArray());
        }
        double[] ticks = niceTicks(0, max);
        return new Scale(0, ticks[ticks.length - 1], false, false, ticks);
    }

    /** Ticks at 1, 2 or 5 times a power of ten, covering {@code [lo, hi]} with about five steps. */
    static double[] niceTicks(double lo, double hi) {
        double range = hi - lo;
        if (!(range > 0)) {
            return new double[] {lo, lo + 1};
        }
        double raw = range / 5;
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = raw / magnitude <= 1 ? magnitude : raw / magnitude <= 2 ? 2 * magnitude
                : raw / magnitude <= 5 ? 5 * magnitude : 10 * magnitude;
        double start = Math.floor(lo / step) * step;
        List<Double> ticks = new ArrayList<>();
        for (double t = start; t < hi + step * 0.999; t += step) {
            ticks.add(t);
        }
        if (ticks.size() < 2) {
            ticks.add(start + step);
        }
        return ticks.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static double px(Scale x, double value) {
        return LEFT + x.fraction(value) * plotWidth();
    }

    private static double py(Scale y, double value) {
        return TOP + (1 - y.fraction(value)) * plotHeight();
    }

    private static void axes(StringBuilder svg, Scale x, Scale y, XAxis xAxis) {
        for (double t : y.ticks()) {
            double py = py(y, t);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" class=\"grid\"/>",
                    LEFT, py, WIDTH - RIGHT, py));
            text(svg, LEFT - 6, py + 4, "end", "tick", number(t));
        }
        for (double t : x.ticks()) {
            double px = px(x, t);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"grid\"/>",
                    px, TOP, px, HEIGHT - BOTTOM));
            text(svg, px, HEIGHT - BOTTOM + 16, "middle", "tick", xAxis == XAxis.PERCENTILE ? number(t) + "%"
                    : number(t));
        }
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" class=\"frame\"/>",
                LEFT, TOP, plotWidth(), plotHeight()));
    }

    private static void plot(StringBuilder svg, Series s, Scale x, Scale y) {
        if (s.xs().length == 1) {
            svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>",
                    px(x, s.xs()[0]), py(y, s.ys()[0]), s.color()));
            return;
        }
        svg.append("<polyline fill=\"none\" stroke-width=\"1.6\" stroke=\"").append(s.color())
                .append(s.dashed() ? "\" stroke-dasharray=\"5 3" : "").append("\" points=\"");
        for (int i = 0; i < s.xs().length; i++) {
            svg.append(String.format(Locale.ROOT, "%.1f,%.1f ", px(x, s.xs()[i]), py(y, s.ys()[i])));
        }
        svg.append("\"/>");
    }

    private static void legend(StringBuilder svg, List<Series> series) {
        double x = WIDTH - RIGHT;
        for (int i = series.size() - 1; i >= 0; i--) {
            Series s = series.get(i);
            double width = 22 + 6.5 * s.name().length();
            x -= width;
            svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"12\" width=\"12\" height=\"4\" fill=\"%s\"/>",
                    x, s.color()));
            text(svg, x + 16, 18, "start", "tick", s.name());
        }
    }

    private static void text(StringBuilder svg, double x, double y, String anchor, String cls, String text) {
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" class=\"%s\">%s</text>",
                x, y, anchor, cls, HtmlReport.escape(text)));
    }

    /** Compact tick label: no trailing zeros, at most four significant decimals. */
    static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        String s = String.format(Locale.ROOT, "%.4f", v);
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
