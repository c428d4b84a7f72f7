package dev.switchboard.loadtest;

import java.time.Duration;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * The one Jetty {@link WebSocketClient} every session of a run shares, sized to stay light next to a broker on
 * the same small machine: a small pool of daemon threads (no thread per session; Jetty's selector multiplexes
 * the sockets and hands ready ones to the pool), small I/O buffers, and connection limits high enough that no
 * upgrade waits in Jetty's queue.
 */
final class Transport {
    /** Enough for 2 cores and 1,000 streaming sessions; the work per frame is a few microseconds. */
    private static final int MAX_THREADS = 16;
    private static final int MIN_THREADS = 2;
    /** WebSocket read and write buffers; frames larger than this are aggregated, not truncated. */
    private static final int BUFFER_BYTES = 4096;
    /** A {@code response.done} repeats the whole output text; leave room for long responses. */
    static final long MAX_TEXT_MESSAGE_BYTES = 16L << 20;

    private Transport() {
    }

    /** Starts a client for {@code settings}; the caller stops it. */
    static WebSocketClient start(Settings settings) throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool(MAX_THREADS, MIN_THREADS);
        threads.setName("loadtest-io");
        threads.setDaemon(true);
        // Reserved threads speed up hand-offs on busy servers but pin idle threads here; we prefer fewer threads.
        threads.setReservedThreads(0);

        HttpClient http = new HttpClient();
        http.setExecutor(threads);
        http.setConnectTimeout(settings.connectTimeout().toMillis());
        http.setFollowRedirects(false);
        http.setMaxConnectionsPerDestination(settings.sessions() + 16);
        http.setMaxRequestsQueuedPerDestination(settings.sessions() + 16);
        http.setUserAgentField(new HttpField(HttpHeader.USER_AGENT, "switchboard-loadtest"));
        // Heap buffers let ListenerAdapter hand payloads to the JSON parser in place, without a copy.
        http.setUseInputDirectByteBuffers(false);

        WebSocketClient client = new WebSocketClient(http);
        // Sessions are long-lived but may be silent (idle scenario); only the run's own end closes them.
        client.setIdleTimeout(settings.duration().plus(settings.grace()).plus(Duration.ofMinutes(1)));
        client.setInputBufferSize(BUFFER_BYTES);
        client.setOutputBufferSize(BUFFER_BYTES);
        client.setMaxTextMessageSize(MAX_TEXT_MESSAGE_BYTES);
        client.setMaxFrameSize(MAX_TEXT_MESSAGE_BYTES);
        client.setConnectTimeout(settings.connectTimeout().toMillis());
        client.setStopTimeout(2_000);
        client.setStopAtShutdown(false);
        client.start();
        return client;
    }

    /** Stops the client and its HTTP client; best effort. */
    static void stop(WebSocketClient client) {
        try {
            client.stop();
            client.getHttpClient().stop();
        } catch (Exception e) {
            // Stopping is best effort: the run is over and its results are already recorded.
        }
    }
}
