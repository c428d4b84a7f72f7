package dev.switchboard.broker.config;

import static dev.switchboard.broker.config.BrokerConfig.or;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.jspecify.annotations.Nullable;

/**
 * Where {@code /metrics} is served (issue 15). With an admin listener configured it is always served there; on the
 * main listener only while {@code publicEndpoint} holds.
 *
 * @param publicEndpoint whether the main listener serves {@code /metrics} (the file's {@code metrics.public})
 */
public record Metrics(boolean publicEndpoint) {
    /** {@code /metrics} on the main listener too. */
    public static Metrics defaults() {
        return new Metrics(true);
    }

    @JsonCreator
    static Metrics bind(@JsonProperty("public") @Nullable Boolean publicEndpoint) {
        return new Metrics(or(publicEndpoint, true));
    }
}
