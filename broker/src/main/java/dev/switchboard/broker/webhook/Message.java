package dev.switchboard.broker.webhook;

import java.time.Instant;

/**
 * One message to one endpoint: what the outbox keeps and every attempt sends unchanged, so that the
 * {@code webhook-id} (and the body) are the same on every retry, across restarts too.
 *
 * @param id the {@code webhook-id}, {@code msg_} and 32 hex digits
 * @param endpoint the endpoint's URL as configured (which endpoint it is for, after a restart)
 * @param type the event type, for meters and logs
 * @param created when it was enqueued (its age bounds the retries)
 * @param body the JSON payload, UTF-8
 */
record Message(String id, String endpoint, String type, Instant created, byte[] body) {
    /** A new id: 128 random bits. */
    static String newId() {
        return "msg_" + java.util.UUID.randomUUID().toString().replace("-", "");
    }
}
