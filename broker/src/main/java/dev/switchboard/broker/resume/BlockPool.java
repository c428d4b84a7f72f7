package dev.switchboard.broker.resume;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Recycles the replay logs' 16 KiB blocks. A broker with many streaming sessions turns blocks over constantly
 * (each log drops its oldest as it appends); recycling them keeps that churn off the garbage collector: a
 * recycled block is never garbage, and the old generation stays the same size once warm. Bounded: beyond
 * {@code maxFree} idle blocks, released ones are left to the collector. Thread-safe and non-blocking.
 */
public final class BlockPool {
    private final ConcurrentLinkedQueue<byte[]> free = new ConcurrentLinkedQueue<>();
    private final AtomicInteger idle = new AtomicInteger();
    private final int maxFree;

    /** A pool keeping at most {@code maxFree} idle blocks. */
    public BlockPool(int maxFree) {
        this.maxFree = Math.max(1, maxFree);
    }

    /** A block of {@link ReplayLog#BLOCK_BYTES}, recycled when one is free. Its contents are undefined. */
    byte[] take() {
        byte[] block = free.poll();
        if (block == null) {
            return new byte[ReplayLog.BLOCK_BYTES];
        }
        idle.decrementAndGet();
        return block;
    }

    /** Gives a block back; it must not be used afterwards. */
    void release(byte[] block) {
        if (idle.incrementAndGet() <= maxFree) {
            free.offer(block);
        } else {
            idle.decrementAndGet();
        }
    }

    /** Idle blocks held. */
    public int idle() {
        return idle.get();
    }
}
