package dev.switchboard.bridge.fakeprovider;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * A fake provider: a real Jetty server on {@code 127.0.0.1}, port 0, answering each request with the next
 * script queued by {@link #enqueue}. Scripts are provider-neutral lists of {@link Step}s, so the same server
 * fakes OpenAI chat completions, Anthropic messages or anything else over HTTP.
 *
 * <p>Each request's body is read completely, recorded as an {@link Exchange}, and then answered. A request that
 * finds no script queued gets a 500, so a test that forgot one fails loudly.
 *
 * <p>Thread-safe. {@link #close()} ends scripts still running (their exchanges end
 * {@link Exchange.Ending#PROVIDER_STOPPED}) and stops Jetty.
 */
public final class ScriptedProvider implements AutoCloseable {
    private static final long IDLE_TIMEOUT_MS = 60_000;

    private final Server server;
    private final ServerConnector connector;
    private final Queue<List<Step>> scripts = new ConcurrentLinkedQueue<>();
    private final BlockingQueue<Exchange> exchanges = new LinkedBlockingQueue<>();
    private final Set<Playback> running = ConcurrentHashMap.newKeySet();
    private final AtomicInteger requestCount = new AtomicInteger();

    private ScriptedProvider() {
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("fake-provider");
        server = new Server(threads);
        connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        // Longer than any client deadline under test: the client, not the fake, decides when to give up.
        connector.setIdleTimeout(IDLE_TIMEOUT_MS);
        connector.setShutdownIdleTimeout(50);
        server.addConnector(connector);
        server.setStopTimeout(1_000);
        server.setHandler(new ScriptHandler());
    }

    /** Starts a provider and returns once it accepts connections. */
    public static ScriptedProvider start() throws Exception {
        ScriptedProvider provider = new ScriptedProvider();
        provider.server.start();
        return provider;
    }

    /** {@code http://127.0.0.1:PORT}, without a trailing slash. */
    public URI baseUri() {
        return URI.create("http://127.0.0.1:" + connector.getLocalPort());
    }

    /** Queues the script that answers the next unanswered request. */
    public ScriptedProvider enqueue(Step... steps) {
        return enqueue(Arrays.asList(steps));
    }

    /** Queues the script that answers the next unanswered request. */
    public ScriptedProvider enqueue(List<Step> steps) {
        scripts.add(List.copyOf(steps));
        return this;
    }

    /** The next request received, in arrival order; fails the test when none arrives within {@code timeout}. */
    public Exchange takeExchange(Duration timeout) {
        try {
            Exchange exchange = exchanges.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (exchange == null) {
                throw new AssertionError("the provider received no request within " + timeout);
            }
            return exchange;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Requests received since start, including those answered with the missing-script 500. */
    public int requestCount() {
        return requestCount.get();
    }

    @Override
    public void close() {
        for (Playback playback : running) {
            try {
                playback.stop();
            } catch (RuntimeException | AssertionError e) {
                // Cutting a connection from the test thread races Jetty's own completion of the exchange (a last
                // write failing as the socket closes); with assertions enabled Jetty's HttpChannelState then
                // asserts on the second completion. The exchange is gone either way, and the fake's teardown is
                // not what a test checks, so report it instead of failing a test that already passed.
                System.err.println("fake provider: stopping a running script: " + e);
            }
        }
        try {
            server.stop();
        } catch (Exception e) {
            // A graceful stop can fail while a script still holds a request open (a provider that never answers)
            // or a connection is being torn down; Jetty has stopped its components regardless, and a fake's
            // teardown is not what any test asserts. Report it without failing the test that already passed.
            System.err.println("fake provider stop: " + e);
        }
    }

    private final class ScriptHandler extends Handler.Abstract.NonBlocking {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            requestCount.incrementAndGet();
            Content.Source.asString(request, StandardCharsets.UTF_8, new Promise<>() {
                @Override
                public void succeeded(String body) {
                    RecordedRequest recorded = new RecordedRequest(request.getMethod(),
                            request.getHttpURI().getPath(), HttpFields.build(request.getHeaders()).asImmutable(), body);
                    play(new Exchange(recorded), request, response, callback);
                }

                @Override
                public void failed(Throwable failure) {
                    callback.failed(failure);
                }
            });
            return true;
        }

        private void play(Exchange exchange, Request request, Response response, Callback callback) {
            List<Step> script = scripts.poll();
            if (script == null) {
                script = List.of(Step.status(500, "Content-Type", "text/plain"),
                        Step.write("ScriptedProvider: no script queued for this request"));
            }
            Playback playback = new Playback(exchange, script, request, response, callback, running::remove);
            running.add(playback);
            exchanges.add(exchange);
            playback.start();
        }
    }
}
