package dev.switchboard.bridge.anthropic;

import static dev.switchboard.bridge.anthropic.AnthropicEvents.numbered;
import static dev.switchboard.bridge.anthropic.AnthropicEvents.opening;
import static dev.switchboard.bridge.anthropic.AnthropicFixtures.RELAXED;
import static dev.switchboard.bridge.anthropic.AnthropicFixtures.WAIT;
import static dev.switchboard.bridge.anthropic.AnthropicFixtures.simpleRequest;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.bridge.fakeprovider.Exchange;
import dev.switchboard.bridge.fakeprovider.ScriptedProvider;
import dev.switchboard.bridge.fakeprovider.Step;
import dev.switchboard.bridge.upstream.RecordingListener;
import dev.switchboard.bridge.upstream.Upstream;
import dev.switchboard.bridge.upstream.UpstreamEvent;
import dev.switchboard.bridge.upstream.UpstreamOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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
class AnthropicConnectorCancelTest {
    private static final UpstreamOutcome CANCELLED = new UpstreamOutcome.Cancelled();
    private static HttpClient client;
    private ScriptedProvider provider;
    private AnthropicConnector connector;
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
        connector = AnthropicFixtures.connector(client, provider.baseUri(), RELAXED);
    }

    @AfterEach
    void stopProvider() {
        provider.close();
    }

    @Test
    void cancel_mid_stream_aborts_the_provider_request_and_ends_with_one_cancelled() {
        // 2000 deltas 5 ms apart: far longer than the test, so only the cancel can end it.
        provider.enqueue(AnthropicEvents.trickle(2_000, Duration.ofMillis(5)));
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
    void cancel_from_inside_the_listener_stops_delivery_at_once() {
        CompletableFuture<Void> opened = new CompletableFuture<>();
        List<Step> script = new ArrayList<>(List.of(Step.await(opened)));
        script.addAll(opening(1));
        // All ten deltas in one write, so the rest are already parsed and pending when the listener cancels.
        script.add(Step.write(AnthropicEvents.textEvents(numbered(0, 10))));
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
        provider.enqueue(AnthropicEvents.answer(2, "done"));
        Upstream upstream = connector.open(simpleRequest(), listener);
        UpstreamOutcome completed = listener.awaitEnd(WAIT);

        // cancel() runs any delivery it causes on this thread, so a second End would show up right here.
        upstream.cancel();

        assertEquals(List.of("delta done", RecordingListener.end(completed)), listener.transcript());
        listener.assertContractHeld();
    }
}
