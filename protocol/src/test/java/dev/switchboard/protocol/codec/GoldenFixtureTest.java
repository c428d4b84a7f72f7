package dev.switchboard.protocol.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.protocol.event.ClientEvent;
import dev.switchboard.protocol.event.ConversationItem;
import dev.switchboard.protocol.event.ErrorDetail;
import dev.switchboard.protocol.event.RealtimeResponse;
import dev.switchboard.protocol.event.ResponseCreate;
import dev.switchboard.protocol.event.ResponseDone;
import dev.switchboard.protocol.event.ResponseParams;
import dev.switchboard.protocol.event.ServerEvent;
import dev.switchboard.protocol.event.StatusDetails;
import dev.switchboard.protocol.event.Usage;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every modelled event survives decode then encode unchanged. The fixtures are in the canonical form the codec
 * writes: snake_case, absent optionals omitted, collections that are not optional always present.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class GoldenFixtureTest {
    private static final EventCodec CODEC = EventCodec.create();

    static Stream<Golden.Fixture> clientFixtures() {
        return Golden.fixtures(Golden.Side.CLIENT).stream();
    }

    static Stream<Golden.Fixture> serverFixtures() {
        return Golden.fixtures(Golden.Side.SERVER).stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clientFixtures")
    void client_fixture_decodes_to_its_record_and_encodes_back_to_the_same_json(Golden.Fixture fixture) {
        ClientDecoding decoding = CODEC.decodeClient(fixture.text());

        ClientEvent event = assertInstanceOf(ClientDecoding.Decoded.class, decoding, decoding::toString).event();
        assertSame(Golden.wireNames(ClientEvent.class).get(fixture.wireName()), event.getClass());
        assertEquals(fixture.tree(), Golden.strictTree(CODEC.encodeClient(event)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clientFixtures")
    void client_event_re_decoded_from_its_encoding_is_equal(Golden.Fixture fixture) {
        ClientEvent event = decoded(fixture.text());

        assertEquals(event, decoded(CODEC.encodeClient(event)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("serverFixtures")
    void server_fixture_decodes_to_its_record_and_encodes_back_to_the_same_json(Golden.Fixture fixture)
            throws JsonProcessingException {
        ServerEvent event = CODEC.mapper().treeToValue(fixture.tree(), ServerEvent.class);

        assertSame(Golden.wireNames(ServerEvent.class).get(fixture.wireName()), event.getClass());
        assertEquals(fixture.tree(), Golden.strictTree(CODEC.encodeServer(event)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("serverFixtures")
    void server_event_with_envelope_adds_event_id_and_seq_and_still_parses(Golden.Fixture fixture)
            throws JsonProcessingException {
        ServerEvent event = CODEC.mapper().treeToValue(fixture.tree(), ServerEvent.class);

        String wire = CODEC.encodeServer(event, "event_x", 7);

        ObjectNode expected = (ObjectNode) fixture.tree().deepCopy();
        expected.put("event_id", "event_x");
        expected.put("seq", 7);
        assertEquals(expected, Golden.strictTree(wire));
        ServerFrame frame = CODEC.decodeServer(wire).orElseThrow();
        assertEquals(new ServerFrame(fixture.wireName(), "event_x", 7, event), frame);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("serverFixtures")
    void connection_level_event_with_negative_seq_has_event_id_but_no_seq(Golden.Fixture fixture)
            throws JsonProcessingException {
        ServerEvent event = CODEC.mapper().treeToValue(fixture.tree(), ServerEvent.class);

        String wire = CODEC.encodeServer(event, "event_y", -1);

        JsonNode tree = Golden.strictTree(wire);
        assertEquals("event_y", tree.get("event_id").asText());
        assertFalse(tree.has("seq"), wire);
        assertEquals(-1, CODEC.decodeServer(wire).orElseThrow().seq());
    }

    @Test
    void response_create_fixture_exposes_every_override_to_the_broker() {
        ResponseCreate create = (ResponseCreate) decoded(Golden.fixture(Golden.Side.CLIENT, "response.create").text());

        ResponseParams params = create.response();
        assertEquals("evt_client_0003", create.eventId());
        assertEquals(Optional.of("none"), params.conversation());
        assertEquals(Map.of("purpose", "sentiment", "ticket", "T-4471"), params.metadata());
        assertEquals(Optional.of(List.of("text")), params.outputModalities());
        assertEquals(16, params.maxOutputTokens().orElseThrow().intValue());
        assertEquals("none", params.toolChoice().orElseThrow().asText());
        assertEquals(Optional.empty(), params.tools());
        assertEquals(0.2, params.upstreamParams().get("temperature").doubleValue());
        assertEquals(7, params.upstreamParams().get("seed").intValue());
        assertEquals("\n\n", params.upstreamParams().get("stop").get(0).asText());
        ConversationItem input = params.input().orElseThrow().get(0);
        assertEquals("The replacement arrived a day early and works perfectly.", input.text());
        assertEquals(Optional.empty(), input.id());
    }

    @Test
    void failed_response_done_round_trips_with_its_nested_error() throws JsonProcessingException {
        ErrorDetail error = new ErrorDetail("server_error", "upstream_timeout", "no first token within 10s",
                Optional.empty(), Optional.empty());
        RealtimeResponse response = new RealtimeResponse("resp_1", "realtime.response", "failed",
                Optional.of(new StatusDetails("failed", Optional.of("upstream_timeout"), Optional.of(error))),
                List.of(), Optional.of(Usage.of(120, 0)), Map.of(), Optional.empty(), List.of("text"),
                Optional.empty());
        ResponseDone done = new ResponseDone(response);

        String wire = CODEC.encodeServer(done);

        JsonNode tree = Golden.strictTree(wire);
        assertEquals("upstream_timeout", tree.at("/response/status_details/error/code").asText());
        assertEquals(done, CODEC.mapper().treeToValue(tree, ServerEvent.class));
    }

    private static ClientEvent decoded(String json) {
        ClientDecoding decoding = CODEC.decodeClient(json);
        return assertInstanceOf(ClientDecoding.Decoded.class, decoding, decoding::toString).event();
    }
}
