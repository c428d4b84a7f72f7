package dev.switchboard.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ConcurrentSessionsTest {
    private static final int SESSIONS = 200;
    private static TestBroker broker;

    @BeforeAll
    static void start() throws Exception {
        broker = TestBroker.dev();
    }

    @AfterAll
    static void stop() throws Exception {
        broker.close();
    }

    @Test
    void two_hundred_sessions_stream_at_once_and_all_complete_with_correct_seqs() throws Exception {
        List<RealtimeClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < SESSIONS; i++) {
                RealtimeClient client = broker.connect();
                clients.add(client);
                client.send(RealtimeClient.userMessage("Session " + i + " asks a question."));
            }
            // Every session is connected and has its message in before any response starts, so the responses
            // below overlap: each streams 40 tokens over roughly a second.
            for (RealtimeClient client : clients) {
                client.send(RealtimeClient.responseCreate("r", "{\"sim_tokens\":\"40\",\"sim_ttft_ms\":\"100\","
                        + "\"sim_tokens_per_second\":\"40\"}"));
            }
            ExecutorService pool = Executors.newFixedThreadPool(16);
            try {
                List<CompletableFuture<List<JsonNode>>> done = clients.stream()
                        .map(c -> CompletableFuture.supplyAsync(() -> {
                            try {
                                c.until("response.done");
                                return c.received();
                            } catch (InterruptedException e) {
                                throw new IllegalStateException(e);
                            }
                        }, pool)).collect(Collectors.toList());
                for (CompletableFuture<List<JsonNode>> future : done) {
                    List<JsonNode> frames = future.get(60, TimeUnit.SECONDS);
                    SeqAssert.contiguousFromOne(frames);
                    JsonNode last = frames.get(frames.size() - 1);
                    assertEquals("completed", last.path("response").path("status").asText(), last::toString);
                    assertEquals(40, frames.stream().filter(f -> f.path("type").asText()
                            .equals("response.output_text.delta")).count());
                }
            } finally {
                pool.shutdownNow();
            }
        } finally {
            clients.forEach(RealtimeClient::close);
        }
    }
}
