package dev.switchboard.broker.resume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.broker.RealtimeClient;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * Every way a resume is refused: an error event naming the reason, then close 4410, never a silent fresh session.
 * Session expiry runs on a fake ticker the test advances, so nothing waits for wall-clock time.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ResumeRefusalTest {
    private static final AtomicLong NOW = new AtomicLong(1_000_000_000L);
    private static ResumeBroker broker;

    @BeforeAll
    static void start() throws Exception {
        broker = ResumeBroker.start("""
                sessions: {resume_ttl: 60s, replay: {max_events: 32, max_bytes: 65536}}
                """, NOW::get);
    }

    @AfterAll
    static void stop() throws Exception {
        broker.close();
    }

    /** Opens a session and returns its token (the connection stays open unless the caller closes it). */
    private static RealtimeClient open(String key) throws Exception {
        return broker.connect(key);
    }

    private static String token(RealtimeClient client) throws InterruptedException {
        return client.next().path("resume_token").asText();
    }

    private static void assertRefused(RealtimeClient client, String code) throws Exception {
        JsonNode error = client.next();
        assertEquals("error", error.path("type").asText(), error::toString);
        assertEquals(code, error.path("error").path("code").asText(), error::toString);
        assertFalse(error.has("seq"), "a refusal is connection-level");
        assertEquals(4410, client.awaitClose());
    }

    @Test
    void a_malformed_token_is_refused_as_invalid() throws Exception {
        assertRefused(broker.resume("dev-key", "not-a-token", 0), "resume_token_invalid");
    }

    @Test
    void a_valid_token_in_any_but_its_canonical_form_is_refused_as_invalid() throws Exception {
        // Issue 10: the Base64 decoder also took padding, so "TOKEN=" resumed the session like "TOKEN".
        try (RealtimeClient client = open("dev-key")) {
            String token = token(client);
            assertRefused(broker.resume("dev-key", token + "=", 1), "resume_token_invalid");
            assertRefused(broker.resume("dev-key", token + "==", 1), "resume_token_invalid");
        }
    }

    @Test
    void a_token_with_a_forged_signature_is_refused_as_invalid() throws Exception {
        try (RealtimeClient client = open("dev-key")) {
            String token = token(client);
            String forged = token.substring(0, token.length() - 2) + (token.endsWith("AA") ? "BB" : "AA");
            assertRefused(broker.resume("dev-key", forged, 1), "resume_token_invalid");
        }
    }

    @Test
    void another_tenants_token_is_refused_as_invalid_revealing_nothing_of_the_session() throws Exception {
        try (RealtimeClient client = open("dev-key")) {
            String token = token(client);
            RealtimeClient intruder = broker.resume("other-key", token, 1);
            JsonNode error = intruder.next();
            assertEquals("resume_token_invalid", error.path("error").path("code").asText());
            assertFalse(error.toString().contains("sess_"), () -> "the refusal names the session: " + error);
            assertEquals(4410, intruder.awaitClose());
            // The owner's connection is untouched.
            client.send("{\"type\":\"session.update\",\"session\":{\"instructions\":\"still here\"}}");
            assertEquals("session.updated", client.next().path("type").asText());
        }
    }

    @Test
    void a_session_closed_normally_cannot_be_resumed() throws Exception {
        RealtimeClient client = open("dev-key");
        String token = token(client);
        client.close();
        client.awaitClose();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> {
            RealtimeClient again = broker.resume("dev-key", token, 1);
            String code = again.next().path("error").path("code").asText();
            again.awaitClose();
            return code.equals("resume_token_expired");
        });
    }

    @Test
    void a_session_without_a_connection_expires_after_the_resume_ttl() throws Exception {
        RealtimeClient client = open("dev-key");
        String token = token(client);
        client.session().disconnect();
        // Still resumable just before the TTL ...
        NOW.addAndGet(TimeUnit.SECONDS.toNanos(59));
        broker.broker.sessions().cleanUp();
        RealtimeClient before = broker.resume("dev-key", token, 1);
        assertEquals("session.resumed", before.next().path("type").asText());
        before.session().disconnect();
        // ... and the TTL restarts from the last disconnect, then runs out.
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20))
                .until(() -> broker.broker.metrics().activeConnections() == 0);
        NOW.addAndGet(TimeUnit.SECONDS.toNanos(61));
        broker.broker.sessions().cleanUp();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> {
            RealtimeClient after = broker.resume("dev-key", token, 1);
            String code = after.next().path("error").path("code").asText();
            after.awaitClose();
            return code.equals("resume_token_expired");
        });
    }

    @Test
    void a_connected_session_never_expires() throws Exception {
        try (RealtimeClient client = open("dev-key")) {
            token(client);
            NOW.addAndGet(TimeUnit.HOURS.toNanos(5));
            broker.broker.sessions().cleanUp();
            client.send("{\"type\":\"session.update\",\"session\":{\"instructions\":\"alive\"}}");
            assertEquals("session.updated", client.next().path("type").asText());
        }
    }

    @Test
    void a_position_ahead_of_the_session_is_unavailable() throws Exception {
        try (RealtimeClient client = open("dev-key")) {
            assertRefused(broker.resume("dev-key", token(client), 99), "resume_position_unavailable");
        }
    }

    @Test
    void a_position_the_bounded_log_no_longer_holds_is_unavailable_but_a_recent_one_resumes() throws Exception {
        RealtimeClient client = open("dev-key");
        String token = token(client);
        // 40 updates: the 32-event log has dropped session.created and the first updates.
        for (int i = 0; i < 40; i++) {
            client.send("{\"type\":\"session.update\",\"session\":{\"instructions\":\"n" + i + "\"}}");
            client.next();
        }
        client.session().disconnect();
        assertRefused(broker.resume("dev-key", token, 1), "resume_position_unavailable");
        RealtimeClient recent = broker.resume("dev-key", token, 30);
        JsonNode resumed = recent.next();
        assertEquals("session.resumed", resumed.path("type").asText(), resumed::toString);
        for (long seq = 31; seq <= 41; seq++) {
            assertEquals(seq, recent.next().path("seq").asLong());
        }
        recent.close();
    }

    @Test
    void a_missing_or_malformed_last_seq_is_an_invalid_value() throws Exception {
        try (RealtimeClient client = open("dev-key")) {
            String token = token(client);
            for (String bad : new String[] {"", "-1", "abc", "1.5"}) {
                RealtimeClient refused = RealtimeClient.connect(broker.client,
                        broker.ws("resume_token=" + token + "&last_seq=" + bad), "dev-key");
                JsonNode error = refused.next();
                assertEquals("invalid_value", error.path("error").path("code").asText(), error::toString);
                assertEquals("last_seq", error.path("error").path("param").asText());
                assertEquals(4410, refused.awaitClose());
            }
        }
    }

    @Test
    void resuming_needs_valid_credentials_first() throws Exception {
        try (RealtimeClient client = open("dev-key")) {
            String token = token(client);
            var future = broker.client.connect(new RealtimeClient(), broker.ws("resume_token=" + token
                    + "&last_seq=1"));
            Throwable failure = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                    () -> future.get(20, TimeUnit.SECONDS));
            assertTrue(String.valueOf(failure.getMessage()).contains("401")
                    || String.valueOf(failure.getCause()).contains("401"), failure::toString);
        }
    }
}
