/**
 * Socket-level pieces shared by the upstream clients (the SSE client and the Realtime relay's client): {@link
 * dev.switchboard.bridge.net.ShortReads}, which spares the read system call that would find an emptied socket.
 *
 * <p>Threading: one {@code ShortReads} per end point, used only by that end point's fills, which Jetty never runs
 * on two threads at once.
 */
@NullMarked
package dev.switchboard.bridge.net;

import org.jspecify.annotations.NullMarked;
