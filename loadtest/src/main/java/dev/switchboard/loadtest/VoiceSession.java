package dev.switchboard.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * One voice caller: streams 100 ms of audio per {@link #tick()} (a quiet room, or a speech-like utterance from
 * {@link VoiceAudio}), asks for audio answers and barges in after a random number of audio deltas, in its one
 * kind: {@code client} (cancel and truncate), {@code speech} (speaks; the provider's VAD cuts) or
 * {@code broker_vad} (speaks with the broker's VAD on as well; the broker cuts, and both detectors' onsets are
 * recorded in {@link VoiceOnsets}). An utterance starts only after {@value #GAP_TICKS}00 ms of quiet, so both
 * detectors are listening again, and lasts at least {@value #MIN_SPEECH_CHUNKS}00 ms, so both hear its onset.
 * Public only because Jetty binds listener methods through method handles.
 *
 * <p>Stream callbacks (Jetty threads) and ticks (the audio clock) are serialised by the instance monitor.
 */
public final class VoiceSession implements Session.Listener.AutoDemanding {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String AUDIO_DELTA_PREFIX = "{\"type\":\"response.output_audio.delta\",";
    /** Quiet needed before an utterance: more than the provider's 500 ms silence_duration_ms. */
    static final int GAP_TICKS = 8;
    static final int MIN_SPEECH_CHUNKS = 4;
    private static final String SESSION_UPDATE = "{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\","
            + "\"output_modalities\":[\"audio\"],\"audio\":{\"input\":{\"format\":{\"type\":\"audio/pcm\","
            + "\"rate\":24000},\"turn_detection\":{\"type\":\"server_vad\",\"create_response\":false,"
            + "\"interrupt_response\":true}}}%s}}";
    private static final String BROKER_VAD = ",\"switchboard\":{\"broker_vad\":{\"enabled\":true}}";
    private static final String ASK = "{\"type\":\"conversation.item.create\",\"item\":{\"type\":\"message\","
            + "\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"Tell me a story.\"}]}}";
    private static final String CREATE = "{\"type\":\"response.create\",\"response\":{\"metadata\":{"
            + "\"sim_tokens\":\"60\",\"sim_ttft_ms\":\"0\",\"sim_audio_speed\":\"2\"}}}";

    private final SplittableRandom random;
    private final VoiceTotals totals;
    private final long endNanos;
    private final String kind;
    private final Set<String> cut = new HashSet<>();
    private Session ws;
    private boolean ready;
    private boolean stopping;
    private String response;
    private int audioDeltas;
    private int bargeAfter;
    /** Asked to speak over the answer (speech kinds), until the answer ends. */
    private boolean wantSpeech;
    /** The next chunk of the utterance being spoken, or -1 in the quiet. */
    private int speakChunk = -1;
    private int onset;
    private long ticks;
    private long lastSpeechEndTick;
    private long interruptNanos;
    private long lastSeq;
    private boolean utteranceOpen;
    private long utteranceStartMs;
    private long utteranceSentNanos;
    private VoiceOnsets.Detection broker = VoiceOnsets.Detection.NONE;
    private VoiceOnsets.Detection provider = VoiceOnsets.Detection.NONE;
    private long brokerDecidedMs = -1;

    VoiceSession(long seed, String kind, VoiceTotals totals, long endNanos) {
        this.random = new SplittableRandom(seed);
        this.kind = kind;
        this.totals = totals;
        this.endNanos = endNanos;
    }

    @Override
    public synchronized void onWebSocketOpen(Session session) {
        ws = session;
        send(String.format(SESSION_UPDATE, kind.equals("broker_vad") ? BROKER_VAD : ""));
    }

    /** Audio clock: the next 100 ms of microphone audio. */
    synchronized void tick() {
        if (ws == null || !ws.isOpen() || !ready) {
            return;
        }
        if (speakChunk < 0 && wantSpeech && ticks - lastSpeechEndTick >= GAP_TICKS) {
            startUtterance();
        }
        send(speakChunk >= 0 ? VoiceAudio.speech(onset, speakChunk++) : VoiceAudio.room(ticks));
        ticks++;
        if (speakChunk >= MIN_SPEECH_CHUNKS && !wantSpeech) {
            speakChunk = -1;
            lastSpeechEndTick = ticks;
        }
    }

    private void startUtterance() {
        finishUtterance();
        onset = random.nextInt(VoiceAudio.ONSETS);
        speakChunk = 0;
        utteranceOpen = true;
        utteranceStartMs = ticks * VoiceAudio.CHUNK_MS + VoiceAudio.onsetMs(onset);
        // The chunk holding the first speech sample goes out right after this.
        utteranceSentNanos = System.nanoTime();
        interruptNanos = utteranceSentNanos;
        broker = VoiceOnsets.Detection.NONE;
        provider = VoiceOnsets.Detection.NONE;
        brokerDecidedMs = -1;
    }

    /** Adds the last utterance to the onset statistics (broker_vad sessions: both detectors listen). */
    synchronized void finishUtterance() {
        if (utteranceOpen && kind.equals("broker_vad")) {
            totals.onsets.add(new VoiceOnsets.Utterance(broker, provider, brokerDecidedMs));
        }
        utteranceOpen = false;
    }

    private VoiceOnsets.Detection detection(JsonNode event) {
        return new VoiceOnsets.Detection(event.path("seq").asLong(-1), (System.nanoTime() - utteranceSentNanos)
                / 1000, ticks * VoiceAudio.CHUNK_MS - utteranceStartMs);
    }

    private void onSpeechStarted(JsonNode event, boolean byBroker) {
        if (!utteranceOpen) {
            return;
        }
        if (byBroker && !broker.seen()) {
            broker = detection(event);
            brokerDecidedMs = event.has("audio_detected_ms")
                    ? event.path("audio_detected_ms").asLong() - utteranceStartMs : -1;
        } else if (!byBroker && !provider.seen()) {
            provider = detection(event);
        }
    }

    @Override
    public synchronized void onWebSocketText(String text) {
        totals.events.increment();
        if (text.startsWith(AUDIO_DELTA_PREFIX)) {
            // Audio deltas are nearly all the traffic: read their few fields without parsing 6 KiB of base64.
            onAudioFrame(text);
            return;
        }
        JsonNode event;
        try {
            event = JSON.readTree(text);
        } catch (Exception e) {
            totals.errors.increment();
            return;
        }
        if (event.has("seq")) {
            long seq = event.get("seq").asLong();
            if (seq != lastSeq + 1) {
                totals.gaps.increment();
            }
            lastSeq = seq;
        }
        String type = event.path("type").asText();
        String of = event.path("response_id").asText(event.path("response").path("id").asText(""));
        if (!of.isEmpty() && cut.contains(of)) {
            totals.stale.increment();
            return;
        }
        switch (type) {
            case "session.updated" -> {
                if (!ready) {
                    ready = true;
                    ask();
                }
            }
            case "response.created" -> {
                response = of;
                audioDeltas = 0;
                bargeAfter = 3 + random.nextInt(15);
            }
            case "switchboard.speech_started" -> onSpeechStarted(event, true);
            case "input_audio_buffer.speech_started" -> onSpeechStarted(event, false);
            case "response.output_audio.delta" -> onAudio(event);
            case "response.done" -> onDone(event, of);
            case "error" -> totals.errors.increment();
            default -> {
            }
        }
    }

    private void onAudioFrame(String text) {
        long seq = Long.parseLong(field(text, "\"seq\":", ','));
        if (seq != lastSeq + 1) {
            totals.gaps.increment();
        }
        lastSeq = seq;
        String of = field(text, "\"response_id\":\"", '"');
        if (cut.contains(of)) {
            totals.stale.increment();
            return;
        }
        totals.audioChars.add(text.length());
        if (++audioDeltas != bargeAfter || interruptNanos != 0 || wantSpeech) {
            return;
        }
        bargeIn(field(text, "\"item_id\":\"", '"'));
    }

    /** The text after {@code key} up to {@code end} (or the closing brace), from the end of the frame for seq. */
    private static String field(String text, String key, char end) {
        int at = key.startsWith("\"seq") ? text.lastIndexOf(key) : text.indexOf(key);
        if (at < 0) {
            return "";
        }
        int start = at + key.length();
        int stop = text.indexOf(end, start);
        if (stop < 0) {
            stop = text.indexOf('}', start);
        }
        return text.substring(start, stop);
    }

    private void onAudio(JsonNode event) {
        totals.audioChars.add(event.path("delta").asText().length());
        if (++audioDeltas != bargeAfter || interruptNanos != 0 || wantSpeech) {
            return;
        }
        bargeIn(event.path("item_id").asText());
    }

    private void bargeIn(String itemId) {
        if (kind.equals("client")) {
            interruptNanos = System.nanoTime();
            send("{\"type\":\"response.cancel\"}");
            send("{\"type\":\"conversation.item.truncate\",\"item_id\":\"" + itemId
                    + "\",\"content_index\":0,\"audio_end_ms\":" + (audioDeltas * 20) + "}");
        } else {
            wantSpeech = true;
        }
    }

    private void onDone(JsonNode event, String id) {
        if (!id.equals(response)) {
            return;
        }
        String status = event.path("response").path("status").asText();
        if (interruptNanos != 0 && status.equals("cancelled")) {
            totals.bargeIn(kind, (System.nanoTime() - interruptNanos) / 1000);
            cut.add(id);
        } else if (status.equals("completed")) {
            totals.completed.increment();
        }
        response = null;
        interruptNanos = 0;
        wantSpeech = false;
        ask();
    }

    private void ask() {
        if (stopping || System.nanoTime() > endNanos) {
            return;
        }
        totals.started.increment();
        send(ASK);
        send(CREATE);
    }

    private void send(String text) {
        Session current = ws;
        if (current != null && current.isOpen()) {
            current.sendText(text, Callback.NOOP);
        }
    }

    /** No new responses from now on. */
    synchronized void stop() {
        stopping = true;
    }

    /** Whether a response is still running. */
    synchronized boolean busy() {
        return response != null && ws != null && ws.isOpen();
    }

    synchronized boolean connected() {
        return ready;
    }

    synchronized void close() {
        if (ws != null && ws.isOpen()) {
            ws.close();
        }
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        totals.errors.increment();
    }
}
