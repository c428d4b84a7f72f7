package dev.switchboard.bridge.anthropic;

import dev.switchboard.bridge.upstream.StreamTimeouts;
import java.net.URI;
import java.util.Optional;

/**
 * Settings of one Anthropic Messages provider.
 *
 * @param name the provider name from the configuration, used as the metric tag
 * @param baseUri e.g. {@code https://api.anthropic.com/v1}; {@code /messages} is appended
 * @param apiKey the provider key, sent as {@code x-api-key}; never logged or shown to clients
 * @param timeouts stream deadlines
 * @param anthropicVersion the {@code anthropic-version} header, e.g. {@value #DEFAULT_VERSION}
 */
public record AnthropicConfig(String name, URI baseUri, Optional<String> apiKey, StreamTimeouts timeouts,
                              String anthropicVersion) {

    /** The API version sent when none is configured. */
    public static final String DEFAULT_VERSION = "2023-06-01";

    /**
     * @throws IllegalArgumentException when the name or the version is empty or blank
     */
    public AnthropicConfig {
        if (name.isEmpty()) {
            throw new IllegalArgumentException("provider name must not be empty");
        }
        if (anthropicVersion.isBlank()) {
            throw new IllegalArgumentException("anthropicVersion must not be blank");
        }
    }

    /** Settings with the {@value #DEFAULT_VERSION} API version. */
    public AnthropicConfig(String name, URI baseUri, Optional<String> apiKey, StreamTimeouts timeouts) {
        this(name, baseUri, apiKey, timeouts, DEFAULT_VERSION);
    }

    /** Redacts the key so a logged or printed config never leaks it. */
    @Override
    public String toString() {
        return "AnthropicConfig[name=" + name + ", baseUri=" + baseUri + ", apiKey="
                + (apiKey.isPresent() ? "***" : "none") + ", timeouts=" + timeouts + ", anthropicVersion="
                + anthropicVersion + "]";
    }
}
