/**
 * Why a connection or a stream ended: {@link dev.switchboard.protocol.close.CloseReason}, shared by the broker
 * (WebSocket close codes), the bridge (provider failures) and clients.
 */
@NullMarked
package dev.switchboard.protocol.close;

import org.jspecify.annotations.NullMarked;
