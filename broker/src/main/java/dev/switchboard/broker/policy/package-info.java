/**
 * Content policy (issue 14): rules that find personal data, regular expressions or keywords in what a client sends
 * and in what a provider streams back, and redact, block or flag it before the other side sees it.
 *
 * <p>{@link dev.switchboard.broker.policy.ContentPolicy} is a compiled, immutable policy (thread-safe, shared by every
 * session of the tenants that use it). {@link dev.switchboard.broker.policy.OutputPolicer} polices one output stream
 * across delta boundaries; it holds back only the tail that could still become a match, and is confined to the
 * thread of its stream (a session's shard thread). Nothing here blocks or allocates more than the held-back tail.
 */
@NullMarked
package dev.switchboard.broker.policy;

import org.jspecify.annotations.NullMarked;
