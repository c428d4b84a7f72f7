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
 * One voice caller: streams 100 ms of audio per {@link #tick()} (silence, or a loud tone while it "speaks"), asks
 * for audio answers and barges in after a random number of audio deltas, alternating client cancel and speech.
 * Public only because Jetty binds listener methods through method handles.
 *
 * <p>Stream callbacks (Jetty threads) and ticks (the audio clock) are serialised by the instance monitor.
 */
public final class VoiceSession implements Session.Listener.AutoDemanding {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String AUDIO_DELTA_PREFIX = "{\"type\":\"response.output_audio.delta\",";
    static final String SILENCE = append(new byte[4_800]);
    static final String TONE = append(tone());
    private static final String SESSION_UPDATE = "{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\","
            + "\"output_modalities\":[\"audio\"],\"audio\":{\"input\":{\"format\":{\"type\":\"audio/pcm\","
            + "\"rate\":24000},\"turn_detection\":{\"type\":\"server_vad\",\"create_response\":false,"
            + "\"interrupt_response\":true}}}}}";
    private static final String ASK = "{\"type\":\"conversation.item.create\",\"item\":{\"type\":\"message\","
            + "\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"Tell me a story.\"}]}}";
    private static final String CREATE = "{\"type\":\"response.create\",\"response\":{\"metadata\":{"
            + "\"sim_tokens\":\"60\",\"sim_ttft_ms\":\"0\",\"sim_audio_speed\":\"2\"}}}";

    private final int index;
    private final SplittableRandom random;
    private final VoiceTotals totals;
    private final long endNanos;
    private final Set<String> cut = new HashSet<>();
    private Session ws;
    private boolean ready;
    private boolean stopping;
    private String response;
    private int audioDeltas;
    private int bargeAfter;
    private String kind;
    private boolean speaking;
    private long interruptNanos;
    private long lastSeq;
    private int barges;

    VoiceSession(int index, long seed, VoiceTotals totals, long endNanos) {
        this.index = index;
        this.random = new SplittableRandom(seed);
        this.totals = totals;
        this.endNanos = endNanos;
    }

    private static String append(byte[] pcm) {
        return "{\"type\":\"input_audio_buffer.append\",\"audio\":\"" + Base64.getEncoder().encodeToString(pcm)
                + "\"}";
    }

    private static byte[] tone() {
        byte[] out = new byte[4_800];
        for (int i = 0; i < out.length / 2; i++) {
            short v = (short) (0.5 * Short.MAX_VALUE * Math.sin(2 * Math.PI * 440 * i / 24_000.0));
            out[2 * i] = (byte) v;
            out[2 * i + 1] = (byte) (v >> 8);
        }
        return out;
    }

    @Override
    public synchronized void onWebSocketOpen(Session session) {
        ws = session;
        send(SESSION_UPDATE);
    }

    /** Audio clock: the next 100 ms of microphone audio. */
    synchronized void tick() {
        if (ws == null || !ws.isOpen() || !ready) {
            return;
        }
        if (speaking && interruptNanos == 0) {
            interruptNanos = System.nanoTime();
        }
        send(speaking ? TONE : SILENCE);
    }

    @Override
    public synchronized void onWebSocketText(String text) {
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
                kind = (barges++ + index) % 2 == 0 ? "client" : "speech";
            }
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
        if (++audioDeltas != bargeAfter || interruptNanos != 0 || speaking) {
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
        if (++audioDeltas != bargeAfter || interruptNanos != 0 || speaking) {
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
            speaking = true;
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
        speaking = false;
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
