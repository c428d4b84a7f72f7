package dev.switchboard.bridge.openai;

import static dev.switchboard.bridge.openai.OpenAiChunks.MODEL;
import static dev.switchboard.bridge.openai.OpenAiChunks.contentEvents;
import static dev.switchboard.bridge.openai.OpenAiChunks.numbered;
import static dev.switchboard.bridge.openai.OpenAiFixtures.RELAXED;
import static dev.switchboard.bridge.openai.OpenAiFixtures.WAIT;
import static dev.switchboard.bridge.openai.OpenAiFixtures.simpleRequest;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.bridge.fakeprovider.Exchange;
import dev.switchboard.bridge.fakeprovider.ScriptedProvider;
import dev.switchboard.bridge.fakeprovider.Step;
import dev.switchboard.bridge.upstream.RecordingListener;
import dev.switchboard.bridge.upstream.Upstream;
import dev.switchboard.bridge.upstream.UpstreamEvent;
import dev.switchboard.bridge.upstream.UpstreamOutcome;
import dev.switchboard.protocol.event.Usage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.client.HttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** {@link Upstream#cancel()}: the provider request is aborted and exactly one End(Cancelled) ends the stream. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class OpenAiConnectorCancelTest {
    private static final UpstreamOutcome CANCELLED = new UpstreamOutcome.Cancelled();
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

    @Test
    void cancel_mid_stream_aborts_the_provider_request_and_ends_with_one_cancelled() {
        // 2000 deltas 5 ms apart: far longer than the test, so only the cancel can end it.
        provider.enqueue(OpenAiChunks.trickle(2_000, Duration.ofMillis(5)));
        Upstream upstream = connector.open(simpleRequest(), listener);
        await().atMost(WAIT).until(() -> listener.deltaTexts().size() >= 3);

        upstream.cancel();
        int sizeWhenCancelReturned = listener.size();

        assertEquals(CANCELLED, listener.awaitEnd(WAIT));
        assertEquals(Exchange.Ending.CLIENT_DISCONNECTED, provider.takeExchange(WAIT).awaitEnding(WAIT));
        List<UpstreamEvent> events = listener.events();
        List<UpstreamEvent> late = events.subList(Math.min(sizeWhenCancelReturned, events.size()), events.size())
                .stream().filter(UpstreamEvent.TextDelta.class::isInstance).toList();
        // A Jetty thread may have been inside tryDeliver with one delta when cancel() was called; no more.
        assertTrue(late.size() <= 1, () -> "deltas delivered after cancel() returned: " + late);
        List<String> deltas = listener.deltaTexts();
        assertEquals(numbered(0, deltas.size()), deltas);
    }

    @Test
    void cancel_is_idempotent_and_concurrent_cancels_deliver_one_end() throws Exception {
        provider.enqueue(OpenAiChunks.trickle(2_000, Duration.ofMillis(5)));
        Upstream upstream = connector.open(simpleRequest(), listener);
        await().atMost(WAIT).until(() -> listener.deltaTexts().size() >= 2);
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> cancels = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                cancels.add(threads.submit(() -> {
                    go.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                    upstream.cancel();
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> cancel : cancels) {
                cancel.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } finally {
            threads.shutdownNow();
        }

        assertEquals(CANCELLED, listener.awaitEnd(WAIT));
        int size = listener.size();
        upstream.cancel();
        assertEquals(size, listener.size());
        listener.assertContractHeld();
    }

    @Test
    void cancel_from_inside_the_listener_stops_delivery_at_once() {
        CompletableFuture<Void> opened = new CompletableFuture<>();
        List<Step> script = new ArrayList<>(List.of(Step.await(opened)));
        script.addAll(OpenAiChunks.opening());
        // All ten deltas in one write, so the rest are already parsed and pending when the listener cancels.
        script.add(Step.write(contentEvents(numbered(0, 10))));
        script.add(Step.hang());
        provider.enqueue(script);
        AtomicReference<Upstream> upstream = new AtomicReference<>();
        listener.afterAccepting(3, () -> upstream.get().cancel());

        upstream.set(connector.open(simpleRequest(), listener));
        opened.complete(null);

        assertEquals(CANCELLED, listener.awaitEnd(WAIT));
        assertEquals(List.of("delta [d0]", "delta [d1]", "delta [d2]", RecordingListener.end(CANCELLED)),
                listener.transcript());
        assertEquals(Exchange.Ending.CLIENT_DISCONNECTED, provider.takeExchange(WAIT).awaitEnding(WAIT));
    }

    @Test
    void cancel_before_the_provider_answers_ends_with_cancelled_alone() {
        provider.enqueue(Step.hang());
        Upstream upstream = connector.open(simpleRequest(), listener);
        Exchange exchange = provider.takeExchange(WAIT);

        upstream.cancel();

        assertEquals(CANCELLED, listener.awaitEnd(WAIT));
        assertEquals(List.of(RecordingListener.end(CANCELLED)), listener.transcript());
        assertEquals(Exchange.Ending.CLIENT_DISCONNECTED, exchange.awaitEnding(WAIT));
    }

    @Test
    void cancel_after_completion_delivers_nothing_more() {
        provider.enqueue(OpenAiChunks.answer(2, "done"));
        Upstream upstream = connector.open(simpleRequest(), listener);
        UpstreamOutcome completed = listener.awaitEnd(WAIT);

        // cancel() runs any delivery it causes on this thread, so a second End would show up right here.
        upstream.cancel();

        assertEquals(List.of("delta done", RecordingListener.end(completed)), listener.transcript());
        listener.assertContractHeld();
    }

    @Test
    void cancel_while_a_refused_event_is_held_drops_every_undelivered_event() {
        // The whole answer in one write: deltas, finish, usage and [DONE] are parsed together, so the
        // Completed end is already queued behind the refused delta when the cancel comes.
        provider.enqueue(Step.sseHeaders(), Step.write("data: " + OpenAiChunks.role() + "\n\n"
                + contentEvents(numbered(0, 5)) + "data: " + OpenAiChunks.finish("stop") + "\n\n"
                + "data: " + OpenAiChunks.usage(1, 5) + "\n\ndata: [DONE]\n\n"));
        listener.refuseAt(2);
        Upstream upstream = connector.open(simpleRequest(), listener);
        await().atMost(WAIT).until(() -> listener.offers() >= 2);

        upstream.cancel();
        listener.stopRefusing();
        upstream.retryDelivery();

        assertEquals(CANCELLED, listener.awaitEnd(WAIT));
        assertEquals(List.of("delta [d0]", RecordingListener.end(CANCELLED)), listener.transcript());
    }

    @Test
    void cancel_racing_completion_always_ends_exactly_once_with_a_prefix_of_the_answer() throws Exception {
        List<String> texts = numbered(0, 20);
        UpstreamOutcome completed = new UpstreamOutcome.Completed("stop", Usage.of(1, 20), MODEL);
        int cancelled = 0;
        for (int round = 0; round < 44; round++) {
            provider.enqueue(OpenAiChunks.answer(1, texts.toArray(String[]::new)));
            // Cancel from this thread right after open (0), while a Jetty thread delivers the k-th event (1-20),
            // or once the End is in (21).
            int cancelAfter = round % 22;
            CountDownLatch reached = new CountDownLatch(cancelAfter == 0 ? 0 : 1);
            RecordingListener racing = new RecordingListener().afterAccepting(cancelAfter, reached::countDown);
            Upstream upstream = connector.open(simpleRequest(), racing);
            assertTrue(reached.await(WAIT.toMillis(), TimeUnit.MILLISECONDS), "event " + cancelAfter);
            upstream.cancel();

            UpstreamOutcome outcome = racing.awaitEnd(WAIT);
            List<String> deltas = racing.deltaTexts();
            if (outcome.equals(CANCELLED)) {
                cancelled++;
                assertEquals(texts.subList(0, deltas.size()), deltas);
            } else {
                assertEquals(completed, outcome);
                assertEquals(texts, deltas);
            }
            assertInstanceOf(UpstreamEvent.End.class, racing.events().get(racing.size() - 1));
        }
        assertTrue(cancelled > 0, "no round ended cancelled");
    }
}
