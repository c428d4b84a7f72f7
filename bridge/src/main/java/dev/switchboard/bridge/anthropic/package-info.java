/**
 * The {@code anthropic} provider adapter: the Anthropic Messages API ({@code POST /v1/messages},
 * {@code stream: true}) over SSE, for api.anthropic.com and any server speaking it (the bundled simulator) by
 * base URL.
 *
 * <p>{@link dev.switchboard.bridge.anthropic.AnthropicConnector} is the public surface: thread-safe, shared by all
 * sessions, configured by {@link dev.switchboard.bridge.anthropic.AnthropicConfig}. The request body mapping
 * ({@code AnthropicRequestBody}) is stateless.
 *
 * <p>Threading: each stream gets its own {@code AnthropicEventMapper} (and its {@code DeltaScanner}), confined to
 * that stream's read loop in {@link dev.switchboard.bridge.sse.SseStream}: it is called from Jetty client threads
 * or from the thread calling {@code resume()}, never concurrently, and never blocks. The only state shared between
 * streams is the connector's counters ({@code LongAdder}s).
 */
@NullMarked
package dev.switchboard.bridge.anthropic;

import org.jspecify.annotations.NullMarked;
