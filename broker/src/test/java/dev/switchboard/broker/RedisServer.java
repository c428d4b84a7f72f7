package dev.switchboard.broker;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real {@code redis-server} (Debian's package, which {@code test.sh} installs) on a free loopback port, with no
 * persistence, for the scale-out tests. Without the binary a test is skipped, except under {@code CI=true}, where
 * it fails: CI must run them. {@link #stop()} and {@link #restart()} let a test take Redis away mid-run. Shared by
 * the broker's test packages.
 */
public final class RedisServer implements AutoCloseable {
    private static final List<String> BINARIES = List.of("/usr/bin/redis-server", "/usr/local/bin/redis-server");
    private static final long START_TIMEOUT_MS = 10_000;

    private final Path binary;
    private final int port;
    private Process process;

    private RedisServer(Path binary, int port) {
        this.binary = binary;
        this.port = port;
    }

    /** Starts a server on a free port; skips the test (fails under CI) when redis-server is not installed. */
    public static RedisServer start() throws IOException, InterruptedException {
        Path binary = BINARIES.stream().map(Path::of).filter(Files::isExecutable).findFirst().orElse(null);
        if (binary == null) {
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException("redis-server is not installed; test.sh installs it (Debian package "
                        + "redis-server)");
            }
            Assumptions.abort("redis-server is not installed (apt-get install redis-server, or run test.sh)");
        }
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        RedisServer server = new RedisServer(binary, port);
        server.launch();
        return server;
    }

    private void launch() throws IOException, InterruptedException {
        process = new ProcessBuilder(binary.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--protected-mode", "no", "--loglevel", "warning")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
        while (!"+PONG".equals(command("PING"))) {
            if (System.nanoTime() > deadline || !process.isAlive()) {
                process.destroyForcibly();
                throw new IllegalStateException("redis-server did not answer PING on port " + port);
            }
            Thread.sleep(20);
        }
    }

    /** {@code redis://127.0.0.1:PORT}. */
    public URI uri() {
        return URI.create("redis://127.0.0.1:" + port);
    }

    /** The port. */
    public int port() {
        return port;
    }

    /** Stops the server (SIGKILL): clients see the connection drop and refused reconnects. */
    public void stop() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** Starts it again on the same port, empty. */
    public void restart() throws IOException, InterruptedException {
        launch();
    }

    /**
     * Sends one inline command and returns the first line of the reply ({@code +PONG}, {@code :3}, {@code $5}…), or
     * null when the server cannot be reached. For assertions on what the brokers wrote.
     */
    public String command(String inline) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(2_000);
            OutputStream out = socket.getOutputStream();
            out.write((inline + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            for (int c = in.read(); c != -1 && c != '\r'; c = in.read()) {
                line.append((char) c);
            }
            return line.toString();
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null) {
            stop();
        }
    }
}
