package dev.switchboard.loadtest.peers;

import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;

/**
 * N chat-completions streams back to back: each stream POSTs {@code stream: true} with the mock's steering in
 * {@code metadata}, counts tokens as they arrive ({@link SseScanner}), records the time from sending to the first
 * token, and sends the next request from the completion callback until the window ends. A stream that fails
 * (transport error, a status other than 200, an in-band error or no {@code [DONE]}) counts one error and stops, so
 * a broken target cannot spin. Threading: see {@link Load}; each stream's callbacks run one at a time on Jetty's
 * pool.
 */
final class SseLoad implements Load {
    private final BenchOptions options;
    private Tally tally;
    private final URI uri;
    private final String body;
    private final HttpClient http;
    private final CountDownLatch stopped;

    SseLoad(BenchOptions options) {
        this.options = options;
        String base = options.url().toString();
        this.uri = URI.create((base.endsWith("/") ? base : base + "/") + "chat/completions");
        this.body = body(options);
        this.http = Clients.http(options.concurrency());
        this.stopped = new CountDownLatch(options.concurrency());
    }

    /** The request body of every stream: one short user message and the mock's steering knobs. */
    static String body(BenchOptions options) {
        return "{\"model\":\"" + options.model() + "\",\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Say something.\"}],"
                + "\"metadata\":{\"sim_tokens\":\"" + options.tokens() + "\",\"sim_ttft_ms\":\"" + options.ttftMs()
                + "\",\"sim_tokens_per_second\":\"" + options.tokensPerSecond() + "\"}}";
    }

    @Override
    public void open() throws Exception {
        http.start();
    }

    @Override
    public void start(Tally counting) {
        // Set before the first send: every callback that reads it happens after that send.
        this.tally = counting;
        for (int i = 0; i < options.concurrency(); i++) {
            new Stream().next();
        }
    }

    @Override
    public boolean awaitDrained(Duration grace) throws InterruptedException {
        long waitNanos = Math.max(0, tally.window().endNanos() - System.nanoTime()) + grace.toNanos();
        return stopped.await(waitNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void close() {
        try {
            http.stop();
        } catch (Exception e) {
            // Best effort: the run is over and its results are recorded.
        }
    }

    /** One stream's state; touched only by its own callbacks, which never overlap. */
    private final class Stream implements Response.CompleteListener {
        private SseScanner scanner = new SseScanner();
        private long sentNanos;
        private boolean firstToken;

        void next() {
            long now = System.nanoTime();
            if (!tally.window().open(now)) {
                stopped.countDown();
                return;
            }
            scanner = new SseScanner();
            firstToken = false;
            Request request = http.newRequest(uri).method(HttpMethod.POST)
                    .body(new StringRequestContent("application/json", body))
                    .onResponseContent(this::onContent);
            if (!options.key().isEmpty()) {
                request.headers(h -> h.put(HttpHeader.AUTHORIZATION, "Bearer " + options.key()));
            }
            sentNanos = System.nanoTime();
            request.send(this);
        }

        // Not a ContentListener: Jetty would call a listener passed to send() for content too, counting twice.
        private void onContent(Response response, ByteBuffer content) {
            int tokens = scanner.feed(content);
            if (tokens > 0) {
                long now = System.nanoTime();
                if (!firstToken) {
                    firstToken = true;
                    tally.latency(sentNanos, now);
                }
                tally.tokens(tokens, now);
            }
        }

        @Override
        public void onComplete(Result result) {
            long now = System.nanoTime();
            boolean ok = result.isSucceeded() && result.getResponse().getStatus() == 200 && scanner.done()
                    && !scanner.error();
            if (!ok) {
                tally.error(now);
                stopped.countDown();
                return;
            }
            tally.completed(now);
            next();
        }
    }
}
