package dev.switchboard.broker.policy;

import dev.switchboard.broker.config.Policies;

/**
 * A rule that matched. Never carries the matched text: audit records and notices name the rule, not the data.
 *
 * @param rule the rule's name
 * @param action what the match did
 */
public record Match(String rule, Policies.Action action) {
}
