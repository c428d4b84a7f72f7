package dev.switchboard.broker.http;

import static dev.switchboard.broker.http.ChatHttp.JSON;
import static dev.switchboard.broker.http.ChatHttp.fast;
import static dev.switchboard.broker.http.ChatHttp.request;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.broker.Broker;
import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.config.ConfigLoader;
import dev.switchboard.simulator.SimulatorStats;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ChatCompletionsStreamingTest {
    private static final Pattern EVENT_ID = Pattern.compile("(resp_[A-Za-z0-9]+)\\.(\\d+)");
    private static final String QUESTION = "Tell me about switchboards.";
    private static Broker broker;
    private static WebSocketClient ws;

    @BeforeAll
    static void start() throws Exception {
        broker = Broker.start(new ConfigLoader(System::getenv).loadDev()
                .withListen(new BrokerConfig.Listen("127.0.0.1", 0)));
        ws = new WebSocketClient();
        ws.start();
    }

    @AfterAll
    static void stop() throws Exception {
        ws.stop();
        broker.close();
    }

    @Test
    void a_streamed_answer_has_the_sse_headers_a_role_chunk_content_chunks_a_finish_usage_and_done_last()
            throws Exception {
        ObjectNode body = request("sim-chat", QUESTION, fast(30), true);
        body.putObject("stream_options").put("include_usage", true);

        HttpResponse<String> response = ChatHttp.post(broker, body);

        assertEquals(200, response.statusCode(), response.body());
        assertEquals("text/event-stream", response.headers().firstValue("content-type").orElse(""));
        assertEquals("no-cache, no-transform", response.headers().firstValue("cache-control").orElse(""));
        assertEquals("no", response.headers().firstValue("x-accel-buffering").orElse(""));
        assertTrue(response.body().endsWith("data: [DONE]\n\n"), response.body());
        List<Sse.Block> blocks = Sse.parse(response.body());
        List<Sse.Block> data = blocks.stream().filter(Sse.Block::isData).toList();
        String responseId = assertIdsAreResponseDotSeq(data);
        List<JsonNode> chunks = Sse.chunks(blocks);
        // 30 content chunks, the finish chunk and the usage chunk.
        assertEquals(32, chunks.size(), response.body());
        long created = chunks.get(0).path("created").asLong();
        for (JsonNode chunk : chunks) {
            assertEquals("chatcmpl-" + responseId, chunk.path("id").asText());
            assertEquals("chat.completion.chunk", chunk.path("object").asText());
            assertEquals(created, chunk.path("created").asLong());
            assertEquals("sim-chat", chunk.path("model").asText());
        }
        JsonNode first = chunks.get(0).path("choices").path(0);
        assertEquals(0, first.path("index").asInt());
        assertEquals("assistant", first.path("delta").path("role").asText());
        assertTrue(first.path("delta").path("content").isTextual());
        assertTrue(first.path("finish_reason").isNull());
        assertTrue(chunks.get(0).path("usage").isNull(), "with include_usage every chunk carries usage: null");
        for (JsonNode chunk : chunks.subList(1, 30)) {
            JsonNode delta = chunk.path("choices").path(0).path("delta");
            assertEquals(List.of("content"), fieldNames(delta));
        }
        JsonNode finish = chunks.get(30).path("choices").path(0);
        assertEquals("stop", finish.path("finish_reason").asText());
        assertEquals(0, finish.path("delta").size());
        JsonNode usage = chunks.get(31);
        assertEquals(0, usage.path("choices").size());
        assertEquals(30, usage.path("usage").path("completion_tokens").asLong());
        assertTrue(usage.path("usage").path("prompt_tokens").asLong() > 0);
        assertEquals(usage.path("usage").path("prompt_tokens").asLong() + 30,
                usage.path("usage").path("total_tokens").asLong());
        assertEquals("[DONE]", data.get(data.size() - 1).data().orElseThrow());
    }

    @Test
    void without_include_usage_there_is_no_usage_chunk_and_no_usage_field() throws Exception {
        HttpResponse<String> response = ChatHttp.post(broker, request("sim-chat", QUESTION, fast(5), true));

        List<JsonNode> chunks = Sse.chunks(Sse.parse(response.body()));
        assertEquals(6, chunks.size(), response.body());
        chunks.forEach(chunk -> assertFalse(chunk.has("usage"), chunk::toString));
        assertEquals("stop", chunks.get(5).path("choices").path(0).path("finish_reason").asText());
    }

    @Test
    void the_streamed_text_equals_the_realtime_answer_to_the_same_conversation_and_metadata() throws Exception {
        Map<String, String> metadata = fast(40);
        HttpResponse<String> response = ChatHttp.post(broker, request("sim-chat", QUESTION, metadata, true));

        WsAnswer realtime = WsAnswer.connect(ws, broker.port(), "sim-chat");
        try {
            realtime.until("session.created");
            realtime.send("{\"type\":\"conversation.item.create\",\"item\":{\"type\":\"message\",\"role\":\"user\","
                    + "\"content\":[{\"type\":\"input_text\",\"text\":\"" + QUESTION + "\"}]}}");
            realtime.send("{\"type\":\"response.create\",\"response\":{\"metadata\":" + JSON.valueToTree(metadata)
                    + "}}");
            String expected = WsAnswer.text(realtime.until("response.done"));

            assertFalse(expected.isEmpty());
            assertEquals(expected, Sse.text(Sse.chunks(Sse.parse(response.body()))));
        } finally {
            realtime.close();
        }
    }

    @Test
    void a_mid_answer_failover_streams_the_whole_answer_with_a_failover_comment_and_ends_with_done()
            throws Exception {
        Map<String, String> metadata = fast(60);
        HttpResponse<String> direct = ChatHttp.post(broker, request("sim-chat", QUESTION, metadata, true));
        HttpResponse<String> failover = ChatHttp.post(broker, request("sim-failover", QUESTION, metadata, true));

        assertEquals(200, failover.statusCode());
        List<Sse.Block> blocks = Sse.parse(failover.body());
        List<Sse.Block> comments = blocks.stream().filter(b -> b.comment().isPresent()).toList();
        assertEquals(1, comments.size(), failover.body());
        String comment = comments.get(0).comment().orElseThrow();
        assertTrue(comment.startsWith("switchboard.response.failover {"), comment);
        JsonNode event = JSON.readTree(comment.substring("switchboard.response.failover ".length()));
        assertEquals("continue", event.path("mode").asText());
        assertEquals("simulator-cut", event.path("from_provider").asText());
        assertEquals("upstream_stream_broken", event.path("reason").asText());
        assertEquals(40, blocks.indexOf(comments.get(0)), "the failover comes after the first 40 tokens");
        assertEquals("[DONE]", blocks.get(blocks.size() - 1).data().orElseThrow());
        List<JsonNode> chunks = Sse.chunks(blocks);
        assertEquals("stop", chunks.get(chunks.size() - 1).path("choices").path(0).path("finish_reason").asText());
        assertEquals(Sse.text(Sse.chunks(Sse.parse(direct.body()))), Sse.text(chunks));
    }

    @Test
    void a_slow_first_token_is_preceded_by_keep_alive_comments_which_stop_once_text_flows() throws Exception {
        // The heartbeat period is 3 s; the first token comes after 6.
        Map<String, String> metadata = Map.of("sim_tokens", "5", "sim_ttft_ms", "6000",
                "sim_tokens_per_second", "100000");

        HttpResponse<String> response = ChatHttp.post(broker, request("sim-chat", QUESTION, metadata, true));

        List<Sse.Block> blocks = Sse.parse(response.body());
        assertEquals("keep-alive", blocks.get(0).comment().orElse(""), response.body());
        int firstData = 0;
        while (!blocks.get(firstData).isData()) {
            firstData++;
        }
        for (Sse.Block block : blocks.subList(firstData, blocks.size())) {
            assertTrue(block.isData(), () -> "no comment after the first chunk: " + response.body());
        }
        assertEquals(6, Sse.chunks(blocks).size(), "five content chunks and the finish chunk");
    }

    @Test
    void a_client_that_disconnects_mid_stream_keeps_its_answer_for_a_resume_then_the_upstream_is_aborted()
            throws Exception {
        // A 1 s resume window, so the session's end (and the upstream abort) comes without a fake clock.
        try (Broker broker = Broker.start(new ConfigLoader(System::getenv).loadDev()
                .withListen(new BrokerConfig.Listen("127.0.0.1", 0)).withSessions(new BrokerConfig.Sessions(
                        Duration.ofSeconds(1), java.util.Optional.empty(), 16_384, 4L << 20)))) {
            disconnectMidStream(broker);
        }
    }

    private static void disconnectMidStream(Broker broker) throws Exception {
        SimulatorStats stats = broker.simulator().orElseThrow().stats();
        long abortedBefore = stats.streamsAborted();
        String body = request("sim-chat", QUESTION, Map.of("sim_tokens", "2000", "sim_ttft_ms", "0",
                "sim_tokens_per_second", "50"), true).toString();
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket("127.0.0.1", broker.port())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer dev-key\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + bytes.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
            readUntilDataEvents(socket.getInputStream(), 3);
        }

        // The session outlives the connection (a Last-Event-ID resume could continue it) ...
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                .until(() -> broker.metrics().activeConnections() == 0);
        // ... until its resume window passes: then it ends and the provider is told to stop.
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                .until(() -> stats.streamsAborted() > abortedBefore);
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                .until(() -> broker.metrics().activeSessions() == 0);
    }

    @Test
    void a_client_that_stops_reading_pauses_the_upstream_and_loses_nothing_when_it_reads_again() throws Exception {
        int tokens = 60_000;
        SimulatorStats stats = broker.simulator().orElseThrow().stats();
        long completedBefore = stats.streamsCompleted();
        var pauses = broker.metrics().registry().get("broker.backpressure.pauses").counter();
        double pausesBefore = pauses.count();
        HttpRequest request = HttpRequest.newBuilder(ChatHttp.uri(broker, "/v1/chat/completions"))
                .header("Authorization", "Bearer dev-key").POST(HttpRequest.BodyPublishers.ofString(
                        request("sim-chat", "Flood me.", Map.of("sim_tokens", Integer.toString(tokens),
                                "sim_ttft_ms", "0", "sim_tokens_per_second", "1000000"), true).toString()))
                .build();
        HttpResponse<InputStream> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                .sendAsync(request, HttpResponse.BodyHandlers.ofInputStream()).get(30, TimeUnit.SECONDS);

        // Read nothing: the socket buffers fill, then the response's unsent bytes pass the high watermark.
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                .until(() -> pauses.count() > pausesBefore);
        assertEquals(completedBefore, stats.streamsCompleted(), "the provider must be held back, not drained");

        String body;
        try (InputStream in = response.body()) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<JsonNode> chunks = Sse.chunks(Sse.parse(body));
        assertEquals(tokens + 1, chunks.size());
        assertEquals("stop", chunks.get(tokens).path("choices").path(0).path("finish_reason").asText());
        assertTrue(body.endsWith("data: [DONE]\n\n"));
    }

    private static void readUntilDataEvents(InputStream in, int wanted) throws Exception {
        StringBuilder seen = new StringBuilder();
        byte[] buffer = new byte[4096];
        while (count(seen, "\ndata: ") < wanted) {
            int n = in.read(buffer);
            if (n < 0) {
                throw new AssertionError("the stream ended early: " + seen);
            }
            seen.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
        }
    }

    private static int count(CharSequence text, String needle) {
        int found = 0;
        for (int i = text.toString().indexOf(needle); i >= 0; i = text.toString().indexOf(needle, i + 1)) {
            found++;
        }
        return found;
    }

    /** Every data event has an id {@code <response id>.<seq>}, one response, seq never decreasing. */
    private static String assertIdsAreResponseDotSeq(List<Sse.Block> data) {
        String responseId = null;
        long lastSeq = -1;
        for (Sse.Block block : data) {
            var matcher = EVENT_ID.matcher(block.id().orElseThrow(() -> new AssertionError("no id: " + block)));
            assertTrue(matcher.matches(), block::toString);
            if (responseId == null) {
                responseId = matcher.group(1);
            }
            assertEquals(responseId, matcher.group(1));
            long seq = Long.parseLong(matcher.group(2));
            assertTrue(seq >= lastSeq, () -> "ids go backwards at " + block);
            lastSeq = seq;
        }
        return responseId;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
