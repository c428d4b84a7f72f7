/**
 * Socket-level pieces for the upstream clients: {@link dev.switchboard.bridge.net.ShortReads}, which spares the
 * read system call that would find an emptied socket (on the SSE client; see its documentation for where else it was
 * tried and why it is not used there).
 *
 * <p>Threading: one {@code ShortReads} per end point, used only by that end point's fills, which Jetty never runs
 * on two threads at once.
 */
@NullMarked
package dev.switchboard.bridge.net;

import org.jspecify.annotations.NullMarked;
