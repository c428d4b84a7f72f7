package dev.switchboard.broker.abuse;

import dev.switchboard.broker.abuse.Frame.Expect;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeded generator of frame sequences for one session: single frames, random sequences, and out-of-order scripts
 * whose answers the docs fix (cancel before create, create twice, cancel naming another response, an item after a
 * missing one, an item id used twice, a model change), with refused junk frames shuffled in between — junk changes
 * no state, so the script's expectations still hold.
 */
final class ScriptGenerator {
    private static final int MAX_SEQUENCE = 6;

    private final FrameGenerator frames;
    private final SplittableRandom random;

    /** @param forRelay see {@link FrameGenerator#FrameGenerator(SplittableRandom, boolean)} */
    ScriptGenerator(SplittableRandom random, boolean forRelay) {
        this.random = random;
        this.frames = new FrameGenerator(random, forRelay);
    }

    /** Half single frames, a quarter random sequences, a quarter out-of-order scripts. */
    List<Frame> any() {
        int roll = random.nextInt(4);
        if (roll < 2) {
            return List.of(frames.next());
        }
        return roll == 2 ? sequence() : outOfOrder();
    }

    /** Two to six frames of any kind. */
    List<Frame> sequence() {
        List<Frame> out = new ArrayList<>();
        for (int i = 2 + random.nextInt(MAX_SEQUENCE - 1); i > 0; i--) {
            out.add(frames.next());
        }
        return out;
    }

    /** One out-of-order script, with refused junk between its steps. */
    List<Frame> outOfOrder() {
        String id = "item_abuse_" + Long.toHexString(random.nextLong());
        List<Frame> steps = switch (random.nextInt(11)) {
            case 0 -> List.of(cancel("", Expect.error("response_cancel_not_active")));
            case 1 -> List.of(slowCreate(), create(Expect.error("conversation_already_has_active_response")),
                    cancel("", Expect.accepted()));
            case 2 -> List.of(slowCreate(), cancel("resp_abuse_not_this_one", Expect.error("response_not_found")),
                    cancel("", Expect.accepted()));
            case 3 -> List.of(slowCreate(), cancel("", Expect.accepted()),
                    cancel("", Expect.error("response_cancel_not_active")));
            case 4 -> List.of(item("", "item_abuse_missing_" + id, Expect.error("item_not_found")));
            case 5 -> List.of(item(id, "", Expect.accepted()), item(id, "", Expect.error("item_already_exists")));
            case 6 -> List.of(item(id, "", Expect.accepted()), item("", id, Expect.accepted()));
            case 7 -> List.of(Frame.text("model change", "{\"type\":\"session.update\",\"event_id\":\"evt_model\","
                    + "\"session\":{\"model\":\"sim-realtime\"}}", Expect.error("invalid_value")));
            case 8 -> List.of(Frame.text("item.create without item", "{\"type\":\"conversation.item.create\","
                    + "\"event_id\":\"evt_noitem\"}", Expect.error("missing_required_parameter")));
            case 9 -> List.of(Frame.text("session.update without session", "{\"type\":\"session.update\","
                    + "\"event_id\":\"evt_nosession\"}", Expect.error("missing_required_parameter")));
            default -> List.of(slowCreate(), cancel("", Expect.accepted()), create(Expect.accepted()));
        };
        List<Frame> out = new ArrayList<>();
        for (Frame step : steps) {
            for (int junk = random.nextInt(3); junk > 0; junk--) {
                out.add(junk());
            }
            out.add(step);
        }
        return out;
    }

    /** A frame every session kind refuses without looking at its state. */
    private Frame junk() {
        return switch (random.nextInt(5)) {
            case 0 -> frames.randomBinary();
            case 1 -> frames.randomText();
            case 2 -> frames.brokenEnvelope();
            case 3 -> frames.truncated();
            default -> frames.nonObjectJson();
        };
    }

    private static Frame cancel(String responseId, Expect expect) {
        return Frame.text("response.cancel" + (responseId.isEmpty() ? "" : " of " + responseId),
                "{\"type\":\"response.cancel\",\"event_id\":\"evt_cancel\"" + (responseId.isEmpty() ? ""
                        : ",\"response_id\":\"" + responseId + "\"") + "}", expect);
    }

    /** A response that stays active until cancelled (its first token is 10 s away). */
    private static Frame slowCreate() {
        return Frame.text("slow response.create", "{\"type\":\"response.create\",\"event_id\":\"evt_slow\","
                + "\"response\":{\"conversation\":\"none\",\"input\":[{\"type\":\"message\",\"role\":\"user\","
                + "\"content\":[{\"type\":\"input_text\",\"text\":\"wait\"}]}],\"metadata\":{\"sim_tokens\":\"2\","
                + "\"sim_ttft_ms\":\"10000\"}}}", Expect.accepted());
    }

    private static Frame create(Expect expect) {
        return Frame.text("response.create", FrameGenerator.TEMPLATES.get(2), expect);
    }

    private static Frame item(String id, String previous, Expect expect) {
        return Frame.text("conversation.item.create" + (id.isEmpty() ? "" : " id " + id)
                        + (previous.isEmpty() ? "" : " after " + previous),
                "{\"type\":\"conversation.item.create\",\"event_id\":\"evt_item\"" + (previous.isEmpty() ? ""
                        : ",\"previous_item_id\":\"" + previous + "\"") + ",\"item\":{" + (id.isEmpty() ? ""
                        : "\"id\":\"" + id + "\",") + "\"type\":\"message\",\"role\":\"user\",\"content\":"
                        + "[{\"type\":\"input_text\",\"text\":\"hi\"}]}}", expect);
    }
}
