package dev.switchboard.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One content part of a Realtime message item: {@code input_text}, {@code input_audio}, {@code input_image}
 * (kept, not interpreted), {@code output_text} or {@code output_audio}. Parts of a response's item grow while it
 * is generated. Audio bytes are never kept, only their duration; item events carry no audio, as at OpenAI.
 *
 * <p>Not thread-safe: confined to the connection's {@link SerialExecutor}.
 */
final class ContentPart {

    private final String type;
    private final StringBuilder text = new StringBuilder();
    /** Whether an audio part has a transcript; {@code false} serialises it as {@code null}. */
    private final boolean transcribed;
    /** Stands in for an untranscribed audio part's words when seeding text: a fingerprint of its bytes. */
    private final String audioKey;
    private long audioMs;

    private ContentPart(String type, String text, boolean transcribed, String audioKey, long audioMs) {
        this.type = Objects.requireNonNull(type, "type");
        this.text.append(text);
        this.transcribed = transcribed;
        this.audioKey = audioKey;
        this.audioMs = audioMs;
    }

    /** An {@code input_text}, {@code output_text} or {@code input_image} part. */
    static ContentPart text(String type, String text) {
        return new ContentPart(type, text, false, "", 0);
    }

    /** An {@code input_audio} part of {@code audioMs}; {@code audioKey} identifies its bytes for seeding. */
    static ContentPart inputAudio(@Nullable String transcript, long audioMs, String audioKey) {
        return new ContentPart("input_audio", transcript == null ? "" : transcript, transcript != null, audioKey,
                audioMs);
    }

    /** An {@code output_audio} part, empty until its response adds transcript and audio. */
    static ContentPart outputAudio() {
        return new ContentPart("output_audio", "", true, "", 0);
    }

    String type() {
        return type;
    }

    boolean isAudio() {
        return type.endsWith("_audio");
    }

    /** The text, or an audio part's transcript. */
    String text() {
        return text.toString();
    }

    long audioMs() {
        return audioMs;
    }

    /** What this part contributes to the text seed: its text, transcript, or audio fingerprint. */
    String seedText() {
        return isAudio() && !transcribed ? audioKey : text.toString();
    }

    void append(String more) {
        text.append(more);
    }

    void addAudioMs(long ms) {
        audioMs += ms;
    }

    /** The part as items show it: text parts with {@code text}, audio parts with {@code transcript}, no audio. */
    ObjectNode toJson() {
        ObjectNode part = SimulatorJson.object();
        part.put("type", type);
        if (isAudio()) {
            part.put("transcript", transcribed ? text.toString() : null);
        } else if (!"input_image".equals(type)) {
            part.put("text", text.toString());
        }
        return part;
    }
}
