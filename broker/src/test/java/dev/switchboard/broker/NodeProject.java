package dev.switchboard.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A pinned Node.js project under {@code compat/} that a test runs (the OpenAI SDK check, the Standard Webhooks
 * verifier). Needs Node 18+ and npm ({@code .ci/run} installs them).
 */
public final class NodeProject {
    private static final long NPM_TIMEOUT_S = 300;

    private final Path dir;

    /** The project in {@code compat/NAME} of the repository (tests run in {@code broker/}). */
    public NodeProject(String name) {
        this.dir = Path.of("..", "compat", name);
    }

    /** A command's exit code and its output (stdout and stderr together). */
    public record Result(int exit, String output) {
    }

    /** {@code npm ci} unless node_modules was installed from this very lock file. */
    public synchronized void install() throws Exception {
        byte[] lock = Files.readAllBytes(dir.resolve("package-lock.json"));
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(lock));
        Path stamp = dir.resolve("node_modules").resolve(".lock-stamp");
        if (Files.exists(stamp) && Files.readString(stamp).equals(hash)) {
            return;
        }
        Result npm = run(List.of("npm", "ci", "--no-audit", "--no-fund"), NPM_TIMEOUT_S);
        assertEquals(0, npm.exit(), () -> "npm ci failed:\n" + npm.output());
        Files.writeString(stamp, hash);
    }

    /** Runs {@code command} in the project's directory, waiting at most {@code timeoutSeconds}. */
    public Result run(List<String> command, long timeoutSeconds) throws Exception {
        Process process;
        try {
            process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command.get(0) + ": install Node.js 18+ and npm (.ci/run does)",
                    e);
        }
        StringBuilder output = new StringBuilder();
        Thread reader = new Thread(() -> {
            try {
                output.append(new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                output.append("(output unreadable: ").append(e.getMessage()).append(')');
            }
        });
        reader.start();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            reader.join(5_000);
            throw new AssertionError(command + " did not finish within " + timeoutSeconds + " s:\n" + output);
        }
        reader.join(5_000);
        return new Result(process.exitValue(), output.toString());
    }
}
