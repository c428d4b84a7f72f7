package dev.switchboard.broker.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An independent signature check: the official Standard Webhooks npm package ({@code standardwebhooks}, pinned
 * with a lock file in {@code compat/standardwebhooks-node}) verifies what the receiver got; none of the broker's
 * signing code is involved. Needs Node 18+ and npm ({@code .ci/run} installs them).
 */
final class Verifier {
    private static final Path DIR = Path.of("..", "compat", "standardwebhooks-node");
    private static final ObjectMapper JSON = new ObjectMapper();

    private Verifier() {
    }

    /** One line per delivery, checked with {@code secret}: {@code ok <id>} or {@code bad <id>: <why>}. */
    static List<String> verify(String secret, List<Receiver.Delivery> deliveries) throws Exception {
        install();
        ArrayNode all = JSON.createArrayNode();
        for (Receiver.Delivery d : deliveries) {
            ObjectNode node = all.addObject();
            node.put("secret", secret);
            node.put("id", d.id());
            node.put("timestamp", d.timestamp());
            node.put("signature", d.signature());
            node.put("body", d.body());
        }
        Path input = Files.createTempFile("webhooks", ".json");
        try {
            Files.write(input, JSON.writeValueAsBytes(all));
            String out = run(List.of("node", "verify.mjs", input.toAbsolutePath().toString()), 60);
            return out.lines().filter(l -> l.startsWith("ok ") || l.startsWith("bad ")).toList();
        } finally {
            Files.deleteIfExists(input);
        }
    }

    /** {@code npm ci} unless node_modules was installed from this very lock file. */
    private static synchronized void install() throws Exception {
        byte[] lock = Files.readAllBytes(DIR.resolve("package-lock.json"));
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(lock));
        Path stamp = DIR.resolve("node_modules").resolve(".lock-stamp");
        if (Files.exists(stamp) && Files.readString(stamp).equals(hash)) {
            return;
        }
        run(List.of("npm", "ci", "--no-audit", "--no-fund"), 300);
        Files.writeString(stamp, hash);
    }

    private static String run(List<String> command, long timeoutSeconds) throws Exception {
        Process process;
        try {
            process = new ProcessBuilder(command).directory(DIR.toFile()).redirectErrorStream(true).start();
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
        assertEquals(0, process.exitValue(), () -> command + " failed:\n" + output);
        return output.toString();
    }
}
