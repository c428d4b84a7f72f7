package dev.switchboard.broker;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A dev-mode broker in its own JVM ({@code Main --port 0}) on the test classpath, for tests that signal it or
 * measure its memory. {@link #start} returns once it reported its port; one daemon thread drains its output
 * and keeps the last lines for failure messages. {@link #close()} kills it. Shared by the broker's test packages.
 */
public final class BrokerProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("Switchboard listening on http://127\\.0\\.0\\.1:(\\d+)");
    private static final int KEPT_LINES = 40;
    private static final long START_TIMEOUT_SECONDS = 30;

    private final Process process;
    private final int port;
    private final Deque<String> lastLines;

    private BrokerProcess(Process process, int port, Deque<String> lastLines) {
        this.process = process;
        this.port = port;
        this.lastLines = lastLines;
    }

    /** Starts {@code java [jvmOptions] -cp <test classpath> dev.switchboard.broker.Main --port 0}. */
    public static BrokerProcess start(String... jvmOptions) throws IOException, InterruptedException {
        return start(List.of(jvmOptions), List.of());
    }

    /** Starts {@code java [jvmOptions] -cp <test classpath> dev.switchboard.broker.Main [args] --port 0}. */
    public static BrokerProcess start(List<String> jvmOptions, List<String> args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.switchboard.broker.Main"));
        command.addAll(args);
        command.addAll(List.of("--port", "0"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        Deque<String> lastLines = new ArrayDeque<>();
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread reader = new Thread(() -> drain(process, lastLines, port), "broker-process-output");
        reader.setDaemon(true);
        reader.start();
        try {
            return new BrokerProcess(process, port.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS), lastLines);
        } catch (ExecutionException | TimeoutException e) {
            process.destroyForcibly();
            throw new IllegalStateException("the broker did not report its port; its output: "
                    + snapshot(lastLines), e);
        }
    }

    private static void drain(Process process, Deque<String> lastLines, CompletableFuture<Integer> port) {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                synchronized (lastLines) {
                    lastLines.addLast(line);
                    if (lastLines.size() > KEPT_LINES) {
                        lastLines.removeFirst();
                    }
                }
                Matcher m = LISTENING.matcher(line);
                if (!port.isDone() && m.find()) {
                    port.complete(Integer.parseInt(m.group(1)));
                }
            }
        } catch (IOException e) {
            // The process went away; whatever was read is kept.
        } finally {
            port.completeExceptionally(new IllegalStateException("the broker's output ended"));
        }
    }

    private static String snapshot(Deque<String> lines) {
        synchronized (lines) {
            return String.join("\n", lines);
        }
    }

    /** The port the broker listens on (127.0.0.1). */
    public int port() {
        return port;
    }

    /** The broker's process, to signal it or wait for its exit. */
    public Process process() {
        return process;
    }

    /** The broker's last {@value #KEPT_LINES} lines of output, for failure messages. */
    public String recentOutput() {
        return snapshot(lastLines);
    }

    /** The broker's resident set size in bytes ({@code VmRSS} of {@code /proc/PID/status}; Linux only). */
    public long rssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the broker's /proc status", e);
        }
        throw new IllegalStateException("no VmRSS line in /proc/" + process.pid() + "/status");
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }
}
