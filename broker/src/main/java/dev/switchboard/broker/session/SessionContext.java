package dev.switchboard.broker.session;

import dev.switchboard.broker.metrics.BrokerMetrics;
import dev.switchboard.broker.metrics.OperatorLog;
import dev.switchboard.broker.notice.Notices;
import dev.switchboard.broker.resume.SessionStore;
import dev.switchboard.protocol.codec.EventCodec;
import java.time.InstantSource;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Broker-wide collaborators every session uses. Thread-safe.
 *
 * @param codec the shared event codec
 * @param metrics the broker meters
 * @param scheduler a small scheduler for retries after a full ring
 * @param store the resumable sessions, and their tokens and replay-log bounds
 * @param operatorLog rate-limited operator log lines (upstream failures), written off the shard thread
 * @param hooks what guardrails, metering and audit see of every session and response (shard thread)
 * @param clock the wall clock of hook records
 * @param notices where content policy matches are announced (audit, webhooks)
 * @param tracing starts the traces of responses ({@link ResponseTrace.Factory#NONE} when nothing is exported)
 * @param mirror where sessions copy their frames and state for other nodes ({@link SessionMirror#NONE}: one broker)
 */
public record SessionContext(EventCodec codec, BrokerMetrics metrics, ScheduledExecutorService scheduler,
                             SessionStore<BrokerSession> store, OperatorLog operatorLog, ResponseHooks hooks,
                             InstantSource clock, Notices notices, ResponseTrace.Factory tracing,
                             SessionMirror mirror) {
    /** A context of a single broker: nothing is mirrored. */
    public SessionContext(EventCodec codec, BrokerMetrics metrics, ScheduledExecutorService scheduler,
                          SessionStore<BrokerSession> store, OperatorLog operatorLog, ResponseHooks hooks,
                          InstantSource clock, Notices notices, ResponseTrace.Factory tracing) {
        this(codec, metrics, scheduler, store, operatorLog, hooks, clock, notices, tracing, SessionMirror.NONE);
    }

    /** A context whose responses are not traced. */
    public SessionContext(EventCodec codec, BrokerMetrics metrics, ScheduledExecutorService scheduler,
                          SessionStore<BrokerSession> store, OperatorLog operatorLog, ResponseHooks hooks,
                          InstantSource clock, Notices notices) {
        this(codec, metrics, scheduler, store, operatorLog, hooks, clock, notices, ResponseTrace.Factory.NONE);
    }

    /** A context whose policy matches go nowhere. */
    public SessionContext(EventCodec codec, BrokerMetrics metrics, ScheduledExecutorService scheduler,
                          SessionStore<BrokerSession> store, OperatorLog operatorLog, ResponseHooks hooks,
                          InstantSource clock) {
        this(codec, metrics, scheduler, store, operatorLog, hooks, clock, Notices.NONE);
    }
}
