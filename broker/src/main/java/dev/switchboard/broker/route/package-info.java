/**
 * Model routing: which provider connectors serve a client-facing model name, in fallback order. Immutable after
 * start-up; the connectors it holds are thread-safe.
 */
@NullMarked
package dev.switchboard.broker.route;

import org.jspecify.annotations.NullMarked;
