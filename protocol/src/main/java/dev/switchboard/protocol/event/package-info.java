/**
 * The client and server event vocabulary: OpenAI Realtime GA events as immutable records.
 *
 * <p>{@link dev.switchboard.protocol.event.ClientEvent} and {@link dev.switchboard.protocol.event.ServerEvent}
 * are sealed; every subtype is a record listed in the interface's {@code @JsonSubTypes} with its explicit wire
 * name, except the two {@code Unknown*} records that carry event types we do not model as raw JSON so they can
 * be relayed untouched. Records are deeply immutable and null-free: compact constructors validate, copy
 * collections and default absent optional fields. All types are safe to share between threads.
 *
 * <p>The per-event {@code event_id} and the Switchboard {@code seq} extension are not record components:
 * {@link dev.switchboard.protocol.codec.EventCodec} adds them when an event is written to a connection.
 */
@NullMarked
package dev.switchboard.protocol.event;

import org.jspecify.annotations.NullMarked;
