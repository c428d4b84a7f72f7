package dev.switchboard.benchmarks;

import dev.switchboard.bridge.upstream.UpstreamEvent;
import dev.switchboard.broker.metrics.BrokerMetrics;
import dev.switchboard.broker.stream.RingShards;
import dev.switchboard.broker.stream.RingSubscriber;
import dev.switchboard.broker.stream.Shard;
import dev.switchboard.broker.stream.UpstreamSource;
import dev.switchboard.protocol.codec.ClientDecoding;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of handing an upstream delta through one broker ring shard ({@link RingShards}, blocking wait
 * strategy, one consumer thread) to a session's {@link RingSubscriber}.
 *
 * <ul>
 *   <li>{@code publishOneProducer}, {@code publishTwoProducers} (throughput): each operation is one
 *       {@code UpstreamEvent.TextDelta} accepted by {@link Shard#tryPublishUpstream}; when the ring is full the
 *       benchmark thread spins and retries, and the secondary {@code refusals} result counts those failed tries.
 *       Sustained, the score is bounded by the consumer, so it reads as "deltas per second one shard
 *       delivers".</li>
 *   <li>{@code roundTrip} (sample time): publish one delta into an idle shard and spin until the consumer has
 *       dispatched it. With the blocking wait strategy this includes waking the parked consumer thread, which is
 *       what a lone token pays on a quiet broker.</li>
 * </ul>
 *
 * <p>Every benchmark gets a fresh shard (16,384 slots, the broker default) in {@code @Setup} and closes it in
 * {@code @TearDown}. The subscriber only counts, so the numbers are the ring's cost, not a session's. On a
 * 2-core machine the two-producer case runs three busy threads on two cores; expect wide errors. Run with:
 *
 * <pre>{@code
 * mvn -q -DskipTests package && java -jar benchmarks/target/benchmarks.jar RingHandoffBenchmark
 * }</pre>
 */
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class RingHandoffBenchmark {
    /** Slots in the ring: the broker's default {@code rings.size}. */
    static final int RING_SIZE = 16_384;

    /** One started shard with a counting subscriber, shared by all benchmark threads. */
    @State(Scope.Benchmark)
    public static class Ring {
        RingShards shards;
        Shard shard;
        CountingSubscriber subscriber;
        UpstreamSource source;
        UpstreamEvent delta;

        /** Starts one shard and builds the event that every operation publishes. */
        @Setup(Level.Trial)
        public void start() {
            shards = new RingShards(1, RING_SIZE, "blocking", new BrokerMetrics());
            shard = shards.shardFor(0);
            subscriber = new CountingSubscriber();
            source = new UpstreamSource() { };
            delta = new UpstreamEvent.TextDelta("the", System.nanoTime());
        }

        /** Drains and stops the consumer thread. */
        @TearDown(Level.Trial)
        public void stop() {
            shards.close();
        }
    }

    /** Failed {@code tryPublish} attempts of one producer thread, reported next to the score. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Refusals {
        /** Refused publishes in the current iteration; JMH reads it as a rate. */
        public long refusals;

        /** JMH reads the counter per iteration, so it must start each iteration at zero. */
        @Setup(Level.Iteration)
        public void reset() {
            refusals = 0;
        }
    }

    /** One producer thread publishing as fast as the shard accepts. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Threads(1)
    public boolean publishOneProducer(Ring ring, Refusals refusals) {
        return publish(ring, refusals);
    }

    /** Two producer threads publishing into the same shard (the multi-producer sequencer's contended case). */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Threads(2)
    public boolean publishTwoProducers(Ring ring, Refusals refusals) {
        return publish(ring, refusals);
    }

    private static boolean publish(Ring ring, Refusals refusals) {
        while (!ring.shard.tryPublishUpstream(ring.subscriber, ring.source, ring.delta)) {
            // A full ring is the expected backpressure outcome: count it and retry, as the consumer drains.
            refusals.refusals++;
            Thread.onSpinWait();
        }
        return true;
    }

    /** One delta from publish to dispatch on the consumer thread. Single producer, so the shard starts idle. */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Threads(1)
    public long roundTrip(Ring ring) {
        long before = ring.subscriber.seen();
        while (!ring.shard.tryPublishUpstream(ring.subscriber, ring.source, ring.delta)) {
            Thread.onSpinWait();
        }
        long seen;
        while ((seen = ring.subscriber.seen()) == before) {
            Thread.onSpinWait();
        }
        return seen;
    }

    /**
     * Counts upstream events. Called only on the shard's consumer thread (the single writer); benchmark threads
     * read the count.
     */
    static final class CountingSubscriber implements RingSubscriber<Object> {
        private final AtomicLong seen = new AtomicLong();

        long seen() {
            return seen.get();
        }

        @Override
        public void onUpstreamEvent(UpstreamSource source, UpstreamEvent event) {
            // Single writer: a release store is enough for readers and avoids a full fence per event.
            seen.lazySet(seen.get() + 1);
        }

        @Override
        public void onClientFrame(ClientDecoding frame, long receivedNanos) {
            throw new IllegalStateException("the benchmark publishes upstream events only");
        }

        @Override
        public void onSignal(Object signal) {
            throw new IllegalStateException("the benchmark publishes upstream events only");
        }
    }
}
