package dev.switchboard.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Base64;
import java.util.List;

/**
 * An audio response's assistant message: one {@code output_audio} part. Each token goes out as a
 * {@code response.output_audio_transcript.delta} followed by its speech ({@link SpeechSynthesizer}) in
 * {@code response.output_audio.delta} events of at most 100 ms each; {@code response.output_audio.done},
 * {@code response.output_audio_transcript.done} and {@code response.content_part.done} finish it. Confined to the
 * connection's {@link SerialExecutor}.
 */
final class AudioOutput implements ResponseOutput {

    private final String responseId;
    private final AudioFormat format;
    private final SimulatorStats stats;
    private final RealtimeItem item;
    private final ContentPart part = ContentPart.outputAudio();
    private final DeltaTemplate transcriptDeltas;
    private final DeltaTemplate audioDeltas;

    /** @param stamp whether transcript deltas carry {@code sim_stamp}'s emit time */
    AudioOutput(String responseId, String itemId, AudioFormat format, boolean stamp, SimulatorStats stats) {
        this.responseId = responseId;
        this.format = format;
        this.stats = stats;
        this.item = RealtimeItem.message(itemId, "assistant", List.of(part), RealtimeItem.IN_PROGRESS);
        this.transcriptDeltas = ResponseOutput.deltaTemplate("response.output_audio_transcript.delta", responseId,
                item, stamp);
        this.audioDeltas = ResponseOutput.deltaTemplate("response.output_audio.delta", responseId, item, false);
    }

    @Override
    public RealtimeItem item() {
        return item;
    }

    @Override
    public void open(ResponseFrames frames) {
        ObjectNode added = ResponseOutput.partEvent(frames, "response.content_part.added", responseId, item);
        added.putObject("part").put("type", "audio").put("transcript", "");
        frames.add(added);
    }

    @Override
    public long emit(Token token, ResponseFrames frames) {
        part.append(token.text());
        frames.add(transcriptDeltas.frame(token, frames.nextEventId()));
        for (byte[] chunk : SpeechSynthesizer.chunks(token.text(), format)) {
            // Base64 needs no JSON escaping, so the literal is just the quoted text.
            frames.add(audioDeltas.frame("\"" + Base64.getEncoder().encodeToString(chunk) + "\"",
                    frames.nextEventId()));
            stats.onAudioOut(chunk.length);
        }
        long ms = SpeechSynthesizer.durationMs(token.text());
        part.addAudioMs(ms);
        return ms;
    }

    @Override
    public void close(ResponseFrames frames) {
        frames.add(ResponseOutput.partEvent(frames, "response.output_audio.done", responseId, item));
        ObjectNode transcript = ResponseOutput.partEvent(frames, "response.output_audio_transcript.done",
                responseId, item);
        transcript.put("transcript", part.text());
        frames.add(transcript);
        ObjectNode partDone = ResponseOutput.partEvent(frames, "response.content_part.done", responseId, item);
        partDone.putObject("part").put("type", "audio").put("transcript", part.text());
        frames.add(partDone);
    }
}
