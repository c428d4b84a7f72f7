package dev.switchboard.broker.transport.http;

import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.internal.HttpConnection;

/**
 * Jetty's HTTP/1.1 connections, each with its read loop ({@code onFillable}) never run by two threads at once.
 *
 * <p>Why: Jetty 12.0's {@code HttpConnection} answers a malformed request (a duplicate {@code Host}, a bad
 * percent-escape, an oversized header) on another pool thread while the thread that parsed it is still inside
 * {@code onFillable}. When that answer is written before the parsing thread has left, its completion resumes the
 * connection ({@code executor.execute(connection)}) and a third thread enters {@code onFillable} too. Both then
 * release the same pooled request buffer: Jetty logs {@code IllegalStateException: already released} (jetty
 * issue 12939, open in 12.0.36 as well), and one thread may fill a buffer the pool has already lent to another
 * connection. It happened about once in 6,000–12,000 malformed requests on this project's 2-core machines.
 *
 * <p>How: a call that finds the loop busy only counts itself and returns; the thread inside runs the loop once
 * more for each call it missed before it leaves. The calls happen in the order they would have if each had
 * waited its turn, no thread ever waits, and a call is never lost. Jetty itself never runs the loop twice at once
 * except on this path, so the counter costs one uncontended atomic increment and decrement per read.
 */
final class SerialHttpConnectionFactory extends HttpConnectionFactory {
    SerialHttpConnectionFactory(HttpConfiguration configuration) {
        super(configuration);
    }

    @Override
    public Connection newConnection(Connector connector, EndPoint endPoint) {
        SerialHttpConnection connection = new SerialHttpConnection(getHttpConfiguration(), connector, endPoint);
        connection.setUseInputDirectByteBuffers(isUseInputDirectByteBuffers());
        connection.setUseOutputDirectByteBuffers(isUseOutputDirectByteBuffers());
        return configure(connection, connector, endPoint);
    }

    private static final class SerialHttpConnection extends HttpConnection {
        /** Calls of {@link #onFillable} not yet run to their end: the one running plus those it will run. */
        private final AtomicInteger pending = new AtomicInteger();

        SerialHttpConnection(HttpConfiguration configuration, Connector connector, EndPoint endPoint) {
            super(configuration, connector, endPoint);
        }

        @Override
        public void onFillable() {
            if (pending.getAndIncrement() != 0) {
                return;
            }
            do {
                try {
                    super.onFillable();
                } catch (RuntimeException | Error e) {
                    // Jetty's loop catches what it meets itself; should anything escape, the connection must not be
                    // left looking busy, with every later read only counted.
                    pending.set(0);
                    throw e;
                }
            } while (pending.decrementAndGet() != 0);
        }
    }
}
