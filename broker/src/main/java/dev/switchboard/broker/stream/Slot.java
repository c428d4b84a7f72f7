package dev.switchboard.broker.stream;

/** A ring slot. Mutable, pre-allocated, touched by one producer then the consumer; cleared after handling. */
final class Slot {
    static final int CLIENT = 1;
    static final int UPSTREAM = 2;
    static final int SIGNAL = 3;

    int kind;
    RingSubscriber<?> subscriber;
    Object payload;
    Object tag;
    long nanos;

    void clear() {
        kind = 0;
        subscriber = null;
        payload = null;
        tag = null;
        nanos = 0;
    }
}
