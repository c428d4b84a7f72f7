package dev.switchboard.broker.abuse;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The per-frame invariants. A frame's <em>window</em> is every server event between the answer to the barrier
 * before it and the answer to the barrier after it ({@link FuzzSession#exchange}); the session handles client frames
 * in order, so everything the frame caused synchronously is in its window. Events of a response still streaming
 * from an earlier frame may land in any window and are not counted.
 */
final class Verdicts {
    /** What a bridged session sends; anything else is a failure. */
    private static final Set<String> BRIDGED_TYPES = Set.of("session.created", "session.updated",
            "conversation.item.added", "conversation.item.done", "response.created", "response.output_item.added",
            "response.output_item.done", "response.content_part.added", "response.content_part.done",
            "response.output_text.delta", "response.output_text.done", "response.function_call_arguments.delta",
            "response.function_call_arguments.done", "response.done", "error", "switchboard.response.failover");
    /** Events a bridged session sends only in answer to a client frame, and only when it accepts it. */
    private static final Set<String> ACKNOWLEDGEMENTS = Set.of("session.updated", "conversation.item.added",
            "conversation.item.done", "response.created");
    /** Signs of an exception in a message meant for clients: always a failure. */
    static final List<String> STACK_TRACES = List.of("Exception", "\tat ", "Cannot invoke", "because \"",
            "reference chain", "NullPointer", "IllegalState", "IllegalArgument");
    /** Signs of implementation details (class, library and parser names) in a message meant for clients. */
    static final List<String> INTERNALS = List.of("java.", "javax.", "jdk.", "dev.switchboard", "com.fasterxml",
            "JsonToken", "Source: ", "CoercionConfig", "DeserializationFeature", "StreamReadFeature", "Creator");

    private Verdicts() {
    }

    /**
     * A bridged session's answer to {@code frame}: exactly one {@code error} with a documented code (and the frame's
     * expected code, if it has one), or its acknowledgement; never both, never neither.
     */
    static void bridgedWindow(Frame frame, List<JsonNode> window, Documented docs) {
        int errors = 0;
        int acks = 0;
        for (JsonNode event : window) {
            String type = event.path("type").asText();
            check(BRIDGED_TYPES.contains(type), "a bridged session sent an event of unexpected type", event);
            if (type.equals("error")) {
                errors++;
                errorEvent(event, frame, docs);
                frame.expect().code().ifPresent(code -> check(code.equals(event.path("error").path("code").asText()),
                        "expected error code " + code, event));
            } else if (ACKNOWLEDGEMENTS.contains(type) || isClientCancel(event)) {
                acks++;
            }
        }
        Frame.Expect expect = frame.expect();
        check(errors <= 1, errors + " error events for one frame", window);
        check(errors + acks > 0, "silence: neither an error nor an acknowledgement (expected "
                + expect + ")", window);
        check(errors == 0 || acks == 0, "both an error and an acknowledgement", window);
        check(errors == 0 || expect.mayBeRefused(), "refused a frame that must be accepted", window);
        check(acks == 0 || expect.mayBeAccepted(), "accepted a frame that must be refused with "
                + expect.code().orElse("an error"), window);
    }

    /**
     * A relayed session's answer to {@code frame}. The broker refuses only broken envelopes, and must do so with the
     * code a bridged session gives; everything else goes to the provider, whose answers are its own.
     */
    static void relayedWindow(Frame frame, List<JsonNode> window, Documented docs) {
        List<JsonNode> errors = window.stream().filter(e -> e.path("type").asText().equals("error")).toList();
        for (JsonNode error : errors) {
            message(error);
        }
        if (frame.expect().envelope()) {
            check(errors.size() == 1, errors.size() + " error events for a frame the broker refuses itself", window);
            errorEvent(errors.get(0), frame, docs);
            String code = frame.expect().code().orElseThrow();
            check(code.equals(errors.get(0).path("error").path("code").asText()), "expected error code " + code
                    + " (as on a bridged session)", errors.get(0));
        }
    }

    /**
     * The same frame on both session kinds: when the bridged session refused its envelope (not JSON, not an object,
     * type or event_id missing or wrong, binary, too large), the relayed session must refuse it with the same code
     * and param, and not forward it.
     */
    static void sameEnvelopeAnswer(Frame frame, List<JsonNode> bridged, List<JsonNode> relayed) {
        for (JsonNode event : bridged) {
            JsonNode error = event.path("error");
            if (!event.path("type").asText().equals("error") || !isEnvelope(error)) {
                continue;
            }
            List<JsonNode> errors = relayed.stream().filter(e -> e.path("type").asText().equals("error")).toList();
            check(errors.size() == 1, "the bridged session refused the envelope with " + error.path("code").asText()
                    + " but the relayed session sent " + errors.size() + " errors", relayed);
            JsonNode other = errors.get(0).path("error");
            check(other.path("code").asText().equals(error.path("code").asText())
                            && other.path("param").asText().equals(error.path("param").asText()),
                    "bridged and relayed sessions answer the same frame differently: bridged " + error, other);
        }
    }

    private static boolean isEnvelope(JsonNode error) {
        String code = error.path("code").asText();
        String param = error.path("param").asText();
        return Set.of("invalid_json", "frame_too_large", "binary_frame_not_supported").contains(code)
                || (Set.of("missing_required_parameter", "invalid_value").contains(code)
                && Set.of("type", "event_id").contains(param));
    }

    /** One error event: type, documented code, a clean message, the client's event_id when it could be read. */
    static void errorEvent(JsonNode event, Frame frame, Documented docs) {
        JsonNode error = event.path("error");
        String code = error.path("code").asText();
        check("invalid_request_error".equals(error.path("type").asText()), "error.type is not invalid_request_error",
                event);
        check(docs.errorCodes().contains(code) || KnownDefects.UNDOCUMENTED_CODES.contains(code),
                "error.code '" + code + "' is not in docs/protocol.md's Errors table", event);
        message(event);
        String echoed = error.path("event_id").asText("");
        if (!echoed.isEmpty()) {
            Optional<String> sent = eventIdOf(frame);
            check(sent.isPresent() && sent.get().equals(echoed), "error.event_id is not the frame's event_id ("
                    + sent.orElse("none readable") + ")", event);
        }
    }

    /**
     * An error's message: present, no stack trace, and no implementation details (tolerated while
     * {@link KnownDefects#MESSAGES_SHOW_INTERNALS}).
     */
    private static void message(JsonNode event) {
        String message = event.path("error").path("message").asText();
        check(!message.isEmpty(), "an error without a message", event);
        for (String leak : STACK_TRACES) {
            check(!message.contains(leak), "the message shows '" + leak.strip() + "'", event);
        }
        if (!KnownDefects.MESSAGES_SHOW_INTERNALS) {
            for (String leak : INTERNALS) {
                check(!message.contains(leak), "the message shows '" + leak.strip() + "'", event);
            }
        }
    }

    /** The frame's top-level string event_id as the broker received it (Jetty sends a lone surrogate as '?'). */
    private static Optional<String> eventIdOf(Frame frame) {
        if (frame.isBinary()) {
            return Optional.empty();
        }
        try {
            JsonNode id = Mutator.JSON.readTree(wire(frame.text())).path("event_id");
            return id.isTextual() ? Optional.of(wire(id.asText())) : Optional.empty();
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    private static String wire(String text) {
        return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    }

    private static boolean isClientCancel(JsonNode event) {
        JsonNode response = event.path("response");
        return event.path("type").asText().equals("response.done")
                && response.path("status").asText().equals("cancelled")
                && response.path("status_details").path("reason").asText().equals("client_cancelled");
    }

    static void check(boolean ok, String what, Object evidence) {
        if (!ok) {
            throw new AssertionError(what + ": " + abbreviate(evidence));
        }
    }

    private static String abbreviate(Object evidence) {
        if (evidence instanceof JsonNode node) {
            return SeqCheck.abbreviate(node);
        }
        if (evidence instanceof List<?> list) {
            StringBuilder out = new StringBuilder("[");
            list.forEach(e -> out.append("\n    ").append(e instanceof JsonNode n ? SeqCheck.abbreviate(n) : e));
            return out.append(list.isEmpty() ? "]" : "\n  ]").toString();
        }
        return String.valueOf(evidence);
    }
}
