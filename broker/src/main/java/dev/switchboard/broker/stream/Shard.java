package dev.switchboard.broker.stream;

import com.lmax.disruptor.EventTranslatorThreeArg;
import com.lmax.disruptor.RingBuffer;
import dev.switchboard.bridge.upstream.UpstreamEvent;
import dev.switchboard.protocol.codec.ClientDecoding;

/**
 * One ring and its consumer thread. The {@code tryPublish} methods are thread-safe, never block, and return
 * {@code false} when the ring is full.
 */
public final class Shard {
    private static final EventTranslatorThreeArg<Slot, RingSubscriber, ClientDecoding, Long> CLIENT =
            (slot, seq, subscriber, frame, nanos) -> {
                slot.kind = Slot.CLIENT;
                slot.subscriber = subscriber;
                slot.payload = frame;
                slot.nanos = nanos;
            };
    private static final EventTranslatorThreeArg<Slot, RingSubscriber, Object, UpstreamEvent> UPSTREAM =
            (slot, seq, subscriber, source, event) -> {
                slot.kind = Slot.UPSTREAM;
                slot.subscriber = subscriber;
                slot.tag = source;
                slot.payload = event;
            };
    private static final EventTranslatorThreeArg<Slot, RingSubscriber, RingSubscriber.Control, Object> CONTROL =
            (slot, seq, subscriber, signal, argument) -> {
                slot.kind = Slot.CONTROL;
                slot.subscriber = subscriber;
                slot.tag = signal;
                slot.payload = argument;
            };

    private final int index;
    private final RingBuffer<Slot> ring;

    Shard(int index, RingBuffer<Slot> ring) {
        this.index = index;
        this.ring = ring;
    }

    /** This shard's index, for metric tags and thread names. */
    public int index() {
        return index;
    }

    /** Publishes a client frame received at {@code receivedNanos}. */
    public boolean tryPublishClient(RingSubscriber subscriber, ClientDecoding frame, long receivedNanos) {
        return ring.tryPublishEvent(CLIENT, subscriber, frame, receivedNanos);
    }

    /** Publishes an upstream event from {@code source}. */
    public boolean tryPublishUpstream(RingSubscriber subscriber, Object source, UpstreamEvent event) {
        return ring.tryPublishEvent(UPSTREAM, subscriber, source, event);
    }

    /** Publishes a life-cycle signal. */
    public boolean tryPublishControl(RingSubscriber subscriber, RingSubscriber.Control signal, Object argument) {
        return ring.tryPublishEvent(CONTROL, subscriber, signal, argument);
    }

    /** Slots published but not yet consumed. */
    public long occupancy() {
        return ring.getBufferSize() - ring.remainingCapacity();
    }

    static void dispatch(Slot slot) {
        RingSubscriber subscriber = slot.subscriber;
        switch (slot.kind) {
            case Slot.CLIENT -> subscriber.onClientFrame((ClientDecoding) slot.payload, slot.nanos);
            case Slot.UPSTREAM -> subscriber.onUpstreamEvent(slot.tag, (UpstreamEvent) slot.payload);
            case Slot.CONTROL -> subscriber.onControl((RingSubscriber.Control) slot.tag, slot.payload);
            default -> throw new IllegalStateException("empty ring slot of kind " + slot.kind);
        }
    }
}
