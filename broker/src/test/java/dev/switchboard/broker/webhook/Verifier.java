package dev.switchboard.broker.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.broker.NodeProject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * An independent signature check: the official Standard Webhooks npm package ({@code standardwebhooks}, pinned
 * with a lock file in {@code compat/standardwebhooks-node}) verifies what the receiver got; none of the broker's
 * signing code is involved. Needs Node 18+ and npm ({@code .ci/run} installs them).
 */
final class Verifier {
    private static final NodeProject NODE = new NodeProject("standardwebhooks-node");
    private static final ObjectMapper JSON = new ObjectMapper();

    private Verifier() {
    }

    /** One line per delivery, checked with {@code secret}: {@code ok <id>} or {@code bad <id>: <why>}. */
    static List<String> verify(String secret, List<Receiver.Delivery> deliveries) throws Exception {
        NODE.install();
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
            NodeProject.Result result = NODE.run(List.of("node", "verify.mjs", input.toAbsolutePath().toString()), 60);
            assertEquals(0, result.exit(), () -> "verify.mjs failed:\n" + result.output());
            String out = result.output();
            return out.lines().filter(l -> l.startsWith("ok ") || l.startsWith("bad ")).toList();
        } finally {
            Files.deleteIfExists(input);
        }
    }
}
