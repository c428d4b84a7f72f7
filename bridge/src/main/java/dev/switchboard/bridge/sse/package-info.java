/**
 * Server-sent events over Jetty's HttpClient: an incremental {@link dev.switchboard.bridge.sse.SseParser} and
 * {@link dev.switchboard.bridge.sse.SseStream}, the demand-driven read loop shared by the SSE provider adapters.
 *
 * <p>Threading: a parser is confined to one stream's read loop. {@code SseStream} serialises its read loop with a
 * work-in-progress counter, so its mapper and listener are never called concurrently; no thread is parked per
 * stream.
 */
@NullMarked
package dev.switchboard.bridge.sse;

import org.jspecify.annotations.NullMarked;
