package dev.switchboard.bridge.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import java.util.stream.Collectors;

/**
 * An {@link UpstreamListener} that records what it is offered and checks the {@link Upstream} contract as it
 * goes: calls never overlap, nothing follows the {@link UpstreamEvent.End}, deltas are never empty and their
 * receive times never go backwards. Whether anything is offered while a refused event waits for
 * {@link Upstream#retryDelivery()} is for the test to check with {@link #offers()}.
 *
 * <p>It can refuse an event (backpressure) and run an action on the delivering thread after accepting one.
 * Thread-safe: the upstream calls it from Jetty threads while the test thread reads it.
 */
public final class RecordingListener implements UpstreamListener {
    private final List<UpstreamEvent> accepted = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();
    private final CompletableFuture<UpstreamEvent.End> end = new CompletableFuture<>();
    private final AtomicBoolean inCall = new AtomicBoolean();
    private final AtomicInteger offers = new AtomicInteger();
    private volatile int refuseAt = Integer.MAX_VALUE;
    private volatile boolean refusing;
    private long lastReceivedNanos = Long.MIN_VALUE;
    private volatile IntConsumer afterAccept = position -> { };

    /**
     * Refuses the {@code position}-th event (1-based, counting accepted events) and every re-offer of it until
     * {@link #stopRefusing()}. Refused offers are counted by {@link #offers()}.
     */
    public RecordingListener refuseAt(int position) {
        refuseAt = position;
        refusing = true;
        return this;
    }

    /** Accepts every event from now on; the test must still call {@link Upstream#retryDelivery()}. */
    public void stopRefusing() {
        refusing = false;
    }

    /** Runs {@code task} on the delivering thread right after accepting the {@code position}-th event. */
    public RecordingListener afterAccepting(int position, Runnable task) {
        return afterEachAccepted(accepted -> {
            if (accepted == position) {
                task.run();
            }
        });
    }

    /** Runs {@code action} on the delivering thread after each accepted event, with its 1-based position. */
    public RecordingListener afterEachAccepted(IntConsumer action) {
        afterAccept = action;
        return this;
    }

    @Override
    public boolean tryDeliver(UpstreamEvent event) {
        if (!inCall.compareAndSet(false, true)) {
            violation("tryDeliver called concurrently with " + event);
        }
        try {
            return offer(event);
        } finally {
            inCall.set(false);
        }
    }

    private boolean offer(UpstreamEvent event) {
        offers.incrementAndGet();
        int position;
        synchronized (this) {
            if (end.isDone()) {
                violation("offered after the End: " + event);
            }
            position = accepted.size() + 1;
            if (refusing && position == refuseAt) {
                return false;
            }
            accepted.add(event);
            if (event instanceof UpstreamEvent.TextDelta delta) {
                if (delta.receivedNanos() < lastReceivedNanos) {
                    violation("receivedNanos went backwards at " + event);
                }
                lastReceivedNanos = delta.receivedNanos();
            }
        }
        if (event instanceof UpstreamEvent.End terminal) {
            end.complete(terminal);
        }
        if (event instanceof UpstreamEvent.TextDelta delta && delta.text().isEmpty()) {
            violation("empty text delta");
        }
        afterAccept.accept(position);
        return true;
    }

    private synchronized void violation(String what) {
        violations.add(what);
    }

    /** How many times an event was offered, refused offers included. */
    public int offers() {
        return offers.get();
    }

    /** A snapshot of the accepted events, in order. */
    public synchronized List<UpstreamEvent> events() {
        return List.copyOf(accepted);
    }

    /** How many events were accepted so far. */
    public synchronized int size() {
        return accepted.size();
    }

    /** The texts of the accepted deltas, in order. */
    public List<String> deltaTexts() {
        return events().stream()
                .filter(UpstreamEvent.TextDelta.class::isInstance)
                .map(e -> ((UpstreamEvent.TextDelta) e).text())
                .collect(Collectors.toList());
    }

    /**
     * The accepted events as short strings, for exact comparisons that ignore receive times:
     * {@code "delta <text>"} and {@code "end <outcome>"}.
     */
    public List<String> transcript() {
        return events().stream().map(RecordingListener::describe).collect(Collectors.toList());
    }

    /** How {@link #transcript()} shows one event. */
    public static String describe(UpstreamEvent event) {
        if (event instanceof UpstreamEvent.TextDelta delta) {
            return "delta " + delta.text();
        }
        return "end " + ((UpstreamEvent.End) event).outcome();
    }

    /** How {@link #transcript()} shows the End with {@code outcome}. */
    public static String end(UpstreamOutcome outcome) {
        return describe(new UpstreamEvent.End(outcome));
    }

    /** The concatenated text of the accepted deltas. */
    public String text() {
        return String.join("", deltaTexts());
    }

    /**
     * Waits at most {@code timeout} for the End, then checks the contract: no violations, exactly one End,
     * and it is the last event.
     *
     * @return the outcome
     */
    public UpstreamOutcome awaitEnd(Duration timeout) {
        UpstreamEvent.End terminal;
        try {
            terminal = end.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return fail("no End within " + timeout + "; events so far: " + events());
        } catch (ExecutionException | InterruptedException e) {
            return fail(e);
        }
        assertContractHeld();
        return terminal.outcome();
    }

    /** Like {@link #awaitEnd} but also requires a {@link UpstreamOutcome.Failed} outcome. */
    public UpstreamOutcome.Failed awaitFailure(Duration timeout) {
        return assertInstanceOf(UpstreamOutcome.Failed.class, awaitEnd(timeout), () -> "events: " + events());
    }

    /** Like {@link #awaitEnd} but also requires a {@link UpstreamOutcome.Completed} outcome. */
    public UpstreamOutcome.Completed awaitCompletion(Duration timeout) {
        return assertInstanceOf(UpstreamOutcome.Completed.class, awaitEnd(timeout), () -> "events: " + events());
    }

    /** Checks the contract on what was recorded so far. */
    public synchronized void assertContractHeld() {
        assertTrue(violations.isEmpty(), () -> "listener contract violated: " + violations);
        long ends = accepted.stream().filter(UpstreamEvent.End.class::isInstance).count();
        assertTrue(ends <= 1, () -> "more than one End: " + accepted);
        if (ends == 1) {
            assertInstanceOf(UpstreamEvent.End.class, accepted.get(accepted.size() - 1),
                    () -> "the End is not last: " + accepted);
        }
    }

    /** Asserts that the End has not been delivered. */
    public void assertNotEnded() {
        assertEquals(false, end.isDone(), () -> "unexpected End: " + events());
    }
}
