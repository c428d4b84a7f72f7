package dev.switchboard.simulator;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the simulator listens and whether it requires an API key.
 *
 * <p>The simulator is loopback-only: the compact constructor rejects a host that does not resolve to a loopback
 * address, so a misconfiguration can never expose it on a network interface.
 *
 * @param host   loopback host name or literal, e.g. {@code 127.0.0.1}, {@code localhost} or {@code ::1}
 * @param port   TCP port, {@code 0} to bind an ephemeral port (read it back with {@link ProviderSimulator#port()})
 * @param apiKey when present, every {@code /v1/*} request must carry {@code Authorization: Bearer <apiKey>}
 */
public record SimulatorConfig(String host, int port, Optional<String> apiKey) {

    /** Loopback address used by {@link #loopbackEphemeral()} and by {@link SimulatorMain} by default. */
    public static final String LOOPBACK_HOST = "127.0.0.1";

    /**
     * Validates the configuration.
     *
     * @throws IllegalArgumentException if the host is blank or not loopback, the port is outside 0–65535, or the
     *                                  API key is present but blank
     */
    public SimulatorConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(apiKey, "apiKey");
        if (host.isBlank()) {
            throw new IllegalArgumentException("simulator.host must not be blank");
        }
        if (!isLoopback(host)) {
            throw new IllegalArgumentException("simulator.host must be a loopback address, got " + host);
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("simulator.port must be within 0..65535, got " + port);
        }
        if (apiKey.isPresent() && apiKey.get().isBlank()) {
            throw new IllegalArgumentException("simulator.apiKey must not be blank when present");
        }
    }

    /** Returns {@code 127.0.0.1}, an ephemeral port and no API key: the configuration tests and the broker use. */
    public static SimulatorConfig loopbackEphemeral() {
        return new SimulatorConfig(LOOPBACK_HOST, 0, Optional.empty());
    }

    /** Returns a copy of this configuration that requires {@code key} as a bearer token. */
    public SimulatorConfig withApiKey(String key) {
        return new SimulatorConfig(host, port, Optional.of(key));
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
