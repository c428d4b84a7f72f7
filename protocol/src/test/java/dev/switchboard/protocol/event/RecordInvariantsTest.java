package dev.switchboard.protocol.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** Records built in code (by the broker and the bridge) obey the same rules as records decoded from JSON. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RecordInvariantsTest {

    @Test
    void absent_optional_fields_default_instead_of_staying_null() {
        ResponseCancel cancel = new ResponseCancel(null, null);
        ResponseCreate create = new ResponseCreate(null, null);

        assertEquals("", cancel.eventId());
        assertEquals(Optional.empty(), cancel.responseId());
        assertEquals(ResponseParams.none(), create.response());
    }

    @Test
    void collections_are_copied_so_later_changes_to_the_source_do_not_leak_in() {
        List<ContentPart> parts = new ArrayList<>(List.of(ContentPart.text("input_text", "hello")));
        Map<String, String> metadata = new HashMap<>(Map.of("k", "v"));
        ConversationItem item = ConversationItem.message("item_1", "user", "completed", parts);
        ResponseParams params = new ResponseParams(Optional.empty(), Optional.empty(), metadata, Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

        parts.add(ContentPart.text("input_text", " world"));
        metadata.put("k2", "v2");

        assertEquals("hello", item.text());
        assertEquals(Map.of("k", "v"), params.metadata());
        assertThrows(UnsupportedOperationException.class, () -> item.content().add(parts.get(1)));
    }

    @Test
    void more_than_sixteen_metadata_pairs_throw_an_invalid_field_exception() {
        Map<String, String> metadata = new HashMap<>();
        for (int i = 0; i <= ResponseParams.MAX_METADATA_PAIRS; i++) {
            metadata.put("k" + i, "v");
        }

        InvalidFieldException e = assertThrows(InvalidFieldException.class, () -> new ResponseParams(
                Optional.empty(), Optional.empty(), metadata, Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty()));

        assertEquals("metadata", e.field());
        assertFalse(e.missing());
    }

    @Test
    void reserved_upstream_params_throw_naming_the_key_and_json_nulls_are_dropped() {
        JsonNodeFactory json = JsonNodeFactory.instance;
        Map<String, com.fasterxml.jackson.databind.JsonNode> reserved = Map.of("max_tokens", json.numberNode(5));
        Map<String, com.fasterxml.jackson.databind.JsonNode> withNull = new HashMap<>();
        withNull.put("seed", json.numberNode(1));
        withNull.put("stop", json.nullNode());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ResponseParams(
                Optional.empty(), Optional.empty(), Map.of(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), reserved));
        ResponseParams params = new ResponseParams(Optional.empty(), Optional.empty(), Map.of(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), withNull);

        assertTrue(e.getMessage().contains("upstream_params.max_tokens"), e.getMessage());
        assertEquals(Map.of("seed", json.numberNode(1)), params.upstreamParams());
        assertEquals(Map.of(), ResponseParams.none().upstreamParams());
    }

    @Test
    void response_max_output_tokens_is_validated_like_the_session_one() {
        JsonNodeFactory json = JsonNodeFactory.instance;

        InvalidFieldException e = assertThrows(InvalidFieldException.class, () -> new ResponseParams(
                Optional.empty(), Optional.empty(), Map.of(), Optional.empty(), Optional.empty(),
                Optional.of(json.numberNode(0)), Optional.empty(), Optional.empty()));

        assertEquals("max_output_tokens", e.field());
    }

    @Test
    void missing_required_field_throws_naming_it() {
        InvalidFieldException item = assertThrows(InvalidFieldException.class, () -> new ConversationItem(
                Optional.empty(), "", Optional.empty(), Optional.empty(), Optional.empty(), List.of(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()));
        InvalidFieldException done = assertThrows(InvalidFieldException.class, () -> new ResponseDone(null));
        InvalidFieldException delta = assertThrows(InvalidFieldException.class,
                () -> new ResponseOutputTextDelta("resp_1", "item_1", 0, 0, null));

        assertEquals("type", item.field());
        assertTrue(item.missing());
        assertEquals("missing required field 'item.type'", item.getMessage());
        assertEquals("response", done.field());
        assertEquals("delta", delta.field());
    }

    @Test
    void unknown_event_keeps_a_private_copy_of_its_json() {
        ObjectNode raw = JsonNodeFactory.instance.objectNode().put("type", "response.output_audio.delta");
        UnknownServerEvent event = new UnknownServerEvent("response.output_audio.delta", raw);

        raw.put("delta", "AAAA");

        assertFalse(event.raw().has("delta"));
    }

    @Test
    void session_merge_replaces_present_fields_and_keeps_identity() {
        SessionConfig current = new SessionConfig(Optional.of("realtime"), Optional.of("realtime.session"),
                Optional.of("sess_1"), Optional.of("gpt-realtime"), Optional.of("old"), Optional.of(List.of("text")),
                Optional.empty(), Optional.empty(), Optional.empty());
        SessionConfig patch = new SessionConfig(Optional.empty(), Optional.of("other"), Optional.of("sess_2"),
                Optional.empty(), Optional.of("new"), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty());

        SessionConfig merged = current.merge(patch);

        assertEquals(Optional.of("sess_1"), merged.id());
        assertEquals(Optional.of("realtime.session"), merged.object());
        assertEquals(Optional.of("new"), merged.instructions());
        assertEquals(Optional.of("gpt-realtime"), merged.model());
        assertEquals(Optional.of(List.of("text")), merged.outputModalities());
    }

    @Test
    void usage_totals_input_and_output_and_rejects_negative_counts() {
        assertEquals(new Usage(12, 10, 2), Usage.of(10, 2));
        assertThrows(IllegalArgumentException.class, () -> new Usage(-1, 0, 0));
    }

    @Test
    void error_detail_names_the_client_event_only_when_there_is_one() {
        assertEquals(Optional.empty(), ErrorDetail.invalidRequest("invalid_json", "bad", "").eventId());
        assertEquals(Optional.of("evt_1"), ErrorDetail.invalidRequest("invalid_json", "bad", "evt_1").eventId());
    }

    @Test
    void only_text_deltas_are_streamed_deltas() {
        assertTrue(new ResponseOutputTextDelta("resp_1", "item_1", 0, 0, "Hi").streamedDelta());
        assertFalse(new ResponseOutputTextDone("resp_1", "item_1", 0, 0, "Hi").streamedDelta());
    }

    @Test
    void visitor_dispatches_each_client_event_to_its_own_method() {
        ClientEvent.Visitor<String> names = new ClientEvent.Visitor<>() {
            @Override
            public String onSessionUpdate(SessionUpdate event) {
                return "session.update";
            }

            @Override
            public String onConversationItemCreate(ConversationItemCreate event) {
                return "conversation.item.create";
            }

            @Override
            public String onResponseCreate(ResponseCreate event) {
                return "response.create";
            }

            @Override
            public String onResponseCancel(ResponseCancel event) {
                return "response.cancel";
            }

            @Override
            public String onUnknown(UnknownClientEvent event) {
                return "unknown:" + event.type();
            }
        };
        ConversationItem item = ConversationItem.message("item_1", "user", "completed", List.of());
        ObjectNode raw = JsonNodeFactory.instance.objectNode().put("type", "input_audio_buffer.clear");

        assertEquals("session.update", new SessionUpdate("", SessionConfig.empty()).accept(names));
        assertEquals("conversation.item.create", new ConversationItemCreate("", Optional.empty(), item).accept(names));
        assertEquals("response.create", new ResponseCreate("", ResponseParams.none()).accept(names));
        assertEquals("response.cancel", new ResponseCancel("", Optional.empty()).accept(names));
        assertEquals("unknown:input_audio_buffer.clear",
                new UnknownClientEvent("", "input_audio_buffer.clear", raw).accept(names));
    }
}
