package dev.switchboard.broker.abuse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.broker.RealtimeClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A well-behaved session on the other tenant, on its own thread, completing short responses back to back while
 * the fuzzing runs: each must complete with exactly the requested tokens, text equal to its deltas, no error, and a
 * gap-free seq. The loop is bounded by {@link #MAX_RESPONSES} and {@link #MAX_RUN}; the simulator paces it (a 20 ms
 * time to first token), so it shares the two cores rather than spinning.
 */
final class Bystander implements AutoCloseable {
    private static final int MAX_RESPONSES = 5_000;
    private static final Duration MAX_RUN = Duration.ofMinutes(3);
    private static final Duration MAX_RESPONSE_TIME = Duration.ofSeconds(10);
    private static final int TOKENS = 4;

    private final RealtimeClient client;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> new Thread(r, "abuse-bystander"));
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicInteger completed = new AtomicInteger();
    private final AtomicLong slowestNanos = new AtomicLong();
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final Future<?> loop;

    private Bystander(RealtimeClient client) {
        this.client = client;
        this.loop = thread.submit(this::run);
    }

    /** Connects on the bystander tenant (model {@code sim-chat}) and starts answering. */
    static Bystander start(AbuseBroker broker) throws Exception {
        RealtimeClient client = broker.connect(AbuseBroker.BRIDGED, AbuseBroker.BYSTANDER_KEY);
        JsonNode created = client.next();
        if (!created.path("type").asText().equals("session.created")) {
            throw new AssertionError("bystander: first event " + created);
        }
        return new Bystander(client);
    }

    private void run() {
        long deadline = System.nanoTime() + MAX_RUN.toNanos();
        for (int i = 0; i < MAX_RESPONSES && !stop.get() && System.nanoTime() < deadline; i++) {
            try {
                respond(i);
            } catch (AssertionError | InterruptedException e) {
                failures.add("response " + i + ": " + e.getMessage());
                return;
            } catch (RuntimeException e) {
                failures.add("response " + i + ": " + e);
                return;
            }
        }
    }

    private void respond(int i) throws InterruptedException {
        long started = System.nanoTime();
        client.send("{\"type\":\"response.create\",\"event_id\":\"bystander-" + i + "\",\"response\":{"
                + "\"conversation\":\"none\",\"input\":[{\"type\":\"message\",\"role\":\"user\",\"content\":"
                + "[{\"type\":\"input_text\",\"text\":\"order status " + i + "\"}]}],\"metadata\":{\"sim_tokens\":\""
                + TOKENS + "\",\"sim_ttft_ms\":\"20\",\"sim_tokens_per_second\":\"2000\"}}}");
        List<JsonNode> events = client.until("response.done");
        long took = System.nanoTime() - started;
        slowestNanos.accumulateAndGet(took, Math::max);
        StringBuilder deltas = new StringBuilder();
        String text = null;
        for (JsonNode event : events) {
            switch (event.path("type").asText()) {
                case "error" -> throw new AssertionError("error event " + event);
                case "response.output_text.delta" -> deltas.append(event.path("delta").asText());
                case "response.output_text.done" -> text = event.path("text").asText();
                default -> {
                }
            }
        }
        JsonNode done = events.get(events.size() - 1).path("response");
        Verdicts.check(done.path("status").asText().equals("completed"), "not completed", done);
        Verdicts.check(done.path("usage").path("output_tokens").asInt() == TOKENS, TOKENS + " tokens expected", done);
        Verdicts.check(deltas.length() > 0 && deltas.toString().equals(text), "text is not the deltas", events);
        Verdicts.check(took < MAX_RESPONSE_TIME.toNanos(), "took " + took / 1_000_000 + " ms", done);
        SeqCheck.gapFree(client.received());
        completed.incrementAndGet();
    }

    /** Stops after the response in progress, waiting for it at most {@link RealtimeClient#WAIT}. */
    @Override
    public void close() throws Exception {
        stop.set(true);
        try {
            loop.get(RealtimeClient.WAIT.toSeconds() + 5, TimeUnit.SECONDS);
        } finally {
            thread.shutdownNow();
            client.close();
        }
    }

    /** Stops, then fails unless every response completed correctly and at least one did. */
    void stopAndAssertUnharmed() throws Exception {
        close();
        if (!failures.isEmpty()) {
            throw new AssertionError("the bystander session on the other tenant was harmed: " + failures);
        }
        if (completed.get() == 0) {
            throw new AssertionError("the bystander completed no response while the fuzzing ran");
        }
    }

    /** A summary for the test's report. */
    String summary() {
        return completed.get() + " bystander responses, slowest " + slowestNanos.get() / 1_000_000 + " ms";
    }
}
