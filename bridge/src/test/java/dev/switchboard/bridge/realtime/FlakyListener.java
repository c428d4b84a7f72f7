package dev.switchboard.bridge.realtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.switchboard.bridge.upstream.Upstream;
import dev.switchboard.bridge.upstream.UpstreamEvent;
import dev.switchboard.bridge.upstream.UpstreamListener;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A listener that refuses the first offer of every {@code period}-th relayed event and asks for a retry from a
 * thread of its own, the way the broker's ring buffer does when it frees a slot: the retry can race the refusal,
 * which is the point. Records the relayed JSON it accepted and any overlapping or post-End call.
 */
final class FlakyListener implements UpstreamListener, AutoCloseable {
    private final int period;
    private final ExecutorService retrier = Executors.newSingleThreadExecutor();
    private final CompletableFuture<Upstream> upstream = new CompletableFuture<>();
    private final AtomicBoolean inCall = new AtomicBoolean();
    private final AtomicInteger violations = new AtomicInteger();
    private final AtomicInteger refusals = new AtomicInteger();
    private final List<String> accepted = new ArrayList<>();
    private int refusedPosition = -1;
    private boolean ended;

    FlakyListener(int period) {
        this.period = period;
    }

    /** The upstream to call {@code retryDelivery()} on; refusals before this wait for it. */
    void retrying(Upstream relay) {
        upstream.complete(relay);
    }

    @Override
    public boolean tryDeliver(UpstreamEvent event) {
        if (!inCall.compareAndSet(false, true)) {
            violations.incrementAndGet();
        }
        try {
            return offer(event);
        } finally {
            inCall.set(false);
        }
    }

    private synchronized boolean offer(UpstreamEvent event) {
        if (ended) {
            violations.incrementAndGet();
        }
        if (event instanceof UpstreamEvent.End) {
            ended = true;
            return true;
        }
        int position = accepted.size();
        if (position % period == period - 1 && refusedPosition != position) {
            refusedPosition = position;
            refusals.incrementAndGet();
            upstream.thenAcceptAsync(Upstream::retryDelivery, retrier);
            return false;
        }
        accepted.add(((UpstreamEvent.Relayed) event).json());
        return true;
    }

    /** A snapshot of the accepted events' JSON, in order. */
    synchronized List<String> accepted() {
        return List.copyOf(accepted);
    }

    int refusals() {
        return refusals.get();
    }

    void assertNoViolations() {
        assertEquals(0, violations.get(), "overlapping calls or calls after the End");
    }

    @Override
    public void close() {
        retrier.shutdownNow();
    }
}
