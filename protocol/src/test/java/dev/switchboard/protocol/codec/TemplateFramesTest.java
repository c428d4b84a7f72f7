package dev.switchboard.protocol.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.protocol.event.ResponseOutputTextDelta;
import java.util.Random;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * Frames written from a template (issue 12) must be the very text Jackson writes: clients, the replay log and the
 * golden fixtures see no difference.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class TemplateFramesTest {
    private static final EventCodec CODEC = EventCodec.create();
    private static final String[] SAMPLES = {
        "", "the", " world", "quote \" and back\\slash", "tab\tnew\nline\rcr\bbs\fff",
        "\u0000\u0001\u001f\u007f",
        "héllo wörld", "日本語のテキスト",
        "emoji 😀 and a lone \ud83d surrogate", "</script> & 'x'", "\u2028\u2029",
    };

    @Test
    void quoted_strings_match_jackson_for_samples_and_random_text() throws Exception {
        ObjectMapper mapper = CODEC.mapper();
        for (String sample : SAMPLES) {
            assertEquals(mapper.writeValueAsString(sample), JsonText.appendQuoted(new StringBuilder(), sample)
                    .toString(), sample);
        }
        Random random = new Random(12);
        for (int i = 0; i < 5_000; i++) {
            String text = randomText(random);
            assertEquals(mapper.writeValueAsString(text), JsonText.appendQuoted(new StringBuilder(), text)
                    .toString());
        }
    }

    @Test
    void a_text_delta_frame_is_the_same_as_the_generic_encoding_with_and_without_seq() {
        Random random = new Random(7);
        for (int i = 0; i < 2_000; i++) {
            ResponseOutputTextDelta delta = new ResponseOutputTextDelta("resp_" + i, "item_\"" + i, i % 3, i % 2,
                    i < SAMPLES.length ? SAMPLES[i] : randomText(random));
            long seq = i % 5 == 0 ? -1 : i * 1_000_003L;
            assertEquals(CODEC.encodeEnvelope(delta, "evt_" + i, seq), CODEC.encodeServer(delta, "evt_" + i, seq));
        }
    }

    @Test
    void a_template_frame_decodes_back_to_the_same_event() {
        ResponseOutputTextDelta delta = new ResponseOutputTextDelta("resp_1", "item_2", 0, 0, "a \"b\"\n\u0003");
        ServerFrame frame = CODEC.decodeServer(CODEC.encodeServer(delta, "evt_1", 9)).orElseThrow();
        assertEquals(delta, frame.event());
        assertEquals(9, frame.seq());
    }

    private static String randomText(Random random) {
        StringBuilder text = new StringBuilder();
        int length = random.nextInt(40);
        for (int j = 0; j < length; j++) {
            int kind = random.nextInt(4);
            text.append(switch (kind) {
                case 0 -> (char) random.nextInt(0x80);
                case 1 -> (char) random.nextInt(0x20);
                case 2 -> (char) (0x80 + random.nextInt(0x800));
                default -> (char) random.nextInt(0x10000);
            });
        }
        return text.toString();
    }
}
