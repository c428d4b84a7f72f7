package dev.switchboard.loadtest;

import java.util.HashMap;
import java.util.Map;

/**
 * Checks that a response interrupted by a drop and a resume has exactly the text an uninterrupted one has.
 *
 * <p>Why this works: the provider simulator is deterministic (its text is seeded by the conversation), and every
 * session of a run sends the same user message each turn, so turn {@code k} of every session has the same
 * conversation and therefore the same answer. The reference text of turn {@code k} is the text that the
 * uninterrupted responses of that turn agree on (the most common one, if they ever disagree); every response of
 * that turn whose text differs is a mismatch. A turn that no uninterrupted response completed cannot be checked
 * and counts as unverified. A session whose conversation left the common path (a response that did not
 * complete, a refused request) stops contributing.
 *
 * <p>Texts are compared by {@link TextDigest}. Thread-safe: {@link #record} is called once per completed
 * response from any session's thread; {@link #result} once after the run.
 */
final class TextCheck {
    private record Key(int turn, long hash, long length) {
    }

    /** Counts of uninterrupted ({@code [0]}) and interrupted ({@code [1]}) responses by turn and text. */
    private final Map<Key, long[]> counts = new HashMap<>();

    /**
     * The outcome.
     *
     * @param checked responses compared with their turn's reference
     * @param mismatches those whose text differed from it
     * @param unverified responses of turns that had no uninterrupted reference
     */
    record Result(long checked, long mismatches, long unverified) {
    }

    /** One completed response of turn {@code turn} (1-based) with text {@code text}. */
    synchronized void record(int turn, TextDigest text, boolean interrupted) {
        counts.computeIfAbsent(new Key(turn, text.hash(), text.length()), k -> new long[2])[interrupted ? 1 : 0]++;
    }

    /** Compares every recorded response with its turn's reference. */
    synchronized Result result() {
        Map<Integer, Key> reference = new HashMap<>();
        counts.forEach((key, n) -> {
            Key best = reference.get(key.turn());
            if (n[0] > 0 && (best == null || n[0] > counts.get(best)[0])) {
                reference.put(key.turn(), key);
            }
        });
        long checked = 0;
        long mismatches = 0;
        long unverified = 0;
        for (Map.Entry<Key, long[]> e : counts.entrySet()) {
            long responses = e.getValue()[0] + e.getValue()[1];
            Key ref = reference.get(e.getKey().turn());
            if (ref == null) {
                unverified += responses;
            } else {
                checked += responses;
                if (!ref.equals(e.getKey())) {
                    mismatches += responses;
                }
            }
        }
        return new Result(checked, mismatches, unverified);
    }
}
