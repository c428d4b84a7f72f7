package dev.switchboard.simulator;

/**
 * The ids one Realtime connection hands out: {@code sess_}, {@code conv_}, {@code item_} and {@code event_} ids
 * made of the connection's number (unique within a simulator, fixed width) and a per-connection counter, so they
 * are unique within the simulator and reproducible for a replayed sequence of connections and events. Response
 * ids come from {@link GenerationPlan}, call ids from {@link ToolCall}.
 *
 * <p>Not thread-safe: confined to the connection's {@link SerialExecutor}.
 */
final class RealtimeIds {

    private final String tag;
    private long items;
    private long events;

    /** @param connection the connection's number within its simulator, from 1 */
    RealtimeIds(long connection) {
        this.tag = hex(connection, 8);
    }

    String sessionId() {
        return "sess_" + tag;
    }

    String conversationId() {
        return "conv_" + tag;
    }

    String nextItemId() {
        return "item_" + tag + hex(++items, 6);
    }

    String nextEventId() {
        return "event_" + tag + Long.toHexString(++events);
    }

    /** {@code value} in lower-case hex, zero-padded to at least {@code width} digits. */
    static String hex(long value, int width) {
        String digits = Long.toHexString(value);
        return digits.length() >= width ? digits : "0".repeat(width - digits.length()) + digits;
    }
}
