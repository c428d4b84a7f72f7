package dev.switchboard.protocol.event;

/**
 * {@code switchboard.response.failover} — a Switchboard extension event, sent inside a response whenever the
 * broker moves it to another target of its route (or restarts it on the same one): mid-answer, with mode
 * {@code continue} or {@code restart}, and before any output, with mode {@code restart} and output index 0.
 * Realtime clients that do not know it ignore it; the response stays one response with contiguous {@code seq}.
 *
 * @param responseId the response
 * @param fromProvider the provider that failed
 * @param fromModel its model
 * @param toProvider the provider that continues
 * @param toModel its model
 * @param reason the failure's {@code error.code}, e.g. {@code upstream_stream_broken}
 * @param mode {@code continue}: the new target continues the same output item from where the text stopped
 *     (assistant prefill); {@code restart}: the new target could not continue, the interrupted item was closed
 *     as {@code incomplete} and the answer restarts in a new output item at {@code outputIndex}
 * @param outputIndex the output item that receives the continued or restarted text
 */
public record ResponseFailover(String responseId, String fromProvider, String fromModel, String toProvider,
                               String toModel, String reason, String mode, int outputIndex)
        implements ServerEvent {
    public ResponseFailover {
        Defaults.nonNull(responseId, "response_id");
        Defaults.nonNull(fromProvider, "from_provider");
        Defaults.nonNull(fromModel, "from_model");
        Defaults.nonNull(toProvider, "to_provider");
        Defaults.nonNull(toModel, "to_model");
        Defaults.nonNull(reason, "reason");
        if (!"continue".equals(mode) && !"restart".equals(mode)) {
            throw new IllegalArgumentException("mode must be 'continue' or 'restart'");
        }
    }
}
