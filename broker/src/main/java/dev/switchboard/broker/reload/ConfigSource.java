package dev.switchboard.broker.reload;

import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.config.ConfigException;

/**
 * Where a reload reads the configuration: the file the broker was started with, read and validated again with the
 * same rules and messages as at start-up. May block (it reads a file); called on the reloading thread only.
 */
@FunctionalInterface
public interface ConfigSource {
    /** A broker started without a configuration file (dev mode) has nothing to reload: {@link Reload.Unavailable}. */
    ConfigSource NONE = () -> {
        throw new IllegalStateException("ConfigSource.NONE is never loaded");
    };

    /**
     * Reads and validates the configuration.
     *
     * @throws ConfigException with the same precise message as at start-up when it is invalid
     */
    BrokerConfig load() throws ConfigException;
}
