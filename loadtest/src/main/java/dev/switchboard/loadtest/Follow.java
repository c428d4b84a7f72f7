package dev.switchboard.loadtest;

/**
 * What a {@link VirtualClient} does after a callback, once it has released its monitor: the decision is taken
 * under the monitor, the I/O or scheduling happens outside it.
 */
enum Follow {
    /** Nothing more. */
    NOTHING,
    /** Send {@code response.cancel}. */
    CANCEL,
    /** Send the request that was just begun (an open-workload slot that was waiting). */
    SEND,
    /** Schedule the next request at {@link ResponseLoop#followIntended()}. */
    SCHEDULE,
    /** Abort the connection just dropped and schedule the reconnect (resume scenario). */
    DROP,
    /** Send the slow session's one request (slow-consumer scenario). */
    SLOW_REQUEST,
    /** Schedule the end of the slow session's pause. */
    SLOW_PAUSE
}
