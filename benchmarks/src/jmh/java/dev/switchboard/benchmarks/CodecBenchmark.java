package dev.switchboard.benchmarks;

import dev.switchboard.protocol.codec.ClientDecoding;
import dev.switchboard.protocol.codec.EventCodec;
import dev.switchboard.protocol.event.ContentPart;
import dev.switchboard.protocol.event.ConversationItem;
import dev.switchboard.protocol.event.RealtimeResponse;
import dev.switchboard.protocol.event.ResponseDone;
import dev.switchboard.protocol.event.ResponseOutputTextDelta;
import dev.switchboard.protocol.event.ServerEvent;
import dev.switchboard.protocol.event.Usage;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What {@link EventCodec} costs per event on the broker's hot paths.
 *
 * <ul>
 *   <li>{@code encodeTextDelta}: one streamed token ({@code "the"}) as {@code response.output_text.delta} with its
 *       {@code event_id} and {@code seq} envelope: paid once per token per client.</li>
 *   <li>{@code encodeResponseDone}: {@code response.done} carrying a finished 300-token assistant message, usage
 *       and metadata: paid once per response.</li>
 *   <li>{@code decodeResponseCreate}, {@code decodeItemCreate}: typical client frames, paid once per turn.</li>
 *   <li>{@code decodeAudioAppend64k}: an {@code input_audio_buffer.append} (a type Switchboard does not model)
 *       carrying 64 KiB of base64 audio. The codec parses it into a tree and keeps it as an
 *       {@code UnknownClientEvent}; this is what accepting a large relayed frame costs before any routing.</li>
 *   <li>{@code reencodeAudioAppend64k}: writing that decoded frame back out with {@code encodeClient}, the other
 *       half of a parse-and-reserialise relay.</li>
 *   <li>{@code peekAudioAppend64k}: what the {@code openai-realtime} relay actually does with that frame instead:
 *       {@code peekClient}, one streaming pass that checks it and reads its {@code type}, then forwards the same
 *       string.</li>
 *   <li>{@code spliceSeqAudioDelta64k}: the relay's server side, appending {@code ,"seq":N} to a provider's
 *       64 KiB {@code response.output_audio.delta} as the relay session does (one copy of the text).</li>
 * </ul>
 *
 * <p>Single-threaded; the codec is immutable and shared, inputs are built once in {@link #setUp()}. Run with
 * allocation profiling:
 *
 * <pre>{@code
 * mvn -q -DskipTests package && java -jar benchmarks/target/benchmarks.jar CodecBenchmark -prof gc
 * }</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class CodecBenchmark {
    /** Tokens in the finished message of {@code encodeResponseDone}. */
    static final int DONE_TOKENS = 300;
    /** Raw audio bytes; base64 turns 48 KiB into exactly 64 KiB of text. */
    static final int AUDIO_BYTES = 48 * 1024;

    private static final String[] WORDS = {"the", " order", " shipped", " yesterday", " and", " should", " arrive",
        " by", " Friday", ".", " If", " it", " does", " not", ",", " reply", " here", " with", " your", " number"};

    private EventCodec codec;
    private ServerEvent textDelta;
    private ServerEvent responseDone;
    private String eventId;
    private String responseCreateFrame;
    private String itemCreateFrame;
    private String audioAppendFrame;
    private ClientDecoding.Decoded decodedAudioAppend;
    private String audioDeltaFrame;

    /** Builds the codec and every input once per trial. */
    @Setup
    public void setUp() {
        codec = EventCodec.create();
        // The shape the broker uses: "event_" + 8 session-id chars + "_" + seq.
        eventId = "event_3fK9qLm2_1042";
        textDelta = new ResponseOutputTextDelta("resp_CAd8Lw0pX3kQ5nTz", "item_CAd8M1bT7uVwQe4R", 0, 0, "the");
        responseDone = new ResponseDone(finishedResponse());
        responseCreateFrame = """
                {"type":"response.create","event_id":"evt_client_0003","response":{\
                "instructions":"Classify the sentiment of the message as positive, neutral or negative.",\
                "metadata":{"purpose":"sentiment","ticket":"T-4471","tenant_tier":"gold"},\
                "conversation":"auto","output_modalities":["text"],"max_output_tokens":256}}""";
        itemCreateFrame = """
                {"type":"conversation.item.create","event_id":"evt_client_0002",\
                "previous_item_id":"item_CAd7qZ1mG2x8","item":{"id":"item_user_0001","type":"message",\
                "role":"user","content":[{"type":"input_text",\
                "text":"Where is my order 88213? It was due on Tuesday and the tracking page has not moved."}]}}""";
        audioAppendFrame = "{\"type\":\"input_audio_buffer.append\",\"event_id\":\"evt_client_0107\",\"audio\":\""
                + base64Audio() + "\"}";
        decodedAudioAppend = decoded(codec.decodeClient(audioAppendFrame));
        audioDeltaFrame = "{\"type\":\"response.output_audio.delta\",\"event_id\":\"event_00000001f3\","
                + "\"response_id\":\"resp_CAd8Lw0pX3kQ5nTz\",\"item_id\":\"item_CAd8M1bT7uVwQe4R\","
                + "\"output_index\":0,\"content_index\":0,\"delta\":\"" + base64Audio() + "\"}";
        if (!(codec.peekClient(audioAppendFrame) instanceof ClientDecoding.Raw)) {
            throw new IllegalStateException("the relay check refused the audio frame");
        }
        // Fail the trial early if an input stopped decoding (e.g. after a protocol change).
        decoded(codec.decodeClient(responseCreateFrame));
        decoded(codec.decodeClient(itemCreateFrame));
    }

    private static RealtimeResponse finishedResponse() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < DONE_TOKENS; i++) {
            text.append(WORDS[i % WORDS.length]);
        }
        ConversationItem message = ConversationItem.message("item_CAd8M1bT7uVwQe4R", "assistant", "completed",
                List.of(ContentPart.text("output_text", text.toString())));
        return new RealtimeResponse("resp_CAd8Lw0pX3kQ5nTz", "realtime.response", "completed", Optional.empty(),
                List.of(message), Optional.of(Usage.of(412, DONE_TOKENS)),
                Map.of("purpose", "support", "ticket", "T-4471"), Optional.of("conv_CAd6nJkPq9Zs"),
                List.of("text"), Optional.of("gpt-realtime"));
    }

    private static String base64Audio() {
        byte[] pcm = new byte[AUDIO_BYTES];
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < pcm.length; i++) {
            pcm[i] = (byte) random.nextInt(256);
        }
        return Base64.getEncoder().encodeToString(pcm);
    }

    private static ClientDecoding.Decoded decoded(ClientDecoding result) {
        if (result instanceof ClientDecoding.Decoded ok) {
            return ok;
        }
        throw new IllegalStateException("benchmark input was rejected: " + result);
    }

    /** One streamed token with its envelope. */
    @Benchmark
    public String encodeTextDelta() {
        return codec.encodeServer(textDelta, eventId, 1042);
    }

    /** The final event of a 300-token response. */
    @Benchmark
    public String encodeResponseDone() {
        return codec.encodeServer(responseDone, eventId, 1043);
    }

    /** A {@code response.create} with instructions and metadata. */
    @Benchmark
    public ClientDecoding decodeResponseCreate() {
        return codec.decodeClient(responseCreateFrame);
    }

    /** A {@code conversation.item.create} user message. */
    @Benchmark
    public ClientDecoding decodeItemCreate() {
        return codec.decodeClient(itemCreateFrame);
    }

    /** An unmodelled event carrying 64 KiB of base64 audio. */
    @Benchmark
    public ClientDecoding decodeAudioAppend64k() {
        return codec.decodeClient(audioAppendFrame);
    }

    /** Writing the decoded 64 KiB frame back out, as a parse-and-reserialise relay would. */
    @Benchmark
    public String reencodeAudioAppend64k() {
        return codec.encodeClient(decodedAudioAppend.event());
    }

    /** The relay's check of a 64 KiB audio append (no tree, the frame is forwarded as is). */
    @Benchmark
    public ClientDecoding peekAudioAppend64k() {
        return codec.peekClient(audioAppendFrame);
    }

    /** The relay's seq splice on a 64 KiB provider audio delta. */
    @Benchmark
    public String spliceSeqAudioDelta64k() {
        String json = audioDeltaFrame;
        return json.substring(0, json.length() - 1) + ",\"seq\":" + 1042 + "}";
    }
}
