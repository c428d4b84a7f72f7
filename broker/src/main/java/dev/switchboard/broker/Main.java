package dev.switchboard.broker;

import dev.switchboard.broker.audit.AuditVerifier;
import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.config.ConfigException;
import dev.switchboard.broker.config.ConfigLoader;
import dev.switchboard.broker.reload.Reload;
import dev.switchboard.broker.logging.LogSetup;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code java -jar switchboard.jar [--config FILE] [--port N] [--host H] [--admin-port N]}. Without
 * {@code --config}: dev mode, the embedded simulator, tenant {@code dev} with key {@code dev-key} and the admin API on
 * 127.0.0.1:8081 with token {@code dev-admin}. Exit codes: 0 after a clean stop, 2 for
 * bad arguments or configuration, 1 when the server cannot start. {@code audit verify DIR} checks an audit log's
 * hash chain ({@link AuditVerifier}: 0 intact, 1 broken, 2 bad usage).
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length > 0 && args[0].equals("simulator")) {
            dev.switchboard.simulator.SimulatorMain.main(java.util.Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && args[0].equals("audit")) {
            AuditVerifier.Result result = AuditVerifier.run(java.util.Arrays.asList(args).subList(1, args.length));
            (result.exitCode() == 0 ? System.out : System.err).print(result.output());
            System.out.flush();
            System.exit(result.exitCode());
            return;
        }
        Path configFile = null;
        String host = null;
        Integer port = null;
        Integer adminPort = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--config" -> configFile = Path.of(value(args, ++i, arg));
                case "--port" -> port = parsePort(value(args, ++i, arg));
                case "--host" -> host = value(args, ++i, arg);
                case "--admin-port" -> adminPort = parsePort(value(args, ++i, arg));
                case "-h", "--help" -> {
                    System.out.println(usage());
                    return;
                }
                default -> fail("unknown argument '" + arg + "'\n" + usage());
            }
        }
        BrokerConfig config;
        try {
            ConfigLoader loader = new ConfigLoader(System::getenv);
            config = configFile == null ? loader.loadDev() : loader.load(configFile);
        } catch (ConfigException e) {
            fail("invalid configuration: " + e.getMessage());
            return;
        }
        // Before anything logs: the format and level of every line from here on.
        LogSetup.apply(config.logging());
        try {
            config = overridden(config, host, port, adminPort);
        } catch (ConfigException e) {
            fail(e.getMessage());
            return;
        }
        Broker broker;
        try {
            broker = Broker.start(config);
        } catch (ConfigException e) {
            // Found only when the broker is built: a TLS certificate, key or CA bundle that cannot be used.
            fail("invalid configuration: " + e.getMessage());
            return;
        } catch (Exception e) {
            System.err.println("switchboard: cannot start: " + e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Duration drainTimeout = config.drain().timeout();
        // SIGTERM and SIGINT drain gracefully and exit 0; a shutdown hook alone cannot, because the JVM reports a
        // signal death (143) however cleanly the hooks finish.
        AtomicBoolean stopping = new AtomicBoolean();
        Runnable drainAndStop = () -> {
            if (!stopping.compareAndSet(false, true)) {
                return;
            }
            new Thread(() -> {
                try {
                    boolean clean = broker.drain(drainTimeout);
                    System.out.println("Switchboard drained" + (clean ? "" : " (some connections were forced)"));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    broker.close();
                    stopped.countDown();
                }
            }, "switchboard-drain").start();
        };
        if (configFile != null) {
            Path file = configFile;
            String hostOverride = host;
            Integer portOverride = port;
            Integer adminPortOverride = adminPort;
            ConfigLoader loader = new ConfigLoader(System::getenv);
            broker.configSource(() -> overridden(loader.load(file), hostOverride, portOverride, adminPortOverride));
        }
        // SIGHUP reloads the configuration file (as POST /admin/config/reload does), off the signal thread.
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> new Thread(() -> reload(broker),
                    "switchboard-reload").start());
        } catch (IllegalArgumentException e) {
            // No SIGHUP on this platform: reload through the admin API only.
        }
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> drainAndStop.run());
            } catch (IllegalArgumentException e) {
                // The platform does not know this signal; the default handling stays.
            }
        }
        System.out.println("Switchboard listening on " + broker.httpUri());
        broker.adminUri().ifPresent(uri -> System.out.println("Admin API on " + uri + " (docs/admin.md)"));
        if (configFile == null) {
            printDevHelp(broker);
        }
        System.out.flush();
        stopped.await();
        System.exit(0);
    }

    /**
     * The configuration with the command line's {@code --host}, {@code --port} and {@code --admin-port}, when given
     * (at start and on every reload, so a reload compares like with like).
     */
    private static BrokerConfig overridden(BrokerConfig config, String host, Integer port, Integer adminPort)
            throws ConfigException {
        BrokerConfig.Listen listen = config.listen();
        if (host != null || port != null) {
            // --port 0 also puts the admin listener on a free port (see BrokerConfig.withListen).
            config = config.withListen(listen.withAddress(host == null ? listen.host() : host,
                    port == null ? listen.port() : port));
        }
        if (adminPort != null) {
            if (config.admin().isEmpty()) {
                throw new ConfigException("--admin-port needs an admin section in the configuration");
            }
            dev.switchboard.broker.config.Admin admin = config.admin().orElseThrow();
            config = config.withAdmin(java.util.Optional.of(admin.withListen(admin.listen().withAddress(
                    admin.listen().host(), adminPort))), config.metrics());
        }
        return config;
    }

    private static void reload(Broker broker) {
        Reload outcome = broker.reload(false, "signal:HUP");
        if (outcome instanceof Reload.Applied applied) {
            System.out.println("Switchboard configuration reloaded: version " + applied.version()
                    + (applied.restartRequired().isEmpty() ? ""
                    : "; takes effect only after a restart: " + String.join(", ", applied.restartRequired())));
        } else if (outcome instanceof Reload.Rejected rejected) {
            System.err.println("switchboard: configuration reload rejected, the running configuration is unchanged: "
                    + rejected.message());
        }
        System.out.flush();
    }

    private static void printDevHelp(Broker broker) {
        String scheme = broker.httpUri().getScheme().equals("https") ? "wss://" : "ws://";
        String ws = scheme + broker.httpUri().getAuthority() + "/v1/realtime?model=sim-chat";
        System.out.println("Dev mode: embedded provider simulator at "
                + broker.simulator().map(s -> s.baseUri().toString()).orElse("(off)"));
        System.out.println("Tenant 'dev', API key: dev-key, models: sim-chat, sim-claude, sim-failover, sim-realtime");
        System.out.println("Try:  npx -y wscat -c '" + ws + "' -H 'Authorization: Bearer dev-key'");
        System.out.println("then: {\"type\":\"conversation.item.create\",\"item\":{\"type\":\"message\",\"role\":\"user\","
                + "\"content\":[{\"type\":\"input_text\",\"text\":\"Hello\"}]}}");
        System.out.println("and:  {\"type\":\"response.create\"}");
        broker.adminUri().ifPresent(uri -> System.out.println("Admin: curl -H 'Authorization: Bearer dev-admin' "
                + uri + "/admin/sessions"));
        System.out.println("Console: " + broker.httpUri() + "/console/ (key dev-key; operations: token dev-admin)");
    }

    private static String value(String[] args, int index, String flag) {
        if (index >= args.length) {
            fail(flag + " needs a value\n" + usage());
        }
        return args[index];
    }

    private static int parsePort(String text) {
        try {
            int port = Integer.parseInt(text);
            if (port < 0 || port > 65535) {
                fail("--port must be between 0 and 65535");
            }
            return port;
        } catch (NumberFormatException e) {
            fail("--port must be a number");
            return 0;
        }
    }

    private static String usage() {
        return "usage: java -jar switchboard.jar [--config FILE] [--port N] [--host H] [--admin-port N]\n"
                + "       java -jar switchboard.jar simulator [--port N] [--host H]\n"
                + "       java -jar switchboard.jar audit verify DIR   (exit 0 intact, 1 broken, 2 bad usage)\n"
                + "Without --config, runs in dev mode: 127.0.0.1:8080, embedded simulator, tenant 'dev' key "
                + "'dev-key',\nadmin API on 127.0.0.1:8081 with token 'dev-admin'. --port 0 puts the admin API on a "
                + "free port too.";
    }

    private static void fail(String message) {
        System.err.println("switchboard: " + message);
        System.exit(2);
    }
}
