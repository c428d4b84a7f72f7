package dev.switchboard.bridge.openai;

import static dev.switchboard.bridge.openai.OpenAiChunks.MODEL;
import static dev.switchboard.bridge.openai.OpenAiChunks.contentEvents;
import static dev.switchboard.bridge.openai.OpenAiChunks.numbered;
import static dev.switchboard.bridge.openai.OpenAiFixtures.RELAXED;
import static dev.switchboard.bridge.openai.OpenAiFixtures.WAIT;
import static dev.switchboard.bridge.openai.OpenAiFixtures.simpleRequest;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.switchboard.bridge.fakeprovider.Exchange;
import dev.switchboard.bridge.fakeprovider.ScriptedProvider;
import dev.switchboard.bridge.fakeprovider.Step;
import dev.switchboard.bridge.upstream.RecordingListener;
import dev.switchboard.bridge.upstream.StreamTimeouts;
import dev.switchboard.bridge.upstream.Upstream;
import dev.switchboard.bridge.upstream.UpstreamOutcome;
import dev.switchboard.protocol.event.Usage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;
import org.awaitility.core.ConditionTimeoutException;
import org.eclipse.jetty.client.HttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * Demand: a refused event stops the stream until {@link Upstream#retryDelivery()}, {@link Upstream#pause()}
 * stops reading until {@link Upstream#resume()}, and nothing is lost, duplicated or reordered either way.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class OpenAiConnectorBackpressureTest {
    /** How long "nothing more arrives" is watched: the provider has sent everything before it starts. */
    private static final Duration QUIET = Duration.ofMillis(300);
    private static HttpClient client;
    private ScriptedProvider provider;
    private OpenAiConnector connector;
    private final RecordingListener listener = new RecordingListener();

    @BeforeAll
    static void startClient() throws Exception {
        client = new HttpClient();
        client.start();
    }

    @AfterAll
    static void stopClient() throws Exception {
        client.stop();
    }

    @BeforeEach
    void startProvider() throws Exception {
        provider = ScriptedProvider.start();
        connector = OpenAiFixtures.connector(client, provider.baseUri(), RELAXED);
    }

    @AfterEach
    void stopProvider() {
        provider.close();
    }

    /** The transcript of a complete numbered answer of {@code count} deltas. */
    private static List<String> fullTranscript(int count) {
        List<String> expected = new ArrayList<>();
        numbered(0, count).forEach(text -> expected.add("delta " + text));
        expected.add(RecordingListener.end(new UpstreamOutcome.Completed("stop", Usage.of(1, count), MODEL)));
        return expected;
    }

    /** Asserts that {@code value} stays at {@code expected} for {@link #QUIET}. */
    private void assertStaysAt(int expected, IntSupplier value) {
        try {
            await().during(QUIET).atMost(QUIET.plus(Duration.ofSeconds(1))).pollInterval(Duration.ofMillis(20))
                    .until(() -> value.getAsInt() == expected);
        } catch (ConditionTimeoutException e) {
            fail("expected to stay at " + expected + " but is " + value.getAsInt() + "; events: "
                    + listener.transcript(), e);
        }
    }

    @Test
    void a_refused_event_stops_delivery_until_retry_then_the_rest_arrives_in_order_exactly_once() {
        provider.enqueue(OpenAiChunks.trickle(20, Duration.ofMillis(5)));
        listener.refuseAt(3);
        Upstream upstream = connector.open(simpleRequest(), listener);
        Exchange exchange = provider.takeExchange(WAIT);

        await().atMost(WAIT).until(() -> listener.offers() >= 3);
        // The provider finishes sending; the bytes wait in socket buffers, not in the listener.
        assertEquals(Exchange.Ending.COMPLETED, exchange.awaitEnding(WAIT));
        assertStaysAt(3, listener::offers);
        assertEquals(2, listener.size());

        // Retrying while the listener still refuses re-offers the same event once, and nothing else.
        upstream.retryDelivery();
        await().atMost(WAIT).until(() -> listener.offers() == 4);
        assertStaysAt(4, listener::offers);
        assertEquals(2, listener.size());

        listener.stopRefusing();
        upstream.retryDelivery();

        listener.awaitEnd(WAIT);
        assertEquals(fullTranscript(20), listener.transcript());
    }

    @Test
    void a_refused_end_is_offered_again_on_retry() {
        provider.enqueue(OpenAiChunks.trickle(3, Duration.ofMillis(1)));
        listener.refuseAt(4);
        Upstream upstream = connector.open(simpleRequest(), listener);

        await().atMost(WAIT).until(() -> listener.offers() >= 4);
        assertStaysAt(4, listener::offers);
        listener.assertNotEnded();

        listener.stopRefusing();
        upstream.retryDelivery();

        listener.awaitEnd(WAIT);
        assertEquals(fullTranscript(3), listener.transcript());
    }

    @Test
    void after_pause_nothing_more_is_read_and_resume_delivers_the_rest_in_order_exactly_once() {
        CompletableFuture<Void> paused = new CompletableFuture<>();
        List<Step> script = new ArrayList<>(OpenAiChunks.opening());
        numbered(0, 3).forEach(text -> script.add(OpenAiChunks.data(OpenAiChunks.content(text))));
        script.add(Step.await(paused));
        script.addAll(OpenAiChunks.trickleRest(3, 10, Duration.ofMillis(1)));
        provider.enqueue(script);
        Upstream upstream = connector.open(simpleRequest(), listener);
        Exchange exchange = provider.takeExchange(WAIT);
        await().atMost(WAIT).until(() -> listener.size() == 3);

        upstream.pause();
        paused.complete(null);

        // Nothing was parsed but not delivered when pause() came, so nothing at all may arrive now.
        assertEquals(Exchange.Ending.COMPLETED, exchange.awaitEnding(WAIT));
        assertStaysAt(3, listener::offers);

        upstream.resume();

        listener.awaitEnd(WAIT);
        assertEquals(fullTranscript(10), listener.transcript());
    }

    @Test
    void a_pause_longer_than_the_idle_timeout_is_not_blamed_on_the_provider() {
        CompletableFuture<Void> opened = new CompletableFuture<>();
        List<Step> script = new ArrayList<>(List.of(Step.await(opened)));
        script.addAll(OpenAiChunks.trickle(10, Duration.ofMillis(10)));
        provider.enqueue(script);
        // A long first-token deadline also keeps Jetty's own idle timeout, the larger of the two, out of the way.
        StreamTimeouts shortIdle = new StreamTimeouts(Duration.ofSeconds(2), WAIT, Duration.ofMillis(200));
        AtomicReference<Upstream> upstream = new AtomicReference<>();
        // Pause on the delivering thread, so the provider is never silent: the broker is the one not reading.
        listener.afterAccepting(3, () -> upstream.get().pause());
        upstream.set(OpenAiFixtures.connector(client, provider.baseUri(), shortIdle).open(simpleRequest(), listener));
        Exchange exchange = provider.takeExchange(WAIT);
        opened.complete(null);

        assertEquals(Exchange.Ending.COMPLETED, exchange.awaitEnding(WAIT));
        // Three times 300 ms, each longer than the 200 ms idle timeout.
        assertStaysAt(3, listener::size);
        assertStaysAt(3, listener::size);
        assertStaysAt(3, listener::size);
        upstream.get().resume();

        listener.awaitEnd(WAIT);
        assertEquals(fullTranscript(10), listener.transcript());
    }

    @Test
    void a_pause_longer_than_every_provider_timeout_is_not_blamed_on_the_provider() {
        // Issue 10: Jetty's idle timeout on the request (once the larger of first-token and idle) fired while the
        // broker held the stream paused and failed it as a provider stall. Here both deadlines are short.
        provider.enqueue(OpenAiChunks.trickle(10, Duration.ofMillis(1)));
        StreamTimeouts shortAll = new StreamTimeouts(Duration.ofSeconds(2), Duration.ofMillis(200),
                Duration.ofMillis(200));
        AtomicReference<Upstream> upstream = new AtomicReference<>();
        listener.afterAccepting(3, () -> upstream.get().pause());
        upstream.set(OpenAiFixtures.connector(client, provider.baseUri(), shortAll).open(simpleRequest(), listener));
        Exchange exchange = provider.takeExchange(WAIT);

        assertEquals(Exchange.Ending.COMPLETED, exchange.awaitEnding(WAIT));
        // Three times 300 ms, together several times both timeouts.
        assertStaysAt(3, listener::size);
        assertStaysAt(3, listener::size);
        assertStaysAt(3, listener::size);
        upstream.get().resume();

        listener.awaitEnd(WAIT);
        assertEquals(fullTranscript(10), listener.transcript());
    }

    @Test
    void a_pause_before_the_first_token_does_not_count_toward_the_first_token_deadline() {
        provider.enqueue(OpenAiChunks.trickle(5, Duration.ofMillis(1)));
        StreamTimeouts shortFirst = new StreamTimeouts(Duration.ofSeconds(2), Duration.ofMillis(200), WAIT);
        // Paused before anything is read: the provider answers at once, the broker is the one not reading.
        Upstream upstream = OpenAiFixtures.connector(client, provider.baseUri(), shortFirst)
                .open(simpleRequest(), listener);
        upstream.pause();
        Exchange exchange = provider.takeExchange(WAIT);

        assertEquals(Exchange.Ending.COMPLETED, exchange.awaitEnding(WAIT));
        assertStaysAt(0, listener::size);
        assertStaysAt(0, listener::size);
        upstream.resume();

        listener.awaitEnd(WAIT);
        assertEquals(fullTranscript(5), listener.transcript());
    }

    @Test
    void a_provider_silent_before_its_first_token_still_times_out_while_the_broker_reads() {
        CompletableFuture<Void> never = new CompletableFuture<>();
        List<Step> script = new ArrayList<>(OpenAiChunks.opening());
        script.add(Step.await(never));
        provider.enqueue(script);
        StreamTimeouts shortFirst = new StreamTimeouts(Duration.ofSeconds(2), Duration.ofMillis(200), WAIT);
        connector = OpenAiFixtures.connector(client, provider.baseUri(), shortFirst);
        connector.open(simpleRequest(), listener);

        UpstreamOutcome outcome = listener.awaitEnd(WAIT);
        never.complete(null);
        assertTrue(outcome instanceof UpstreamOutcome.Failed failed
                && failed.reason() == dev.switchboard.protocol.close.CloseReason.UPSTREAM_TIMEOUT
                && failed.message().contains("first token"), outcome::toString);
    }

    @Test
    void retry_delivery_while_paused_delivers_what_was_parsed_but_reads_nothing_new() {
        CompletableFuture<Void> gate = new CompletableFuture<>();
        List<Step> script = new ArrayList<>(OpenAiChunks.opening());
        script.add(Step.write(contentEvents(numbered(0, 5))));
        script.add(Step.await(gate));
        script.addAll(OpenAiChunks.trickleRest(5, 10, Duration.ofMillis(1)));
        provider.enqueue(script);
        listener.refuseAt(3);
        Upstream upstream = connector.open(simpleRequest(), listener);
        Exchange exchange = provider.takeExchange(WAIT);
        await().atMost(WAIT).until(() -> listener.offers() >= 3);

        upstream.pause();
        listener.stopRefusing();
        upstream.retryDelivery();
        await().atMost(WAIT).until(() -> listener.size() >= 3);
        gate.complete(null);

        assertEquals(Exchange.Ending.COMPLETED, exchange.awaitEnding(WAIT));
        int delivered = listener.size();
        assertTrue(delivered <= 5, () -> "read past the pause: " + listener.transcript());
        assertStaysAt(delivered, listener::size);

        upstream.resume();

        listener.awaitEnd(WAIT);
        assertEquals(fullTranscript(10), listener.transcript());
    }

    @Test
    void pausing_and_resuming_from_other_threads_throughout_a_long_stream_loses_and_reorders_nothing() {
        CompletableFuture<Void> opened = new CompletableFuture<>();
        int count = 400;
        List<Step> script = new ArrayList<>(List.of(Step.await(opened)));
        script.addAll(OpenAiChunks.opening());
        for (int from = 0; from < count; from += 8) {
            script.add(Step.write(contentEvents(numbered(from, Math.min(count, from + 8)))));
            script.add(Step.delay(Duration.ofMillis(1)));
        }
        script.addAll(OpenAiChunks.trailer(count));
        provider.enqueue(script);
        ExecutorService resumers = Executors.newFixedThreadPool(2);
        try {
            AtomicReference<Upstream> upstream = new AtomicReference<>();
            // Every fifth event pauses from the delivering thread; another thread resumes, as the broker would
            // when its client catches up.
            listener.afterEachAccepted(position -> {
                if (position % 5 == 0) {
                    upstream.get().pause();
                    resumers.execute(() -> upstream.get().resume());
                }
            });
            upstream.set(connector.open(simpleRequest(), listener));
            opened.complete(null);

            listener.awaitEnd(WAIT);
        } finally {
            resumers.shutdownNow();
        }
        assertEquals(fullTranscript(count), listener.transcript());
    }
}
