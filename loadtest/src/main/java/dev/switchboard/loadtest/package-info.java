/**
 * The load-test engine: the command line ({@link dev.switchboard.loadtest.Main},
 * {@link dev.switchboard.loadtest.Settings}), the run ({@link dev.switchboard.loadtest.LoadTest}), scenarios, the
 * per-session wire client and the measurements. Its public surface is those three classes plus the two session
 * listeners, {@link dev.switchboard.loadtest.ListenerAdapter} and {@link dev.switchboard.loadtest.PausableListener},
 * which are public only because Jetty requires it.
 *
 * <p>Threading. One Jetty {@code WebSocketClient} carries every session; its small thread pool delivers each
 * session's frames one at a time (never concurrently for the same session) to that session's
 * {@code VirtualClient}. One scheduler thread owns the send schedule: session connects, request slots, the
 * once-a-second harvest of interval histograms and the progress line. The run thread ({@code LoadTest.run}'s
 * caller) only starts, waits and tears down. A {@code VirtualClient}'s mutable state is guarded by its own
 * monitor, because the scheduler thread (sends) and Jetty threads (frames) both reach it; it never sends while
 * holding the monitor. A session that drops and resumes its connection (resume scenario) has one connection
 * generation after another; callbacks of a dropped generation are ignored. Measurements go into HdrHistogram
 * {@code Recorder}s and {@code LongAdder}s, which take concurrent writers without locks.
 *
 * <p>The harness talks only to the {@code --url} it is given (or, in the cluster scenario, the {@code --nodes}, each
 * session starting on one node and resuming on the next), and for {@code /metrics} to the same host and port over
 * HTTP.
 */
@NullMarked
package dev.switchboard.loadtest;

import org.jspecify.annotations.NullMarked;
