package dev.switchboard.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The frames one step of a response produces, collected so they go to Jetty together and the last one can carry
 * the step's write-completion callback ({@link RealtimeResponse} paces on it). Not thread-safe: one instance per
 * response, used on the connection's {@link SerialExecutor}.
 */
final class ResponseFrames {

    private final EventWriter out;
    private final List<String> frames = new ArrayList<>();

    ResponseFrames(EventWriter out) {
        this.out = out;
    }

    /** A new server event of {@code type}, with its {@code event_id}; add it with {@link #add(ObjectNode)}. */
    ObjectNode event(String type) {
        return out.event(type);
    }

    String nextEventId() {
        return out.nextEventId();
    }

    void add(ObjectNode event) {
        frames.add(event.toString());
    }

    /** Adds a frame that is already serialised (a templated delta, or a deliberately malformed frame). */
    void add(String frame) {
        frames.add(frame);
    }

    /**
     * Sends the collected frames in order, the last with {@code afterWritten} (run at once when there is none),
     * and starts a new collection.
     */
    void flush(@Nullable Runnable afterWritten) {
        if (frames.isEmpty() && afterWritten != null) {
            afterWritten.run();
        }
        for (int i = 0; i < frames.size(); i++) {
            out.send(frames.get(i), i == frames.size() - 1 ? afterWritten : null);
        }
        frames.clear();
    }
}
