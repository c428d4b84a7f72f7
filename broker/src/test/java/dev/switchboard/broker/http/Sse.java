package dev.switchboard.broker.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** A strict reader of the broker's server-sent events: blocks of {@code id:}, {@code data:} and comment lines. */
final class Sse {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One block.
     *
     * @param id the {@code id:} value, if any
     * @param data the {@code data:} value, if any
     * @param comment the comment text (after {@code ": "}), if the block is a comment
     */
    record Block(Optional<String> id, Optional<String> data, Optional<String> comment) {
        boolean isData() {
            return data.isPresent();
        }

        JsonNode json() {
            try {
                return JSON.readTree(data.orElseThrow());
            } catch (Exception e) {
                throw new AssertionError("data is not JSON: " + data, e);
            }
        }
    }

    private Sse() {
    }

    /** Parses a whole body; fails on any line that is not {@code id: }, {@code data: } or {@code : }. */
    static List<Block> parse(String body) {
        if (!body.endsWith("\n\n")) {
            throw new AssertionError("an SSE body must end with a blank line: " + tail(body));
        }
        List<Block> blocks = new ArrayList<>();
        for (String block : body.substring(0, body.length() - 2).split("\n\n", -1)) {
            Optional<String> id = Optional.empty();
            Optional<String> data = Optional.empty();
            Optional<String> comment = Optional.empty();
            for (String line : block.split("\n", -1)) {
                if (line.startsWith("id: ") && id.isEmpty()) {
                    id = Optional.of(line.substring(4));
                } else if (line.startsWith("data: ") && data.isEmpty()) {
                    data = Optional.of(line.substring(6));
                } else if (line.startsWith(": ") && comment.isEmpty()) {
                    comment = Optional.of(line.substring(2));
                } else {
                    throw new AssertionError("unexpected SSE line '" + line + "' in block '" + block + "'");
                }
            }
            blocks.add(new Block(id, data, comment));
        }
        return blocks;
    }

    /** The data blocks except {@code [DONE]}, as JSON. */
    static List<JsonNode> chunks(List<Block> blocks) {
        return blocks.stream().filter(Block::isData).filter(b -> !b.data().orElseThrow().equals("[DONE]"))
                .map(Block::json).collect(Collectors.toList());
    }

    /** The concatenated {@code delta.content} of the chunks. */
    static String text(List<JsonNode> chunks) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode chunk : chunks) {
            JsonNode content = chunk.path("choices").path(0).path("delta").path("content");
            if (content.isTextual()) {
                sb.append(content.asText());
            }
        }
        return sb.toString();
    }

    private static String tail(String body) {
        return body.length() < 300 ? body : "…" + body.substring(body.length() - 300);
    }
}
