/**
 * Tenants, the isolation and quota unit: who a key belongs to and which models it may use. Immutable after
 * start-up and safe to share between threads.
 */
@NullMarked
package dev.switchboard.broker.tenant;

import org.jspecify.annotations.NullMarked;
