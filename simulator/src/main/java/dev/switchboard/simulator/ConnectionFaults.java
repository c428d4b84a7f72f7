package dev.switchboard.simulator;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Callback;

/** Faults below HTTP: closing a request's TCP connection under Jetty's feet. Stateless and thread-safe. */
final class ConnectionFaults {

    private ConnectionFaults() {
    }

    /** The TCP endpoint that carries {@code request}. */
    static EndPoint endPointOf(Request request) {
        return request.getConnectionMetaData().getConnection().getEndPoint();
    }

    /**
     * Resets the connection (TCP RST where the transport allows it, else a plain close) before any response byte,
     * then fails {@code callback}; ownership of the callback passes to this call.
     */
    static void reset(Request request, Callback callback) {
        EndPoint endPoint = endPointOf(request);
        if (endPoint.getTransport() instanceof SocketChannel channel) {
            try {
                // Linger 0 turns the close into a reset, the way a crashed proxy or load balancer drops a request.
                channel.setOption(StandardSocketOptions.SO_LINGER, 0);
            } catch (IOException | UnsupportedOperationException e) {
                // A plain close is still a connection failure without a response.
            }
        }
        endPoint.close();
        callback.failed(new InjectedFault("fault: reset_before_headers"));
    }

    /**
     * Closes the connection in the middle of a response (a FIN, so the bytes already written still arrive); the
     * HTTP body is left without its last chunk.
     */
    static void cut(EndPoint endPoint) {
        endPoint.close();
    }
}
