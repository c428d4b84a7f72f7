package dev.switchboard.broker.stream;

import com.lmax.disruptor.EventTranslatorThreeArg;
import com.lmax.disruptor.EventTranslatorTwoArg;
import com.lmax.disruptor.RingBuffer;
import dev.switchboard.bridge.upstream.UpstreamEvent;
import dev.switchboard.protocol.codec.ClientDecoding;

/**
 * One ring and its consumer thread. The {@code tryPublish} methods are thread-safe, never block, and return
 * {@code false} when the ring is full.
 */
public final class Shard {
    private static final EventTranslatorThreeArg<Slot, RingSubscriber<?>, ClientDecoding, Long> CLIENT =
            (slot, seq, subscriber, frame, nanos) -> {
                slot.kind = Slot.CLIENT;
                slot.subscriber = subscriber;
                slot.payload = frame;
                slot.nanos = nanos;
            };
    private static final EventTranslatorThreeArg<Slot, RingSubscriber<?>, UpstreamSource, UpstreamEvent> UPSTREAM =
            (slot, seq, subscriber, source, event) -> {
                slot.kind = Slot.UPSTREAM;
                slot.subscriber = subscriber;
                slot.tag = source;
                slot.payload = event;
            };
    private static final EventTranslatorTwoArg<Slot, RingSubscriber<?>, Object> SIGNAL =
            (slot, seq, subscriber, signal) -> {
                slot.kind = Slot.SIGNAL;
                slot.subscriber = subscriber;
                slot.payload = signal;
            };

    private final int index;
    private final RingBuffer<Slot> ring;
    private final BatchFlush batch = new BatchFlush();

    Shard(int index, RingBuffer<Slot> ring) {
        this.index = index;
        this.ring = ring;
    }

    /** Writes deferred to the end of the current ring batch (consumer thread only). */
    public BatchFlush batch() {
        return batch;
    }

    /** This shard's index, for metric tags and thread names. */
    public int index() {
        return index;
    }

    /** Publishes a client frame received at {@code receivedNanos}. */
    public boolean tryPublishClient(RingSubscriber<?> subscriber, ClientDecoding frame, long receivedNanos) {
        return ring.tryPublishEvent(CLIENT, subscriber, frame, receivedNanos);
    }

    /** Publishes an upstream event from {@code source}. */
    public boolean tryPublishUpstream(RingSubscriber<?> subscriber, UpstreamSource source, UpstreamEvent event) {
        return ring.tryPublishEvent(UPSTREAM, subscriber, source, event);
    }

    /**
     * Publishes one of {@code subscriber}'s signals. A full ring is an expected outcome: see {@link RingRetry} for
     * the one retry policy.
     */
    public <S> boolean tryPublishSignal(RingSubscriber<S> subscriber, S signal) {
        return ring.tryPublishEvent(SIGNAL, subscriber, signal);
    }

    /** Slots published but not yet consumed. */
    public long occupancy() {
        return ring.getBufferSize() - ring.remainingCapacity();
    }

    @SuppressWarnings("unchecked")
    static void dispatch(Slot slot) {
        // The signal's type matches its subscriber: tryPublishSignal only pairs a RingSubscriber<S> with an S.
        RingSubscriber<Object> subscriber = (RingSubscriber<Object>) slot.subscriber;
        switch (slot.kind) {
            case Slot.CLIENT -> subscriber.onClientFrame((ClientDecoding) slot.payload, slot.nanos);
            case Slot.UPSTREAM -> subscriber.onUpstreamEvent((UpstreamSource) slot.tag, (UpstreamEvent) slot.payload);
            case Slot.SIGNAL -> subscriber.onSignal(slot.payload);
            default -> throw new IllegalStateException("empty ring slot of kind " + slot.kind);
        }
    }
}
