/**
 * The peer benchmark's client ({@code docs/loadtest.md}, "Peer benchmark"): drives the same requests at the
 * mock upstream directly, through nginx and through the broker, and reports one JSON line per run. Two modes:
 * {@link dev.switchboard.loadtest.peers.SseLoad} keeps N chat-completions streams ({@code stream: true}) in
 * flight back to back and measures time to first token and tokens per second;
 * {@link dev.switchboard.loadtest.peers.EchoLoad} keeps N Realtime WebSockets each with one event in flight and
 * times every reply. The public surface is {@link dev.switchboard.loadtest.peers.PeerBench} (the command line) and
 * the WebSocket listener, public only because Jetty requires it.
 *
 * <p>Threading. The run thread ({@code PeerBench.main}) builds a {@link dev.switchboard.loadtest.peers.Window},
 * starts the load, samples the proxy's CPU at the window's two edges and waits for the load to drain. Jetty's
 * small client pool delivers each stream's or connection's callbacks one at a time, never concurrently for the same
 * stream, and each callback sends that stream's next request itself: the workload is closed, one request in flight
 * per stream, with no scheduler thread. Measurements go into a {@link dev.switchboard.loadtest.peers.Tally}, whose
 * HdrHistogram {@code Recorder} and {@code LongAdder}s take concurrent writers without locks.
 *
 * <p>Everything it talks to is given on the command line; the script {@code loadtest/bench/peers/run-peers.sh}
 * keeps it on loopback.
 */
@NullMarked
package dev.switchboard.loadtest.peers;

import org.jspecify.annotations.NullMarked;
