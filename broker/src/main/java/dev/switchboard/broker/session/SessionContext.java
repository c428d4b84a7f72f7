package dev.switchboard.broker.session;

import dev.switchboard.broker.metrics.BrokerMetrics;
import dev.switchboard.protocol.codec.EventCodec;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Broker-wide collaborators every session uses. Thread-safe.
 *
 * @param codec the shared event codec
 * @param metrics the broker meters
 * @param scheduler a small scheduler for retries after a full ring
 */
public record SessionContext(EventCodec codec, BrokerMetrics metrics, ScheduledExecutorService scheduler) {
}
