package dev.switchboard.protocol.event;

import java.util.Optional;

/**
 * Why a response ended as it did.
 *
 * @param type mirrors the status: {@code cancelled}, {@code incomplete} or {@code failed}
 * @param reason e.g. {@code client_cancelled}, {@code max_output_tokens}, {@code upstream_error}
 * @param error for failed responses: the error
 */
public record StatusDetails(String type, Optional<String> reason, Optional<ErrorDetail> error) {
    public StatusDetails {
        type = Defaults.require(type, "status_details.type");
        reason = Defaults.optional(reason);
        error = Defaults.optional(error);
    }
}
