package dev.switchboard.broker.stream;

import com.lmax.disruptor.BlockingWaitStrategy;
import com.lmax.disruptor.SleepingWaitStrategy;
import com.lmax.disruptor.WaitStrategy;
import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.ExceptionHandler;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import dev.switchboard.broker.metrics.BrokerMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import com.lmax.disruptor.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's ring shards. A session is pinned to {@code shardFor(n)} for its whole life.
 *
 * <p>The consumer waits by parking (the default {@code parking} strategy; {@code blocking} and {@code sleeping} can be
 * configured): on a 2-core machine a spinning consumer per shard would starve Jetty's I/O threads, and a publish must
 * not take a lock, since the upstream selector publishes (see docs/benchmarks.md).
 * A subscriber that throws is a bug: the exception is logged and counted, the slot is cleared, and the shard
 * keeps serving its other sessions.
 */
public final class RingShards implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RingShards.class);

    /**
     * The longest a deferred write waits while a long batch (a backlog) is handled: then the writes are flushed
     * mid-batch. A bound in time, not in events: with many streams in the backlog, a bound of 64 events gave each
     * stream one token per write (issue 12: {@code writev} was a tenth of the broker's CPU at the streaming peak).
     */
    static final long FLUSH_AFTER_NANOS = 250_000;
    /** How often, in events, a long batch reads the clock. */
    static final int CLOCK_EVERY = 16;

    private final List<Disruptor<Slot>> disruptors = new ArrayList<>();
    private final List<Shard> shards = new ArrayList<>();

    /**
     * Starts {@code count} rings of {@code size} slots, each with one consumer thread waiting with
     * {@code waitStrategy} ({@code blocking}, {@code sleeping} or {@code parking}).
     */
    public RingShards(int count, int size, String waitStrategy, BrokerMetrics metrics) {
        for (int i = 0; i < count; i++) {
            int index = i;
            Disruptor<Slot> disruptor = new Disruptor<>(Slot::new, size, runnable -> {
                Thread thread = new Thread(runnable, "switchboard-shard-" + index);
                thread.setDaemon(true);
                return thread;
            }, ProducerType.MULTI, waitStrategy(waitStrategy));
            Shard shard = new Shard(index, disruptor.getRingBuffer());
            EventHandler<Slot> handler = new EventHandler<>() {
                private int sinceFlush;
                private long clockedAt;

                @Override
                public void onStart() {
                    shard.batch().bind(Thread.currentThread());
                }

                @Override
                public void onEvent(Slot slot, long sequence, boolean endOfBatch) {
                    try {
                        Shard.dispatch(slot);
                    } finally {
                        slot.clear();
                        if (endOfBatch || heldTooLong()) {
                            sinceFlush = 0;
                            shard.batch().flushAll();
                        }
                    }
                }

                /**
                 * Whether a long batch has held its writes for {@link #FLUSH_AFTER_NANOS}: the clock is read from
                 * the {@link #CLOCK_EVERY}th event on, so short batches never read it.
                 */
                private boolean heldTooLong() {
                    if (++sinceFlush % CLOCK_EVERY != 0) {
                        return false;
                    }
                    long now = System.nanoTime();
                    if (sinceFlush == CLOCK_EVERY) {
                        clockedAt = now;
                        return false;
                    }
                    return now - clockedAt >= FLUSH_AFTER_NANOS;
                }
            };
            disruptor.handleEventsWith(handler);
            disruptor.setDefaultExceptionHandler(new LoggingExceptionHandler(index));
            disruptor.start();
            metrics.ringOccupancy(index, shard::occupancy);
            disruptors.add(disruptor);
            shards.add(shard);
        }
    }

    private static WaitStrategy waitStrategy(String kind) {
        return switch (kind) {
            case "sleeping" -> new SleepingWaitStrategy(0, 100_000L);
            case "parking" -> new ParkingWaitStrategy();
            default -> new BlockingWaitStrategy();
        };
    }

    /** The shard for the {@code n}-th session. */
    public Shard shardFor(long n) {
        return shards.get((int) Math.floorMod(n, (long) shards.size()));
    }

    /** Drains and stops every consumer (waits up to 5 s per ring). */
    @Override
    public void close() {
        for (Disruptor<Slot> disruptor : disruptors) {
            try {
                disruptor.shutdown(5, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                disruptor.halt();
            }
        }
    }

    private static final class LoggingExceptionHandler implements ExceptionHandler<Slot> {
        private final int shard;

        LoggingExceptionHandler(int shard) {
            this.shard = shard;
        }

        @Override
        public void handleEventException(Throwable ex, long sequence, Slot event) {
            LOG.error("shard {} failed to handle a slot; the shard continues", shard, ex);
        }

        @Override
        public void handleOnStartException(Throwable ex) {
            LOG.error("shard {} failed to start", shard, ex);
        }

        @Override
        public void handleOnShutdownException(Throwable ex) {
            LOG.warn("shard {} failed during shutdown", shard, ex);
        }
    }
}
