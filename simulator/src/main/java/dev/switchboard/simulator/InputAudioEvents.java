package dev.switchboard.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A session's answers to {@code input_audio_buffer.append}, {@code .commit} and {@code .clear}, and what server
 * VAD does with appended audio: {@code input_audio_buffer.speech_started} (cancelling the active response with
 * reason {@code turn_detected} when {@code interrupt_response} is on), then {@code .speech_stopped}, an automatic
 * commit and, with {@code create_response} on and no response active, a new response.
 *
 * <p>Not thread-safe: confined to the connection's {@link SerialExecutor}.
 */
final class InputAudioEvents {

    private final RealtimeSession session;
    private final ConnectionContext context;
    private final InputAudioBuffer buffer = new InputAudioBuffer();
    /** The id of the item that speech in progress will become, announced with speech_started. */
    private @Nullable String speechItemId;

    InputAudioEvents(RealtimeSession session, ConnectionContext context) {
        this.session = session;
        this.context = context;
    }

    void append(JsonNode event, @Nullable String clientEventId, long receivedNanos) {
        JsonFields fields = new JsonFields();
        String audio = fields.requiredString(event.path("audio"), "audio");
        AudioFormat format = session.settings().inputFormat();
        Optional<byte[]> bytes = fields.failed() ? Optional.empty()
                : fields.take(ItemParser.decodeAudio(audio, "audio", format));
        if (bytes.isEmpty()) {
            session.error(fields, clientEventId);
            return;
        }
        context.runtime().stats().onAudioIn(bytes.get().length);
        List<VoiceActivityDetector.Event> turns =
                buffer.append(bytes.get(), format, session.settings().turnDetection());
        for (VoiceActivityDetector.Event turn : turns) {
            if (turn instanceof VoiceActivityDetector.SpeechStarted started) {
                onSpeechStarted(started.audioStartMs());
            } else if (turn instanceof VoiceActivityDetector.SpeechStopped stopped) {
                onSpeechStopped(stopped.audioEndMs(), receivedNanos);
            }
        }
    }

    void commit(@Nullable String clientEventId) {
        if (buffer.bufferedMs() < InputAudioBuffer.MIN_COMMIT_MS) {
            session.error(RealtimeErrors.commitEmpty(buffer.bufferedMs()), clientEventId);
            return;
        }
        commitBuffer();
    }

    void clear() {
        buffer.clear();
        speechItemId = null;
        context.out().send(context.out().event("input_audio_buffer.cleared"));
    }

    private void onSpeechStarted(long audioStartMs) {
        context.runtime().stats().onSpeechStarted();
        speechItemId = context.ids().nextItemId();
        ObjectNode started = context.out().event("input_audio_buffer.speech_started");
        started.put("audio_start_ms", audioStartMs);
        started.put("item_id", speechItemId);
        context.out().send(started);
        TurnDetection detection = session.settings().turnDetection().orElseThrow();
        if (detection.interruptResponse()) {
            session.interruptResponse();
        }
    }

    private void onSpeechStopped(long audioEndMs, long receivedNanos) {
        String itemId = speechItemId != null ? speechItemId : context.ids().nextItemId();
        speechItemId = itemId;
        ObjectNode stopped = context.out().event("input_audio_buffer.speech_stopped");
        stopped.put("audio_end_ms", audioEndMs);
        stopped.put("item_id", itemId);
        context.out().send(stopped);
        commitBuffer();
        TurnDetection detection = session.settings().turnDetection().orElseThrow();
        if (detection.createResponse()) {
            session.respondToTurn(receivedNanos);
        }
    }

    /** Commits the buffer into a user item at the end of the conversation and announces both. */
    private void commitBuffer() {
        String itemId = speechItemId != null ? speechItemId : context.ids().nextItemId();
        speechItemId = null;
        RealtimeItem item = RealtimeItem.message(itemId, "user", List.of(buffer.commit()), RealtimeItem.COMPLETED);
        Optional<String> previous = session.conversation().append(item);
        ObjectNode committed = context.out().event("input_audio_buffer.committed");
        committed.put("previous_item_id", previous.orElse(null));
        committed.put("item_id", itemId);
        context.out().send(committed);
        session.addItem(item, previous);
    }
}
