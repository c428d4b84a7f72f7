package dev.switchboard.broker.session;

import dev.switchboard.broker.metrics.BrokerMetrics;
import dev.switchboard.broker.notice.Notice;
import dev.switchboard.broker.notice.Notices;
import dev.switchboard.broker.policy.ContentPolicy;
import dev.switchboard.broker.policy.Match;
import java.time.InstantSource;
import java.util.List;
import java.util.Locale;

/**
 * Where a session's content policy matches go: counted ({@code broker.policy.matches}) and published as
 * {@link Notice.PolicyMatched} (audit, webhooks), naming the rule, never the text. One per session; shard thread.
 */
final class PolicyNotices {
    private final ContentPolicy policy;
    private final ResponseHooks.SessionInfo session;
    private final Notices notices;
    private final InstantSource clock;
    private final BrokerMetrics metrics;

    PolicyNotices(ContentPolicy policy, ResponseHooks.SessionInfo session, Notices notices, InstantSource clock,
                  BrokerMetrics metrics) {
        this.policy = policy;
        this.session = session;
        this.notices = notices;
        this.clock = clock;
        this.metrics = metrics;
    }

    /** Counts and publishes {@code matches} of response {@code responseId} (empty before it has one). */
    void announce(List<Match> matches, String responseId, String direction) {
        for (Match match : matches) {
            String action = match.action().name().toLowerCase(Locale.ROOT);
            metrics.policyMatched(direction, action);
            notices.publish(new Notice.PolicyMatched(clock.instant(), session.tenantId(), session.keyId(),
                    session.sessionId(), responseId, policy.name(), policy.version(), match.rule(), action,
                    direction));
        }
    }
}
