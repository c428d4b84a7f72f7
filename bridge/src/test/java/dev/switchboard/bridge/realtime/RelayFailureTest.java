package dev.switchboard.bridge.realtime;

import static dev.switchboard.bridge.realtime.RealtimeFixtures.MODEL;
import static dev.switchboard.bridge.realtime.RealtimeFixtures.SECRET;
import static dev.switchboard.bridge.realtime.RealtimeFixtures.WAIT;
import static dev.switchboard.bridge.realtime.RealtimeFixtures.assertNoSecret;
import static dev.switchboard.bridge.realtime.RealtimeFixtures.assertStaysAt;
import static dev.switchboard.bridge.realtime.RealtimeFixtures.awaitRelayed;
import static dev.switchboard.bridge.realtime.RealtimeFixtures.config;
import static dev.switchboard.bridge.realtime.RealtimeFixtures.relayedJson;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.bridge.upstream.RecordingListener;
import dev.switchboard.bridge.upstream.UpstreamOutcome;
import dev.switchboard.protocol.close.CloseReason;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every way a relay fails ends it with exactly one {@code Failed}, classified, and never carrying the key. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RelayFailureTest {
    private static final Duration SHORT = Duration.ofMillis(300);
    private static final RealtimeConfig.Timeouts SHORT_HANDSHAKE =
            new RealtimeConfig.Timeouts(SHORT, SHORT, Duration.ofMinutes(1));
    private FakeRealtimeServer provider;
    private RealtimeConnector connector;
    private final RecordingListener listener = new RecordingListener();

    @BeforeEach
    void start() throws Exception {
        provider = FakeRealtimeServer.start();
        connector = RealtimeConnector.start(config(provider.httpBaseUri()));
    }

    @AfterEach
    void stop() throws Exception {
        connector.close();
        provider.close();
    }

    private UpstreamOutcome.Failed failure() {
        UpstreamOutcome.Failed failed = assertNoSecret(listener.awaitFailure(WAIT));
        assertEquals(1, listener.size(), () -> "events: " + listener.events());
        return failed;
    }

    private RealtimeConnector connectorWith(URI baseUri, RealtimeConfig.Timeouts timeouts) {
        return RealtimeConnector.start(new RealtimeConfig("openai-realtime", baseUri, Optional.of(SECRET), timeouts,
                RealtimeConfig.Limits.defaults()));
    }

    @Test
    void a_401_on_the_upgrade_is_an_auth_failure_and_the_key_the_provider_echoes_is_not_passed_on() {
        provider.answerNext(FakeRealtimeServer.refuse(401, SECRET));

        RelayUpstream relay = connector.open(MODEL, listener);

        UpstreamOutcome.Failed failed = failure();
        assertEquals(CloseReason.UPSTREAM_AUTH, failed.reason());
        assertTrue(failed.message().contains("HTTP 401"), failed::message);
        assertFalse(relay.trySend(GaEvents.responseCreate()));
    }

    @Test
    void a_429_is_rate_limited_with_the_providers_retry_after() {
        provider.answerNext(FakeRealtimeServer.refuse(429, "-", "Retry-After", "7"));

        connector.open(MODEL, listener);

        UpstreamOutcome.Failed failed = failure();
        assertEquals(CloseReason.UPSTREAM_RATE_LIMITED, failed.reason());
        assertEquals(Optional.of(Duration.ofSeconds(7)), failed.retryAfter());
    }

    @ParameterizedTest(name = "HTTP {0} is {1}")
    @CsvSource({
        "400, UPSTREAM_REJECTED",
        "401, UPSTREAM_AUTH",
        "403, UPSTREAM_AUTH",
        "404, UPSTREAM_REJECTED",
        "408, UPSTREAM_TIMEOUT",
        "429, UPSTREAM_RATE_LIMITED",
        "500, UPSTREAM_UNAVAILABLE",
        "502, UPSTREAM_UNAVAILABLE",
        "503, UPSTREAM_UNAVAILABLE"
    })
    void each_refused_upgrade_status_maps_to_one_close_reason(int status, CloseReason reason) {
        provider.answerNext(FakeRealtimeServer.refuse(status, SECRET));

        connector.open(MODEL, listener);

        assertEquals(reason, failure().reason());
    }

    @Test
    void a_refused_connection_is_upstream_unavailable() throws IOException {
        // A socket bound but not listening keeps the port reserved for the whole test, and refuses connections.
        try (SocketChannel reserved = SocketChannel.open()) {
            reserved.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = ((InetSocketAddress) reserved.getLocalAddress()).getPort();
            try (RealtimeConnector refused = connectorWith(URI.create("ws://127.0.0.1:" + port), SHORT_HANDSHAKE)) {
                refused.open(MODEL, listener);

                UpstreamOutcome.Failed failed = failure();
                assertEquals(CloseReason.UPSTREAM_UNAVAILABLE, failed.reason());
                assertTrue(failed.message().contains("could not be reached"), failed::message);
            }
        }
    }

    @Test
    void a_handshake_the_provider_never_answers_times_out() {
        provider.answerNext(new FakeRealtimeServer.Answer.Hang());

        try (RealtimeConnector impatient = connectorWith(provider.httpBaseUri(), SHORT_HANDSHAKE)) {
            impatient.open(MODEL, listener);

            UpstreamOutcome.Failed failed = failure();
            assertEquals(CloseReason.UPSTREAM_TIMEOUT, failed.reason());
            assertTrue(failed.message().contains("handshake"), failed::message);
        }
    }

    @Test
    void the_handshake_timeout_does_not_cut_a_session_that_opened() throws Exception {
        provider.script(Script.ga("still", " here"));
        try (RealtimeConnector impatient = connectorWith(provider.httpBaseUri(), SHORT_HANDSHAKE)) {
            RelayUpstream relay = impatient.open(MODEL, listener);
            FakeRealtimeConnection connection = provider.takeConnection(WAIT);
            awaitRelayed(listener, 1);

            // Longer than the handshake timeout, with nothing on the wire.
            assertStaysAt(1, listener::size);
            assertTrue(relay.trySend(GaEvents.responseCreate()));

            awaitRelayed(listener, 10);
            assertEquals(connection.sent(), relayedJson(listener));
            listener.assertNotEnded();
        }
    }

    @Test
    void a_provider_closing_mid_response_breaks_the_stream_after_the_events_it_sent() throws Exception {
        provider.script((connection, type, json) -> {
            connection.send(GaEvents.responseCreated("resp_1"));
            connection.send(GaEvents.outputTextDelta("resp_1", "item_1", "Half an ans"));
            connection.close(1011, "upstream overloaded");
        });
        RelayUpstream relay = connector.open(MODEL, listener);
        FakeRealtimeConnection connection = provider.takeConnection(WAIT);
        relay.trySend(GaEvents.responseCreate());

        UpstreamOutcome.Failed failed = assertNoSecret(listener.awaitFailure(WAIT));

        assertEquals(CloseReason.UPSTREAM_STREAM_BROKEN, failed.reason());
        assertTrue(failed.message().contains("1011") && failed.message().contains("upstream overloaded"),
                failed::message);
        assertEquals(connection.sent(), relayedJson(listener));
        assertEquals(4, listener.size());
        assertFalse(relay.trySend(GaEvents.responseCreate()));
    }

    @Test
    void a_provider_dropping_the_connection_mid_response_breaks_the_stream() throws Exception {
        provider.script((connection, type, json) -> {
            connection.send(GaEvents.responseCreated("resp_1"));
            connection.disconnect();
        });
        RelayUpstream relay = connector.open(MODEL, listener);
        provider.takeConnection(WAIT);
        relay.trySend(GaEvents.responseCreate());

        UpstreamOutcome.Failed failed = assertNoSecret(listener.awaitFailure(WAIT));

        assertEquals(CloseReason.UPSTREAM_STREAM_BROKEN, failed.reason());
        assertTrue(failed.reason().isRetryable());
    }

    @Test
    void a_close_reason_that_echoes_the_key_is_redacted() throws Exception {
        provider.script((connection, type, json) -> connection.close(1008, "bad key " + SECRET));
        RelayUpstream relay = connector.open(MODEL, listener);
        provider.takeConnection(WAIT);
        relay.trySend(GaEvents.responseCreate());

        UpstreamOutcome.Failed failed = assertNoSecret(listener.awaitFailure(WAIT));

        assertEquals(CloseReason.UPSTREAM_STREAM_BROKEN, failed.reason());
        assertTrue(failed.message().contains("1008"), failed::message);
    }

    @Test
    void a_connection_silent_past_the_idle_timeout_times_out() {
        provider.script(Script.silent());
        RealtimeConfig.Timeouts shortIdle = new RealtimeConfig.Timeouts(WAIT, WAIT, SHORT);
        try (RealtimeConnector idle = connectorWith(provider.httpBaseUri(), shortIdle)) {
            idle.open(MODEL, listener);

            UpstreamOutcome.Failed failed = assertNoSecret(listener.awaitFailure(WAIT));

            assertEquals(CloseReason.UPSTREAM_TIMEOUT, failed.reason());
            assertEquals(List.of("session.created"), RealtimeFixtures.relayedTypes(listener));
        }
    }

    @Test
    void closing_the_connector_ends_open_relays_with_a_failure() throws Exception {
        connector.open(MODEL, listener);
        provider.takeConnection(WAIT);
        awaitRelayed(listener, 1);

        connector.close();

        UpstreamOutcome.Failed failed = listener.awaitFailure(WAIT);
        assertEquals(CloseReason.UPSTREAM_STREAM_BROKEN, failed.reason(), failed::message);
    }
}
