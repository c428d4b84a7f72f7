package dev.switchboard.broker.cluster;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's {@code nginx} (which {@code test.sh} installs) in front of brokers on loopback, running the shipped
 * {@code deploy/nginx/switchboard.conf}: the file is copied with only its {@code server broker-N:8080} lines and its
 * {@code listen 8080} line replaced by loopback addresses, and included from a generated main configuration that
 * keeps everything (pid, error log, temporary files) in a temporary directory. nginx runs in the foreground
 * ({@code daemon off}) as a child of the test JVM. Without the binary a test is skipped, except under
 * {@code CI=true}, where it fails. {@link #close()} stops nginx and deletes the directory.
 */
public final class NginxServer implements AutoCloseable {
    /** The shipped file, relative to the broker module (Maven runs tests there). */
    public static final Path SHIPPED = Path.of("..", "deploy", "nginx", "switchboard.conf");

    private static final List<String> BINARIES = List.of("/usr/sbin/nginx", "/usr/local/sbin/nginx",
            "/usr/local/nginx/sbin/nginx");
    private static final Pattern UPSTREAM = Pattern.compile("(?m)^(\\s*)server broker-(\\d+):8080\\b");
    private static final Pattern LISTEN = Pattern.compile("(?m)^(\\s*)listen 8080;");
    private static final long START_TIMEOUT_MS = 10_000;

    private final Process process;
    private final Path dir;
    private final int port;

    private NginxServer(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    /**
     * Starts nginx with the shipped configuration in front of brokers on {@code 127.0.0.1} at {@code brokerPorts}
     * (one port per {@code server} line of the file, in order); skips the test (fails under CI) when nginx is not
     * installed.
     */
    public static NginxServer start(List<Integer> brokerPorts) throws IOException, InterruptedException {
        Path binary = BINARIES.stream().map(Path::of).filter(Files::isExecutable).findFirst().orElse(null);
        if (binary == null) {
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException("nginx is not installed; test.sh installs it (Debian package "
                        + "nginx-light)");
            }
            Assumptions.abort("nginx is not installed (apt-get install nginx-light, or run test.sh)");
        }
        int port = freePort();
        Path dir = Files.createTempDirectory("switchboard-nginx-");
        // A master started as root runs its worker as an unprivileged user, which must be able to enter here.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectory(dir.resolve("temp"));
        String site = adapted(Files.readString(SHIPPED, StandardCharsets.UTF_8), brokerPorts, port);
        Files.writeString(dir.resolve("switchboard.conf"), site, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("nginx.conf"), mainConfig(dir), StandardCharsets.UTF_8);
        Process process = new ProcessBuilder(binary.toString(), "-p", dir.toString(), "-c",
                dir.resolve("nginx.conf").toString(), "-e", dir.resolve("error.log").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
        NginxServer server = new NginxServer(process, dir, port);
        try {
            server.awaitListening();
        } catch (RuntimeException | InterruptedException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /**
     * The shipped file with its upstream servers on loopback at {@code brokerPorts} and its listener on
     * {@code 127.0.0.1:listenPort}. Fails if the file no longer has exactly that many {@code server broker-N:8080}
     * lines and one {@code listen 8080;}: then this fixture and the file have drifted apart.
     */
    static String adapted(String shipped, List<Integer> brokerPorts, int listenPort) {
        Matcher upstream = UPSTREAM.matcher(shipped);
        StringBuilder out = new StringBuilder();
        int replaced = 0;
        while (upstream.find()) {
            int index = Integer.parseInt(upstream.group(2)) - 1;
            if (index < 0 || index >= brokerPorts.size()) {
                throw new IllegalStateException("deploy/nginx/switchboard.conf names broker-" + upstream.group(2)
                        + " but " + brokerPorts.size() + " broker ports were given");
            }
            upstream.appendReplacement(out, Matcher.quoteReplacement(upstream.group(1) + "server 127.0.0.1:"
                    + brokerPorts.get(index)));
            replaced++;
        }
        upstream.appendTail(out);
        if (replaced != brokerPorts.size()) {
            throw new IllegalStateException("deploy/nginx/switchboard.conf has " + replaced + " 'server broker-N:8080'"
                    + " lines, expected " + brokerPorts.size());
        }
        Matcher listen = LISTEN.matcher(out);
        if (listen.results().count() != 1) {
            throw new IllegalStateException("deploy/nginx/switchboard.conf must have exactly one 'listen 8080;' line");
        }
        return listen.reset().replaceAll("$1listen 127.0.0.1:" + listenPort + ";");
    }

    private static String mainConfig(Path dir) {
        String temp = dir.resolve("temp").toString();
        return "daemon off;\n"
                + "worker_processes 1;\n"
                + "pid " + dir.resolve("nginx.pid") + ";\n"
                + "error_log " + dir.resolve("error.log") + " notice;\n"
                + "events { worker_connections 512; }\n"
                + "http {\n"
                + "    access_log off;\n"
                + "    client_body_temp_path " + temp + "/body;\n"
                + "    proxy_temp_path " + temp + "/proxy;\n"
                + "    fastcgi_temp_path " + temp + "/fastcgi;\n"
                + "    uwsgi_temp_path " + temp + "/uwsgi;\n"
                + "    scgi_temp_path " + temp + "/scgi;\n"
                + "    include " + dir.resolve("switchboard.conf") + ";\n"
                + "}\n";
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    private void awaitListening() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("nginx exited with " + process.exitValue() + ": " + errorLog());
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
                return;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("nginx did not listen on port " + port + ": " + errorLog());
                }
                Thread.sleep(20);
            }
        }
    }

    /** The port nginx listens on (127.0.0.1). */
    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:PORT} + {@code path}. */
    public URI http(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** {@code ws://127.0.0.1:PORT} + {@code pathAndQuery}. */
    public URI ws(String pathAndQuery) {
        return URI.create("ws://127.0.0.1:" + port + pathAndQuery);
    }

    /** nginx's error log and standard output so far, for failure messages. */
    public String errorLog() {
        StringBuilder out = new StringBuilder();
        for (String name : List.of("error.log", "stdout.log")) {
            try {
                out.append(Files.readString(dir.resolve(name), StandardCharsets.UTF_8));
            } catch (IOException e) {
                // Not written (yet).
            }
        }
        return out.toString();
    }

    /** Stops nginx (SIGTERM: fast shutdown, then SIGKILL for whatever is left) and deletes its directory. */
    @Override
    public void close() throws InterruptedException {
        List<ProcessHandle> workers = process.descendants().toList();
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        workers.forEach(ProcessHandle::destroyForcibly);
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // A leftover temporary directory is harmless.
        }
    }
}
