package dev.switchboard.broker.config;

/** The configuration is invalid; the message names the key and the rule it breaks. */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    /** @param message names the key and the rule it breaks ({@code "listen.tls.key does not match ..."}) */
    public ConfigException(String message) {
        super(message);
    }
}
