package dev.switchboard.loadtest.peers;

import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The Jetty {@link HttpClient} a run uses, directly for SSE or under a {@code WebSocketClient}: a small pool of
 * daemon threads (the client shares a core with the mock), heap buffers, and connection limits above the run's
 * concurrency so that no request waits in Jetty's queue for a connection.
 */
final class Clients {
    private static final int MAX_THREADS = 8;
    private static final int MIN_THREADS = 2;
    private static final long CONNECT_TIMEOUT_MS = 10_000;

    private Clients() {
    }

    /** A client, not yet started (the caller starts and stops it), sized for {@code concurrency} connections. */
    static HttpClient http(int concurrency) {
        QueuedThreadPool threads = new QueuedThreadPool(MAX_THREADS, MIN_THREADS);
        threads.setName("peers-io");
        threads.setDaemon(true);
        threads.setReservedThreads(0);
        HttpClient http = new HttpClient();
        http.setExecutor(threads);
        http.setConnectTimeout(CONNECT_TIMEOUT_MS);
        http.setFollowRedirects(false);
        http.setMaxConnectionsPerDestination(concurrency + 16);
        http.setMaxRequestsQueuedPerDestination(concurrency + 16);
        http.setUserAgentField(new HttpField(HttpHeader.USER_AGENT, "switchboard-peers"));
        http.setUseInputDirectByteBuffers(false);
        return http;
    }
}
