package dev.switchboard.simulator;

import java.io.PrintStream;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * Runs a {@link ProviderSimulator} as a standalone process.
 *
 * <pre>
 * java -cp broker/target/switchboard.jar dev.switchboard.simulator.SimulatorMain [--host H] [--port N] [--api-key K]
 * </pre>
 *
 * <p>Defaults: host {@code 127.0.0.1}, port {@code 9090}, no API key. Prints
 * {@code Switchboard simulator listening on http://HOST:PORT/v1} once ready and stops cleanly on SIGTERM or
 * Ctrl-C. Exits with status 2 on bad arguments and 1 if the server cannot start.
 */
public final class SimulatorMain {

    static final int DEFAULT_PORT = 9090;

    private SimulatorMain() {
    }

    /** Entry point; see the class documentation for the arguments. */
    public static void main(String[] args) {
        SimulatorConfig config;
        try {
            config = parse(args);
        } catch (IllegalArgumentException e) {
            usage(System.err, e.getMessage());
            System.exit(2);
            return;
        }
        ProviderSimulator simulator;
        try {
            simulator = ProviderSimulator.start(config);
        } catch (Exception e) {
            System.err.println("Switchboard simulator failed to start: " + e);
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            simulator.close();
            stopped.countDown();
        }, "sim-shutdown"));
        System.out.println("Switchboard simulator listening on " + simulator.baseUri());
        System.out.flush();
        awaitQuietly(stopped);
    }

    /** Parses the command line; throws {@link IllegalArgumentException} naming the offending argument. */
    static SimulatorConfig parse(String[] args) {
        String host = SimulatorConfig.LOOPBACK_HOST;
        int port = DEFAULT_PORT;
        Optional<String> apiKey = Optional.empty();
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if ("--help".equals(flag) || "-h".equals(flag)) {
                throw new IllegalArgumentException("");
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(flag + " needs a value");
            }
            String value = args[++i];
            switch (flag) {
                case "--host" -> host = value;
                case "--port" -> port = parsePort(value);
                case "--api-key" -> apiKey = Optional.of(value);
                default -> throw new IllegalArgumentException("unknown argument " + flag);
            }
        }
        return new SimulatorConfig(host, port, apiKey);
    }

    private static int parsePort(String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--port must be an integer, got " + value);
        }
    }

    private static void usage(PrintStream out, String problem) {
        if (!problem.isEmpty()) {
            out.println("Error: " + problem);
        }
        out.println("Usage: SimulatorMain [--host 127.0.0.1] [--port 9090] [--api-key KEY]");
    }

    private static void awaitQuietly(CountDownLatch stopped) {
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
