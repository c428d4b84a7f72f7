package dev.switchboard.simulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The default conversation of one Realtime session: its items in order. Items are inserted after a given item
 * ({@code previous_item_id}), at the start ({@code "root"}) or at the end.
 *
 * <p>Not thread-safe: confined to the connection's {@link SerialExecutor}.
 */
final class RealtimeConversation {

    /** The {@code previous_item_id} that inserts at the start of the conversation. */
    static final String ROOT = "root";

    private final List<RealtimeItem> items = new ArrayList<>();

    Optional<RealtimeItem> find(String id) {
        for (RealtimeItem item : items) {
            if (item.id().equals(id)) {
                return Optional.of(item);
            }
        }
        return Optional.empty();
    }

    boolean contains(String id) {
        return find(id).isPresent();
    }

    /** Whether {@code previousItemId} is a valid insertion point: {@code "root"} or an item of the conversation. */
    boolean canInsertAfter(String previousItemId) {
        return ROOT.equals(previousItemId) || contains(previousItemId);
    }

    /** Appends {@code item}; returns the id of the item before it, if any. */
    Optional<String> append(RealtimeItem item) {
        items.add(item);
        return previousOf(items.size() - 1);
    }

    /**
     * Inserts {@code item} after {@code previousItemId} ({@code "root"} for the start), which
     * {@link #canInsertAfter} has accepted; returns the id of the item before it, if any.
     */
    Optional<String> insertAfter(String previousItemId, RealtimeItem item) {
        int at = 0;
        if (!ROOT.equals(previousItemId)) {
            for (int i = 0; i < items.size(); i++) {
                if (items.get(i).id().equals(previousItemId)) {
                    at = i + 1;
                }
            }
        }
        items.add(at, item);
        return previousOf(at);
    }

    /** The id of the item before {@code id}, if {@code id} is in the conversation and not first. */
    Optional<String> previousOf(String id) {
        for (int i = 0; i < items.size(); i++) {
            if (items.get(i).id().equals(id)) {
                return previousOf(i);
            }
        }
        return Optional.empty();
    }

    /** Removes the item; returns whether it was there. */
    boolean delete(String id) {
        return items.removeIf(item -> item.id().equals(id));
    }

    /** The conversation as chat messages, for seeding text (see {@link RealtimeItem#asChatMessage()}). */
    List<ChatRequest.Message> asChatMessages() {
        return items.stream().map(RealtimeItem::asChatMessage).toList();
    }

    List<RealtimeItem> items() {
        return items;
    }

    private Optional<String> previousOf(int index) {
        return index == 0 ? Optional.empty() : Optional.of(items.get(index - 1).id());
    }
}
