package dev.switchboard.broker.policy;

import dev.switchboard.broker.config.Policies;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;

/**
 * Polices one stream of text deltas before the client sees them, across delta boundaries.
 *
 * <p>Each delta joins a pending buffer. The buffer is released up to the earliest position from which some rule
 * could still match if more text came: for each rule, the first start within the last {@code holdBackChars}
 * characters where {@link Matcher#lookingAt()} either matches or fails for want of input ({@link Matcher#hitEnd()})
 * is where that rule's possible match begins. Everything before that point flows at once, with complete matches
 * redacted, flagged or — for a block — cut off together with everything after it. A match that began more than
 * {@code holdBackChars} before the end is judged on the text so far (the cap keeps latency bounded).
 * {@link #finish()} releases the rest at the end of the stream.
 *
 * <p>Not thread-safe: confined to the thread of its stream.
 */
public final class OutputPolicer {
    private final List<Detector> detectors;
    private final Matcher[] matchers;
    private final int holdBack;
    private final StringBuilder pending = new StringBuilder();
    /** Released text kept before the unreleased text, so look-behinds and word boundaries see what came before. */
    private static final int CONTEXT = 32;
    /** The stream position of {@code pending}'s first character. */
    private long origin;
    /** Where the unreleased text starts in {@code pending}; what is before it is released context. */
    private int base;
    /**
     * Per detector, the stream position before which no match can start: a {@code lookingAt} there failed without
     * reading to the end of the text, so no later text can change its outcome. Each position is tried once.
     */
    private final long[] deadBefore;
    /**
     * Per detector, whether the last hold-point scan may have passed a complete match: a {@code lookingAt} matched,
     * or the scan did not start at the first unreleased character. When false, the complete-match scan is skipped.
     */
    private final boolean[] candidates;
    private final List<Found> found = new ArrayList<>();
    private List<Match> matches = List.of();
    private boolean blocked;

    OutputPolicer(List<Detector> detectors, int holdBack) {
        this.detectors = detectors;
        this.holdBack = holdBack;
        this.matchers = new Matcher[detectors.size()];
        this.deadBefore = new long[detectors.size()];
        this.candidates = new boolean[detectors.size()];
        for (int i = 0; i < matchers.length; i++) {
            matchers[i] = detectors.get(i).pattern().matcher("");
            matchers[i].useTransparentBounds(true).useAnchoringBounds(false);
        }
    }

    /** Takes one delta; returns the text that may reach the client now (possibly empty). */
    public String accept(String delta) {
        if (blocked) {
            return "";
        }
        pending.append(delta);
        return release(false);
    }

    /** The end of the stream: returns what was held back, policed as final. */
    public String finish() {
        return blocked ? "" : release(true);
    }

    /** Whether a {@code block} rule matched: nothing more is released. */
    public boolean blocked() {
        return blocked;
    }

    /** The matches since the last call (redactions, flags and the block, in order); empty when none. */
    public List<Match> takeMatches() {
        List<Match> taken = matches;
        matches = List.of();
        return taken;
    }

    /** Polices a whole text at once (a request's input): the redacted text, or what was released before a block. */
    String whole(String text) {
        pending.append(text);
        return release(true);
    }

    private String release(boolean last) {
        int length = pending.length();
        int hold = last ? length : holdPoint(length);
        found.clear();
        for (int i = 0; i < matchers.length; i++) {
            if (last || candidates[i]) {
                collect(i, hold, length, last);
            }
        }
        if (found.isEmpty()) {
            String out = pending.substring(base, hold);
            consume(hold);
            return out;
        }
        found.sort(null);
        StringBuilder out = new StringBuilder(hold - base + 16);
        int at = base;
        for (Found f : found) {
            if (f.start < at) {
                continue;  // overlaps a match already applied
            }
            Detector detector = detectors.get(f.detector);
            out.append(pending, at, f.start);
            record(new Match(detector.rule(), detector.action()));
            if (detector.action() == Policies.Action.BLOCK) {
                blocked = true;
                pending.setLength(0);
                return out.toString();
            }
            out.append(detector.action() == Policies.Action.REDACT ? detector.label()
                    : pending.subSequence(f.start, f.end));
            at = f.end;
        }
        int end = Math.max(at, hold);
        out.append(pending, at, end);
        consume(end);
        return out.toString();
    }

    /** Everything before {@code end} is released; the last {@link #CONTEXT} characters of it stay as context. */
    private void consume(int end) {
        int drop = Math.max(0, end - CONTEXT);
        pending.delete(0, drop);
        origin += drop;
        base = end - drop;
    }

    /**
     * The complete matches of detector {@code i} that start before {@code hold}. A candidate its check refuses (a
     * digit run that fails Luhn) is not a match, and the search goes on from its second character, so a real match
     * that begins inside it is still found.
     */
    private void collect(int i, int hold, int length, boolean last) {
        Matcher m = matchers[i];
        m.reset(pending);
        int from = base;
        while (from < hold) {
            m.region(from, length);
            if (!m.find() || m.start() >= hold) {
                return;
            }
            boolean settled = last || !m.hitEnd() || m.start() < length - holdBack;
            if (settled && m.end() > m.start() && detectors.get(i).valid().test(m.group())) {
                found.add(new Found(m.start(), m.end(), i));
                from = m.end();
            } else {
                from = m.start() + 1;
            }
        }
    }

    /** The earliest start, within the last {@code holdBack} characters, of a match more text could still make. */
    private int holdPoint(int length) {
        int hold = length;
        for (int i = 0; i < matchers.length; i++) {
            Matcher m = matchers[i];
            m.reset(pending);
            int start = (int) Math.max(Math.max(base, (long) length - holdBack), deadBefore[i] - origin);
            boolean candidate = start > base;
            for (; start < hold; start++) {
                m.region(start, length);
                candidate |= m.lookingAt();
                if (m.hitEnd()) {
                    hold = start;
                    break;
                }
            }
            candidates[i] = candidate;
            deadBefore[i] = origin + start;
        }
        return hold;
    }

    private void record(Match match) {
        if (matches.isEmpty()) {
            matches = new ArrayList<>(2);
        }
        matches.add(match);
    }

    /** A match found in the pending text; earlier first, longer first at the same start. */
    private record Found(int start, int end, int detector) implements Comparable<Found> {
        @Override
        public int compareTo(Found other) {
            return start != other.start ? Integer.compare(start, other.start) : Integer.compare(other.end, end);
        }
    }
}
