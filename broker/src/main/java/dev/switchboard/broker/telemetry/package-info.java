/**
 * OpenTelemetry traces of responses (issue 15): {@link dev.switchboard.broker.telemetry.Tracing} implements the
 * sessions' {@link dev.switchboard.broker.session.ResponseTrace.Factory} with the OpenTelemetry SDK and exports
 * spans over OTLP/HTTP. A server span per response, a client span per upstream attempt (its context sent to the
 * provider as a W3C {@code traceparent}), a client span per relayed session's provider connection; names and
 * attributes follow the GenAI semantic conventions ({@code docs/observability.md}).
 *
 * <p>Threading: spans are started, annotated and ended on the session's shard thread, one response's calls never
 * concurrent; nothing here blocks there: an ended span is offered to the SDK's batch queue (dropped, and counted by
 * the SDK, when full), and the batch processor's own thread encodes and posts batches. Without an OTLP endpoint
 * none of this exists: the sessions use {@link dev.switchboard.broker.session.ResponseTrace.Factory#NONE}.
 */
@NullMarked
package dev.switchboard.broker.telemetry;

import org.jspecify.annotations.NullMarked;
