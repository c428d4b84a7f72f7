/**
 * Broker configuration: the immutable {@link dev.switchboard.broker.config.BrokerConfig} record tree, read from
 * YAML and validated once at start-up by {@link dev.switchboard.broker.config.ConfigLoader}. Defaults live in
 * {@code BrokerConfig}; nothing reads environment variables or properties after start-up.
 */
@NullMarked
package dev.switchboard.broker.config;

import org.jspecify.annotations.NullMarked;
