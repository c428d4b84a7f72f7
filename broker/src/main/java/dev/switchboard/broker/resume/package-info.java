/**
 * What lets a session outlive its connection: signed {@link dev.switchboard.broker.resume.ResumeTokens}, the
 * per-session {@link dev.switchboard.broker.resume.ReplayLog}, and the {@link dev.switchboard.broker.resume.SessionStore}
 * that finds a session by token and ends it when it has had no connection for {@code sessions.resume_ttl}.
 *
 * <p>Threading: tokens and the store are thread-safe. A replay log belongs to one session and is confined to its
 * shard thread. The store's expiry callback ({@link dev.switchboard.broker.resume.Resumable#onExpired()}) runs on
 * the broker scheduler and must only hand the work to the session's shard.
 */
@NullMarked
package dev.switchboard.broker.resume;

import org.jspecify.annotations.NullMarked;
