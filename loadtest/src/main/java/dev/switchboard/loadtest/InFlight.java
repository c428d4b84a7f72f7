package dev.switchboard.loadtest;

import java.util.concurrent.TimeUnit;

/** Count of requests sent whose response has not finished, with a bounded wait for it to drain. Thread-safe. */
final class InFlight {
    private int count;

    synchronized void increment() {
        count++;
    }

    synchronized void decrement() {
        if (--count == 0) {
            notifyAll();
        }
    }

    synchronized int get() {
        return count;
    }

    /** Waits until nothing is in flight or {@code deadlineNanos} ({@link System#nanoTime()}) passes. */
    synchronized boolean awaitZero(long deadlineNanos) throws InterruptedException {
        while (count > 0) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }
}
