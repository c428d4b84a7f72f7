package dev.switchboard.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.switchboard.protocol.codec.ClientDecoding;
import dev.switchboard.protocol.codec.EventCodec;
import dev.switchboard.protocol.event.ConversationItemCreate;
import dev.switchboard.protocol.event.ResponseCancel;
import dev.switchboard.protocol.event.ResponseCreate;
import dev.switchboard.protocol.event.SessionConfig;
import dev.switchboard.protocol.event.SessionUpdate;
import java.util.Map;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ClientFramesTest {
    private final EventCodec codec = EventCodec.create();

    private <T> T decode(String json, Class<T> type) {
        ClientDecoding decoded = codec.decodeClient(json);
        return type.cast(assertInstanceOf(ClientDecoding.Decoded.class, decoded, json).event());
    }

    @Test
    void every_frame_decodes_as_the_intended_protocol_event() {
        Settings settings = Settings.parse("--tokens", "7", "--ttft-ms", "30", "--tokens-per-second", "12.5");
        ClientFrames frames = ClientFrames.of(codec, settings, true);

        ConversationItemCreate message = decode(frames.userMessage(), ConversationItemCreate.class);
        assertEquals("user", message.item().role().orElseThrow());
        assertEquals(ClientFrames.PROMPT, message.item().text());
        assertFalse(message.item().id().isPresent(), "the broker assigns item ids");

        ResponseCreate create = decode(frames.responseCreate(), ResponseCreate.class);
        assertEquals(ClientFrames.CREATE_ID, create.eventId());
        assertEquals(Map.of("sim_tokens", "7", "sim_ttft_ms", "30", "sim_tokens_per_second", "12.5",
                "sim_stamp", "true"), create.response().metadata());

        ResponseCancel cancel = decode(frames.cancel(), ResponseCancel.class);
        assertEquals(ClientFrames.CANCEL_ID, cancel.eventId());
        assertFalse(cancel.responseId().isPresent());
    }

    @Test
    void the_resume_probe_changes_nothing_and_slow_sessions_ask_for_a_long_fast_unstamped_response() {
        Settings settings = Settings.parse("--slow-tokens", "9000", "--slow-tokens-per-second", "2500");
        ClientFrames frames = ClientFrames.of(codec, settings, true);

        SessionUpdate probe = decode(frames.resumeProbe(), SessionUpdate.class);
        assertEquals(ClientFrames.PROBE_ID, probe.eventId());
        assertEquals(SessionConfig.empty(), probe.session());

        ResponseCreate slow = decode(frames.slowResponseCreate(), ResponseCreate.class);
        assertEquals(Map.of("sim_tokens", "9000", "sim_ttft_ms", "0", "sim_tokens_per_second", "2500"),
                slow.response().metadata());
    }

    @Test
    void no_sim_sends_no_simulator_metadata_and_no_stamp_request() {
        Settings settings = Settings.parse("--no-sim");
        ResponseCreate create = decode(ClientFrames.of(codec, settings, false).responseCreate(),
                ResponseCreate.class);
        assertEquals(Map.of(), create.response().metadata());
    }
}
