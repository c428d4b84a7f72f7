package dev.switchboard.broker.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.broker.Broker;
import dev.switchboard.broker.NodeProject;
import dev.switchboard.broker.config.ConfigLoader;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The unmodified OpenAI Node SDK (pinned in {@code compat/openai-node}) against a TLS broker, through an
 * {@code https.Agent} that trusts only the CA the test made: models, a completion, a stream, and Node's default
 * trust refused. Needs Node 18+ and npm ({@code .ci/run} installs them).
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class OpenAiSdkOverTlsTest {
    private static final NodeProject NODE = new NodeProject("openai-node");
    private static final long CHECK_TIMEOUT_S = 120;
    @TempDir
    Path dir;

    @Test
    void the_openai_sdk_trusting_only_the_test_ca_lists_models_completes_and_streams_over_https() throws Exception {
        TestPki.create(dir);
        NODE.install();
        try (Broker broker = Broker.start(new ConfigLoader(System::getenv).parse(TlsListenerTest.config(
                "{cert: " + dir.resolve("server.pem") + ", key: " + dir.resolve("server-key.pem") + "}", "")))) {
            NodeProject.Result check = NODE.run(List.of("node", "check-tls.mjs", "https://localhost:" + broker.port(),
                    "dev-key", dir.resolve("ca.pem").toString()), CHECK_TIMEOUT_S);
            assertEquals(0, check.exit(), () -> "the SDK check failed:\n" + check.output());
            assertTrue(check.output().contains("ok   chat.completions streaming over https"), check::output);
            assertTrue(check.output().contains("ok   a client with Node's default CAs is refused"), check::output);
        }
    }
}
