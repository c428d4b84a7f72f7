package dev.switchboard.bridge.anthropic;

import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.switchboard.bridge.upstream.StreamTimeouts;
import dev.switchboard.bridge.upstream.UpstreamOutcome;
import dev.switchboard.bridge.upstream.UpstreamRequest;
import dev.switchboard.protocol.event.ContentPart;
import dev.switchboard.protocol.event.ConversationItem;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.eclipse.jetty.client.HttpClient;

/** Shared settings and builders for the Anthropic connector tests. */
final class AnthropicFixtures {
    /** The configured provider key; no outcome message may ever contain it. */
    static final String SECRET = "sk-ant-secret-123";
    /** The longest any test waits for one thing to happen. */
    static final Duration WAIT = Duration.ofSeconds(10);
    /** Generous deadlines for tests that are not about timeouts. */
    static final StreamTimeouts RELAXED = new StreamTimeouts(Duration.ofSeconds(5), WAIT, WAIT);

    private AnthropicFixtures() {
    }

    /** A connector for the Messages API under {@code baseUri}/v1, keyed with {@link #SECRET}. */
    static AnthropicConnector connector(HttpClient client, URI baseUri, StreamTimeouts timeouts) {
        return new AnthropicConnector(new AnthropicConfig("anthropic", URI.create(baseUri + "/v1"),
                Optional.of(SECRET), timeouts), client);
    }

    /** Instructions and one user message asking for a greeting. */
    static UpstreamRequest simpleRequest() {
        return new UpstreamRequest("claude-test", "Be brief.", List.of(userMessage("Say hello.")), Map.of(),
                OptionalInt.empty(), List.of(), Optional.empty());
    }

    static ConversationItem userMessage(String text) {
        return ConversationItem.message("item_user", "user", "completed",
                List.of(ContentPart.text("input_text", text)));
    }

    static ConversationItem assistantMessage(String text) {
        return ConversationItem.message("item_assistant", "assistant", "completed",
                List.of(ContentPart.text("output_text", text)));
    }

    /** Asserts that the outcome message and its rendering never contain the provider key. */
    static UpstreamOutcome.Failed assertNoSecret(UpstreamOutcome.Failed failed) {
        assertFalse(failed.message().contains(SECRET), () -> "the key leaked into: " + failed.message());
        assertFalse(failed.toString().contains(SECRET), () -> "the key leaked into: " + failed);
        return failed;
    }
}
