package dev.switchboard.bridge.realtime;

import static dev.switchboard.bridge.realtime.RealtimeFixtures.MODEL;
import static dev.switchboard.bridge.realtime.RealtimeFixtures.SECRET;
import static dev.switchboard.bridge.realtime.RealtimeFixtures.WAIT;
import static dev.switchboard.bridge.realtime.RealtimeFixtures.awaitRelayed;
import static dev.switchboard.bridge.realtime.RealtimeFixtures.config;
import static dev.switchboard.bridge.realtime.RealtimeFixtures.relayedJson;
import static dev.switchboard.bridge.realtime.RealtimeFixtures.relayedTypes;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.bridge.upstream.RecordingListener;
import dev.switchboard.bridge.upstream.UpstreamEvent;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** A healthy relay: server events come down exactly as sent, client events go up unchanged, both in order. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RelayStreamingTest {
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

    @Test
    void a_response_is_relayed_event_by_event_in_order_with_the_exact_json_the_provider_sent() throws Exception {
        provider.script(Script.ga("Hel", "lo", " there"));
        RelayUpstream relay = connector.open(MODEL, listener);
        FakeRealtimeConnection connection = provider.takeConnection(WAIT);

        assertTrue(relay.trySend(GaEvents.responseCreate()));

        awaitRelayed(listener, 11);
        assertEquals(connection.sent(), relayedJson(listener));
        assertEquals(List.of("session.created", "response.created", "response.output_item.added",
                "response.content_part.added", "response.output_text.delta", "response.output_text.delta",
                "response.output_text.delta", "response.output_text.done", "response.content_part.done",
                "response.output_item.done", "response.done"), relayedTypes(listener));
        listener.assertNotEnded();
        listener.assertContractHeld();
    }

    @Test
    void an_event_type_nobody_models_comes_down_untouched_with_its_formatting_and_extra_fields() throws Exception {
        String odd = "{ \"event_id\" : \"event_9\",\n  \"type\": \"x.vendor.telemetry\","
                + " \"item\": {\"type\": \"nested\"}, \"extra\": [1, 2.50, {\"deep\": null}],"
                + " \"note\": \"caf\\u00e9 \u2603\" }";
        provider.script(new Script() {
            @Override
            public void onOpen(FakeRealtimeConnection connection) {
                connection.send(odd);
            }

            @Override
            public void onClientEvent(FakeRealtimeConnection connection, String type, String json) {
            }
        });

        connector.open(MODEL, listener);

        awaitRelayed(listener, 1);
        UpstreamEvent.Relayed relayed = (UpstreamEvent.Relayed) listener.events().get(0);
        assertEquals(odd, relayed.json());
        assertEquals("x.vendor.telemetry", relayed.type());
    }

    @Test
    void client_events_go_up_unchanged_and_in_order_including_those_sent_before_the_socket_opened()
            throws Exception {
        CompletableFuture<Void> upgrade = new CompletableFuture<>();
        provider.script(Script.silent()).holdUpgradesUntil(upgrade);
        RelayUpstream relay = connector.open(MODEL, listener);
        provider.takeHandshake(WAIT);
        List<String> events = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            events.add(GaEvents.sessionUpdate("before open " + i));
        }
        events.add("{\"type\":\"x.custom.client_event\",  \"payload\": {\"type\": \"inner\", \"n\": [1,2,3]}}");
        events.forEach(event -> assertTrue(relay.trySend(event)));

        upgrade.complete(null);
        FakeRealtimeConnection connection = provider.takeConnection(WAIT);
        for (int i = 0; i < 200; i++) {
            String event = GaEvents.sessionUpdate("after open " + i);
            events.add(event);
            assertTrue(relay.trySend(event));
        }

        assertEquals(events, connection.awaitReceived(events.size(), WAIT));
    }

    @Test
    void an_unknown_client_event_reaches_the_provider_and_its_error_answer_comes_back() throws Exception {
        provider.script(Script.ga());
        RelayUpstream relay = connector.open(MODEL, listener);
        FakeRealtimeConnection connection = provider.takeConnection(WAIT);
        String unknown = "{\"type\":\"conversation.teleport\",\"destination\":\"mars\"}";

        assertTrue(relay.trySend(unknown));

        assertEquals(List.of(unknown), connection.awaitReceived(1, WAIT));
        awaitRelayed(listener, 2);
        assertEquals(List.of("session.created", "error"), relayedTypes(listener));
        assertTrue(relayedJson(listener).get(1).contains("conversation.teleport"));
    }

    @Test
    void the_upgrade_carries_the_provider_key_the_encoded_model_and_no_compression_offer() throws Exception {
        connector.open("gpt-realtime 2025/10&x=1", listener);

        FakeRealtimeServer.Handshake handshake = provider.takeHandshake(WAIT);

        assertEquals(Optional.of("Bearer " + SECRET), handshake.authorization());
        assertEquals("gpt-realtime 2025/10&x=1", handshake.model());
        assertEquals(Optional.empty(), handshake.extensions());
    }

    @Test
    void a_connector_without_a_key_sends_no_authorization() throws Exception {
        try (RealtimeConnector keyless = RealtimeConnector.start(
                new RealtimeConfig("local", provider.wsBaseUri(), Optional.empty()))) {
            keyless.open(MODEL, listener);

            assertEquals(Optional.empty(), provider.takeHandshake(WAIT).authorization());
            awaitRelayed(listener, 1);
        }
    }

    @Test
    void an_audio_delta_of_hundreds_of_kilobytes_is_relayed_whole() throws Exception {
        byte[] pcm = new byte[384 * 1024];
        for (int i = 0; i < pcm.length; i++) {
            pcm[i] = (byte) (i * 31);
        }
        String audio = "{\"type\":\"response.output_audio.delta\",\"event_id\":\"event_a\",\"response_id\":\"resp_1\","
                + "\"item_id\":\"item_1\",\"output_index\":0,\"content_index\":0,\"delta\":\""
                + Base64.getEncoder().encodeToString(pcm) + "\"}";
        provider.script(new Script() {
            @Override
            public void onOpen(FakeRealtimeConnection connection) {
                connection.send(audio);
                connection.send(GaEvents.responseDone("resp_1", "item_1", ""));
            }

            @Override
            public void onClientEvent(FakeRealtimeConnection connection, String type, String json) {
            }
        });

        connector.open(MODEL, listener);

        awaitRelayed(listener, 2);
        assertEquals(audio, relayedJson(listener).get(0));
        assertEquals(List.of("response.output_audio.delta", "response.done"), relayedTypes(listener));
    }

    @Test
    void a_binary_message_from_the_provider_is_dropped_and_counted_and_the_relay_goes_on() throws Exception {
        provider.script(Script.ga("ok"));
        RelayUpstream relay = connector.open(MODEL, listener);
        FakeRealtimeConnection connection = provider.takeConnection(WAIT);
        awaitRelayed(listener, 1);

        connection.sendBinary(new byte[] {1, 2, 3});
        connection.sendBinary(new byte[] {4});
        relay.trySend(GaEvents.responseCreate());

        awaitRelayed(listener, 9);
        assertEquals(connection.sent(), relayedJson(listener));
        await().atMost(WAIT).until(() -> connector.binaryMessagesDropped() == 2);
    }

    @Test
    void receive_times_never_go_backwards() throws Exception {
        provider.script(Script.ga("a", "b", "c", "d", "e"));
        RelayUpstream relay = connector.open(MODEL, listener);
        provider.takeConnection(WAIT);
        relay.trySend(GaEvents.responseCreate());

        awaitRelayed(listener, 13);
        long previous = Long.MIN_VALUE;
        for (UpstreamEvent event : listener.events()) {
            long received = ((UpstreamEvent.Relayed) event).receivedNanos();
            assertTrue(received >= previous, () -> "went backwards at " + event);
            previous = received;
        }
    }
}
