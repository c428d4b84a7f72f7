/**
 * JSON encoding and decoding of protocol events with Jackson.
 *
 * <p>{@link dev.switchboard.protocol.codec.EventCodec} is immutable and thread-safe; share one instance.
 * Decoding never throws for bad input: it returns a {@link dev.switchboard.protocol.codec.ClientDecoding.Rejected}
 * carrying the {@code error} to send back.
 */
@NullMarked
package dev.switchboard.protocol.codec;

import org.jspecify.annotations.NullMarked;
