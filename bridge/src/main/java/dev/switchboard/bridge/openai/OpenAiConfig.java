package dev.switchboard.bridge.openai;

import dev.switchboard.bridge.upstream.StreamTimeouts;
import java.net.URI;
import java.util.Optional;

/**
 * Settings of one OpenAI-compatible provider.
 *
 * @param name the provider name from the configuration, used as the metric tag
 * @param baseUri e.g. {@code https://api.openai.com/v1}; {@code /chat/completions} is appended
 * @param apiKey the provider key, sent as a bearer token; never logged or shown to clients
 * @param timeouts stream deadlines
 */
public record OpenAiConfig(String name, URI baseUri, Optional<String> apiKey, StreamTimeouts timeouts) {
    public OpenAiConfig {
        if (name.isEmpty()) {
            throw new IllegalArgumentException("provider name must not be empty");
        }
    }

    /** Redacts the key so a logged or printed config never leaks it. */
    @Override
    public String toString() {
        return "OpenAiConfig[name=" + name + ", baseUri=" + baseUri + ", apiKey=" + (apiKey.isPresent() ? "***" : "none")
                + ", timeouts=" + timeouts + "]";
    }
}
