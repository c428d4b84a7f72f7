/**
 * The contract between the broker and a provider stream: {@link dev.switchboard.bridge.upstream.Upstream},
 * {@link dev.switchboard.bridge.upstream.UpstreamListener} and the events and outcomes that flow between them.
 *
 * <p>Threading: an upstream calls its listener from its own I/O threads (Jetty client threads) or from the
 * thread that calls {@link dev.switchboard.bridge.upstream.Upstream#resume()}; calls are never concurrent for
 * one stream. Listeners must not block.
 */
@NullMarked
package dev.switchboard.bridge.upstream;

import org.jspecify.annotations.NullMarked;
