package dev.switchboard.loadtest;

/**
 * Intended send times of open-workload requests that found their session busy or still connecting, oldest
 * first. Starts small and grows to {@value #MAX} entries, so that 10,000 mostly idle sessions stay light. Not
 * thread-safe: the owning {@link VirtualClient} guards it with its monitor.
 */
final class SlotQueue {
    static final int MAX = 1 << 16;
    private long[] slots = new long[4];
    private int head;
    private int size;

    /** Appends, or returns false when the queue is full. */
    boolean offer(long intendedNanos) {
        if (size == slots.length) {
            if (size == MAX) {
                return false;
            }
            long[] bigger = new long[size * 2];
            for (int k = 0; k < size; k++) {
                bigger[k] = slots[(head + k) % slots.length];
            }
            slots = bigger;
            head = 0;
        }
        slots[(head + size) % slots.length] = intendedNanos;
        size++;
        return true;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Removes and returns the oldest entry; the queue must not be empty. */
    long poll() {
        long value = slots[head];
        head = (head + 1) % slots.length;
        size--;
        return value;
    }

    /** Empties the queue and returns how many entries it held. */
    int clear() {
        int dropped = size;
        head = 0;
        size = 0;
        return dropped;
    }
}
