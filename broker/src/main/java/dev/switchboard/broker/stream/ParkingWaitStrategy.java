package dev.switchboard.broker.stream;

import com.lmax.disruptor.AlertException;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.SequenceBarrier;
import com.lmax.disruptor.WaitStrategy;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * A blocking wait strategy without a lock, for a ring with one consumer ({@code rings.wait_strategy: parking}).
 *
 * <p>An idle consumer parks ({@link LockSupport#parkNanos}); a producer that publishes unparks it only when it is
 * parked. Disruptor's {@code BlockingWaitStrategy} instead takes a monitor and calls {@code notifyAll} on every
 * publish, which puts a lock on every publishing thread — since issue 12 that includes the upstream client's
 * selector. No wake-up is lost: the consumer announces itself as the waiter and then re-reads the sequence, the
 * producer publishes the sequence and then reads the waiter, each with a full fence between (Dekker), so one of them
 * always sees the other. A park is nevertheless bounded, as a guard, so no mistake here could stall a ring for long.
 * Disruptor's alert (on shutdown) signals too, and the loop checks it before every park.
 */
final class ParkingWaitStrategy implements WaitStrategy {
    /** The longest a consumer parks before looking again, whatever happens. */
    static final long MAX_PARK_NANOS = 10_000_000;

    private volatile Thread waiter;

    @Override
    public long waitFor(long sequence, Sequence cursor, Sequence dependentSequence, SequenceBarrier barrier)
            throws AlertException {
        long available;
        while ((available = dependentSequence.get()) < sequence) {
            barrier.checkAlert();
            waiter = Thread.currentThread();
            VarHandle.fullFence();
            if (dependentSequence.get() < sequence) {
                barrier.checkAlert();
                LockSupport.parkNanos(this, MAX_PARK_NANOS);
            }
            waiter = null;
        }
        return available;
    }

    @Override
    public void signalAllWhenBlocking() {
        VarHandle.fullFence();
        Thread parked = waiter;
        if (parked != null) {
            LockSupport.unpark(parked);
        }
    }
}
