package dev.switchboard.broker.transport.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** The per-token chunk written from a template is the very text the tree-built chunk has (issue 12). */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ChatJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void a_text_chunk_from_the_template_equals_the_tree_built_chunk() {
        Random random = new Random(3);
        String[] models = {"gpt-4o-mini", "sim \"chat\"", "modèle/日本", ""};
        for (int i = 0; i < 2_000; i++) {
            ChatJson chat = new ChatJson(JSON, "chatcmpl-resp_" + i, 1_700_000_000L + i, models[i % models.length]);
            String content = randomText(random);
            boolean usage = i % 2 == 0;
            String tree = chat.chunk(JSON.createObjectNode().put("content", content), Optional.empty(), usage)
                    .toString();
            assertEquals(tree, textChunk(chat, content, usage));
            // The template is built once per builder and reused.
            assertEquals(chat.chunk(JSON.createObjectNode().put("content", "x"), Optional.empty(), usage).toString(),
                    textChunk(chat, "x", usage));
        }
    }

    @Test
    void a_builder_for_the_answering_model_writes_that_model() {
        ChatJson chat = new ChatJson(JSON, "chatcmpl-r", 5, "alias");
        textChunk(chat, "a", false);
        ChatJson answering = chat.withModel("provider-model");
        assertEquals(answering.chunk(JSON.createObjectNode().put("content", "b"), Optional.empty(), false).toString(),
                textChunk(answering, "b", false));
    }

    /** The templated chunk, appended after an SSE event's start as the endpoint writes it, without that start. */
    private static String textChunk(ChatJson chat, String content, boolean usage) {
        String framed = chat.appendTextChunk(new StringBuilder("id: r.1\ndata: "), content, usage).toString();
        assertTrue(framed.startsWith("id: r.1\ndata: "), framed);
        return framed.substring("id: r.1\ndata: ".length());
    }

    private static String randomText(Random random) {
        StringBuilder text = new StringBuilder();
        int length = random.nextInt(30);
        for (int j = 0; j < length; j++) {
            text.append((char) (random.nextBoolean() ? random.nextInt(0x80) : random.nextInt(0x10000)));
        }
        return text.toString();
    }
}
