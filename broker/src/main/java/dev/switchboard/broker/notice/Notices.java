package dev.switchboard.broker.notice;

import java.util.List;

/** Where notices go. {@link #publish} never blocks and never throws (see the package's threading rule). */
@FunctionalInterface
public interface Notices {
    /** Notices nobody listens to. */
    Notices NONE = notice -> { };

    /** Hands {@code notice} on; returns at once. */
    void publish(Notice notice);

    /** Publishes each notice to every one of {@code consumers}, in order. */
    static Notices fanOut(List<Notices> consumers) {
        List<Notices> all = consumers.stream().filter(c -> c != NONE).toList();
        if (all.isEmpty()) {
            return NONE;
        }
        if (all.size() == 1) {
            return all.get(0);
        }
        return notice -> {
            for (Notices consumer : all) {
                consumer.publish(notice);
            }
        };
    }
}
