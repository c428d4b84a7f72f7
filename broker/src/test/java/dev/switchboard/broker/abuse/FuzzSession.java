package dev.switchboard.broker.abuse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.broker.RealtimeClient;
import java.util.List;
import java.util.Optional;

/**
 * One fuzzed session over a real WebSocket, on the abuse tenant. Frames are sent one at a time, each followed by a
 * <em>barrier</em> (an event type no session serves, with a unique event_id) whose error answer marks the end of the
 * frame's window. Every wait is bounded by {@link RealtimeClient#WAIT}.
 */
final class FuzzSession implements AutoCloseable {
    private static final int MAX_PROBE_ATTEMPTS = 3;

    private final RealtimeClient client;
    private int barriers;
    private int probes;

    private FuzzSession(RealtimeClient client) {
        this.client = client;
    }

    /** Connects to {@code model} and waits for {@code session.created}. */
    static FuzzSession open(AbuseBroker broker, String model) throws Exception {
        RealtimeClient client = broker.connect(model, AbuseBroker.ABUSE_KEY);
        JsonNode first = client.next();
        if (!first.path("type").asText().equals("session.created")) {
            client.close();
            throw new AssertionError("the first event is not session.created: " + first);
        }
        return new FuzzSession(client);
    }

    /** Sends {@code frame} and then a barrier; returns the events in between, waiting at most for the barrier. */
    List<JsonNode> exchange(Frame frame) throws InterruptedException {
        if (frame.isBinary()) {
            client.sendBinary(frame.binary());
        } else {
            client.send(frame.text());
        }
        return barrier();
    }

    /** Sends a barrier and returns the events before its answer. */
    List<JsonNode> barrier() throws InterruptedException {
        String id = "abuse-barrier-" + (++barriers);
        client.send("{\"type\":\"abuse.barrier\",\"event_id\":\"" + id + "\"}");
        List<JsonNode> window = client.until(event -> event.path("type").asText().equals("error")
                && id.equals(event.path("error").path("event_id").asText()));
        return window.subList(0, window.size() - 1);
    }

    /**
     * The session still serves: after cancelling whatever may be running, a response with explicit overrides (its own
     * input, no tools, text) completes, and its text is the concatenation of its deltas.
     */
    void assertUsable() throws InterruptedException {
        for (int attempt = 1; attempt <= MAX_PROBE_ATTEMPTS; attempt++) {
            String probe = "abuse-probe-" + (++probes);
            client.send("{\"type\":\"response.cancel\",\"event_id\":\"" + probe + "-cancel\"}");
            client.send("{\"type\":\"response.create\",\"event_id\":\"" + probe + "\",\"response\":{"
                    + "\"conversation\":\"none\",\"instructions\":\"\",\"output_modalities\":[\"text\"],\"tools\":[],"
                    + "\"tool_choice\":\"auto\",\"max_output_tokens\":\"inf\",\"input\":[{\"type\":\"message\","
                    + "\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"still there?\"}]}],"
                    + "\"metadata\":{\"abuse_probe\":\"" + probe + "\",\"sim_tokens\":\"3\",\"sim_ttft_ms\":\"0\","
                    + "\"sim_tokens_per_second\":\"1000\"}}}");
            List<JsonNode> events = client.until(event -> isProbeError(event, probe) || isProbeDone(event, probe));
            JsonNode last = events.get(events.size() - 1);
            if (last.path("type").asText().equals("error")) {
                if (last.path("error").path("code").asText().equals("conversation_already_has_active_response")) {
                    continue;
                }
                throw new AssertionError("the session refused a well-formed response.create: " + last);
            }
            checkProbeResponse(events, last);
            return;
        }
        throw new AssertionError("the session kept an active response through " + MAX_PROBE_ATTEMPTS
                + " cancels; last events: " + client.received().subList(Math.max(0, client.received().size() - 5),
                client.received().size()));
    }

    private static void checkProbeResponse(List<JsonNode> events, JsonNode done) {
        String id = done.path("response").path("id").asText();
        Verdicts.check(done.path("response").path("status").asText().equals("completed"),
                "the probe response did not complete", done);
        StringBuilder deltas = new StringBuilder();
        Optional<String> text = Optional.empty();
        for (JsonNode event : events) {
            if (!id.equals(event.path("response_id").asText())) {
                continue;
            }
            if (event.path("type").asText().equals("response.output_text.delta")) {
                deltas.append(event.path("delta").asText());
            } else if (event.path("type").asText().equals("response.output_text.done")) {
                text = Optional.of(event.path("text").asText());
            }
        }
        Verdicts.check(deltas.length() > 0 && text.isPresent() && text.get().contentEquals(deltas),
                "the probe's text is not its deltas (" + deltas + " vs " + text.orElse("no output_text.done") + ")",
                events);
    }

    private static boolean isProbeError(JsonNode event, String probe) {
        return event.path("type").asText().equals("error")
                && probe.equals(event.path("error").path("event_id").asText());
    }

    private static boolean isProbeDone(JsonNode event, String probe) {
        return event.path("type").asText().equals("response.done")
                && probe.equals(event.path("response").path("metadata").path("abuse_probe").asText());
    }

    /** Every server event received so far, in order. */
    List<JsonNode> received() {
        return client.received();
    }

    /** The close status, if the broker closed the connection. */
    Optional<Integer> closeStatus() {
        return client.closeStatus();
    }

    /** Closes normally (1000): the broker ends the session. */
    @Override
    public void close() {
        client.close();
    }
}
