package dev.switchboard.protocol.event;

import java.util.Optional;

/**
 * One content part of a conversation item ({@code input_text}, {@code output_text}, {@code text}, audio kinds).
 *
 * @param type the part type, required
 * @param text the text for text parts
 * @param transcript the transcript for audio parts
 */
public record ContentPart(String type, Optional<String> text, Optional<String> transcript) {
    public ContentPart {
        type = Defaults.require(type, "content[].type");
        text = Defaults.optional(text);
        transcript = Defaults.optional(transcript);
    }

    /** A text part of the given type, e.g. {@code input_text}. */
    public static ContentPart text(String type, String text) {
        return new ContentPart(type, Optional.of(text), Optional.empty());
    }

    /** The part's text, or its transcript, or the empty string. */
    public String textOrTranscript() {
        return text.orElse(transcript.orElse(""));
    }
}
