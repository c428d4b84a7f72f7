package dev.switchboard.broker.config;

import static dev.switchboard.broker.config.BrokerConfig.or;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * OpenTelemetry traces (issue 15): where spans are exported and under which service name. Without {@code otlp}
 * nothing is exported and the sessions use a tracer that does nothing. See {@code docs/observability.md}.
 *
 * @param otlp the OTLP/HTTP collector, when traces are exported
 * @param serviceName the {@code service.name} resource attribute of every span
 * @param sampleRatio the share of responses traced when the client sent no {@code traceparent} (0 to 1); a client's
 *     {@code traceparent} decides for its own responses (parent-based sampling)
 */
public record Telemetry(Optional<Otlp> otlp, String serviceName, double sampleRatio) {
    /** The service name when the file leaves it out. */
    public static final String DEFAULT_SERVICE_NAME = "switchboard";

    /** No export: the default. */
    public static Telemetry none() {
        return new Telemetry(Optional.empty(), DEFAULT_SERVICE_NAME, 1.0);
    }

    @JsonCreator
    static Telemetry bind(@JsonProperty("otlp") @Nullable Otlp otlp,
                          @JsonProperty("service_name") @Nullable String serviceName,
                          @JsonProperty("sample_ratio") @Nullable Double sampleRatio) {
        ConfigRule.require(serviceName == null || !serviceName.isBlank(), "service_name", "must not be empty");
        ConfigRule.require(sampleRatio == null || (sampleRatio >= 0 && sampleRatio <= 1), "sample_ratio",
                "must be between 0 and 1 (the share of responses traced)");
        return new Telemetry(Optional.ofNullable(otlp), or(serviceName, DEFAULT_SERVICE_NAME),
                sampleRatio == null ? 1.0 : sampleRatio);
    }

    /**
     * An OTLP/HTTP (protobuf) trace exporter.
     *
     * @param endpoint the collector's base URL ({@code http://127.0.0.1:4318}); spans go to {@code /v1/traces}
     *     under it, unless the URL already ends with that path
     * @param exportInterval how long finished spans may wait in the export queue before a batch is sent
     */
    public record Otlp(URI endpoint, Duration exportInterval) {
        /** The export interval when the file leaves it out (the OpenTelemetry SDK's default). */
        public static final Duration DEFAULT_EXPORT_INTERVAL = Duration.ofSeconds(5);

        /** The URL spans are posted to. */
        public URI tracesUrl() {
            String base = endpoint.toString();
            if (base.endsWith("/v1/traces")) {
                return endpoint;
            }
            return URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/v1/traces");
        }

        @JsonCreator
        static Otlp bind(@JsonProperty("endpoint") @Nullable String endpoint,
                         @JsonProperty("export_interval") @Nullable Duration exportInterval) {
            ConfigRule.require(endpoint != null && !endpoint.isBlank(), "endpoint",
                    "is required (the collector's OTLP/HTTP URL, e.g. http://127.0.0.1:4318)");
            URI uri;
            try {
                uri = new URI(endpoint);
            } catch (URISyntaxException e) {
                throw ConfigRule.of("endpoint", "is not a valid URL");
            }
            ConfigRule.require(("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
                    && uri.getHost() != null, "endpoint", "must be an http or https URL");
            return new Otlp(uri, or(exportInterval, DEFAULT_EXPORT_INTERVAL));
        }
    }
}
