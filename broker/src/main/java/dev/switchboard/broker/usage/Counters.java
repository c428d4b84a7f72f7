package dev.switchboard.broker.usage;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The live counters of one ledger row: one atomic array, added to from any thread without a lock. A writer adds its
 * amounts first and then marks the row changed ({@link #changed()}); the file writer clears the mark
 * ({@link #takeChanged()}) before it reads the amounts, so an addition it read only in part is marked again and
 * written whole at the next flush.
 */
final class Counters {
    static final int REQUESTS = 0;
    static final int INPUT = 1;
    static final int OUTPUT = 2;
    static final int CACHED = 3;
    static final int AUDIO_INPUT = 4;
    static final int AUDIO_OUTPUT = 5;
    static final int COST_NANO_USD = 6;
    static final int REFUSALS = 7;
    private static final int CHANGED = 8;

    private final AtomicLongArray values = new AtomicLongArray(CHANGED + 1);

    /** Adds {@code amount} (ignored unless positive) to {@code field}. */
    void add(int field, long amount) {
        if (amount > 0) {
            values.getAndAdd(field, amount);
        }
    }

    /** Marks the row changed since the last {@link #takeChanged()}; called after the additions. */
    void changed() {
        values.set(CHANGED, 1);
    }

    /** Whether the row changed since the last call, clearing the mark. */
    boolean takeChanged() {
        return values.getAndSet(CHANGED, 0) != 0;
    }

    /** Adds every count of {@code tally} (a loaded file's row) without marking the row changed. */
    void load(Tally tally) {
        add(REQUESTS, tally.requests());
        add(INPUT, tally.inputTokens());
        add(OUTPUT, tally.outputTokens());
        add(CACHED, tally.cachedTokens());
        add(AUDIO_INPUT, tally.audioInputTokens());
        add(AUDIO_OUTPUT, tally.audioOutputTokens());
        add(COST_NANO_USD, tally.costNanoUsd());
        add(REFUSALS, tally.refusals());
    }

    /** The counts now (each read atomically; an addition in progress may be seen in part). */
    Tally snapshot() {
        return new Tally(values.get(REQUESTS), values.get(INPUT), values.get(OUTPUT), values.get(CACHED),
                values.get(AUDIO_INPUT), values.get(AUDIO_OUTPUT), values.get(COST_NANO_USD), values.get(REFUSALS));
    }
}
