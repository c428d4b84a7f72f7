/**
 * Rendering of a finished load-test run: the {@link dev.switchboard.loadtest.report.Summary} value model and its
 * three views, the terminal table ({@link dev.switchboard.loadtest.report.TextReport}), the JSON report
 * ({@link dev.switchboard.loadtest.report.JsonReport}) and the self-contained HTML page with inline SVG charts
 * ({@link dev.switchboard.loadtest.report.HtmlReport}).
 *
 * <p>Everything here is immutable or stateless and runs on the caller's thread after the run has ended; nothing
 * in this package touches the network or measures anything.
 */
@NullMarked
package dev.switchboard.loadtest.report;

import org.jspecify.annotations.NullMarked;
