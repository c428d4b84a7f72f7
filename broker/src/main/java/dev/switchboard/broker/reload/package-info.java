/**
 * Live reload of the configuration file ({@code POST /admin/config/reload}, {@code SIGHUP}): where the new
 * configuration comes from ({@link dev.switchboard.broker.reload.ConfigSource}) and what a reload answers
 * ({@link dev.switchboard.broker.reload.Reload}). The broker applies it (see {@code Broker#reload}). Reloads run on
 * the caller's thread (an admin request, the signal handler's), one at a time; never on a shard thread or selector.
 */
@NullMarked
package dev.switchboard.broker.reload;

import org.jspecify.annotations.NullMarked;
