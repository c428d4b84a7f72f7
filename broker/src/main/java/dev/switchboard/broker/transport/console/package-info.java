/**
 * The web console (issue 16, {@code docs/console.md}): static files served from the broker jar under
 * {@code /console/} on the main listener, and the chart library (uPlot, a WebJar) under
 * {@code /console/vendor/}. There is no server-side state and no build step: the pages are plain ES modules that
 * talk to the broker's public API ({@code /v1/models}, {@code /v1/realtime}) and, for the operations view, to the
 * admin listener.
 *
 * <p>Threading: {@link dev.switchboard.broker.transport.console.ConsoleFiles} is called on Jetty server threads,
 * concurrently. Files are read from the class path on first request and kept, immutable, in a concurrent map
 * whose keys can only be names of files that exist in the jar, so it is bounded by the jar's contents; a miss is
 * never cached. Nothing blocks beyond that one class-path read.
 */
@NullMarked
package dev.switchboard.broker.transport.console;

import org.jspecify.annotations.NullMarked;
