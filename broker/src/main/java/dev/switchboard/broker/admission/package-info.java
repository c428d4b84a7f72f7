/**
 * Admission: who a connection or request is, and whether it may proceed — one path for every transport
 * ({@link dev.switchboard.broker.admission.Gatekeeper}) and one catalogue of refusals, each mapped once to HTTP
 * status, error body, WebSocket error event and close code ({@link dev.switchboard.broker.admission.Refusal}).
 *
 * <p>Threading: called on Jetty threads with a request's headers; never blocks, never reads a body.
 */
@NullMarked
package dev.switchboard.broker.admission;

import org.jspecify.annotations.NullMarked;
