package dev.switchboard.broker.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.broker.Broker;
import dev.switchboard.broker.NodeProject;
import dev.switchboard.broker.config.BrokerConfig;
import dev.switchboard.broker.config.ConfigLoader;
import java.util.List;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * The unmodified OpenAI Node SDK (pinned in {@code compat/openai-node}) against a dev-mode broker: model list,
 * completions with and without streaming (through a mid-answer failover), a tool call through the Anthropic
 * adapter, and the SDK's error type for a bad key. Needs Node 18+ and npm ({@code .ci/run} installs them).
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class OpenAiSdkCompatibilityTest {
    private static final NodeProject NODE = new NodeProject("openai-node");
    private static final long CHECK_TIMEOUT_S = 120;
    /**
     * Dev mode (the simulator brings the sim-* models) plus routes for the failover checks: a first target that cuts
     * every answer after 40 tokens, then a target that restarts the answer (configured so, or refusing the prefill
     * at run time), or one with another upstream model name.
     */
    private static final String CONFIG = """
            simulator: {enabled: true}
            providers:
              fresh: {kind: openai, base_url: "simulator:/v1", continuation: restart}
              noprefill: {kind: openai, base_url: "simulator:/faults/reject_prefill=true/v1", continuation: prefill}
            models:
              sim-failover-named: {route: [simulator-cut/sim-primary, simulator/sim-backup]}
              sim-splice-restart: {route: [simulator-cut/sim-chat, fresh/sim-chat]}
              sim-splice-refused: {route: [simulator-cut/sim-chat, noprefill/sim-chat]}
            tenants:
              dev: {keys: [dev-key], models: ["*"]}
              limited: {keys: [limited-key], models: ["*"], limits: {requests_per_minute: 2}}
            """;

    @Test
    void the_unmodified_openai_sdk_lists_models_completes_streams_calls_tools_and_sees_auth_errors()
            throws Exception {
        NODE.install();
        try (Broker broker = Broker.start(new ConfigLoader(System::getenv).parse(CONFIG)
                .withListen(new BrokerConfig.Listen("127.0.0.1", 0)))) {
            NodeProject.Result check = NODE.run(List.of("node", "check.mjs", "http://127.0.0.1:" + broker.port(),
                    "dev-key",
                    "limited-key"), CHECK_TIMEOUT_S);
            assertEquals(0, check.exit(), () -> "the SDK check failed:\n" + check.output());
            assertTrue(check.output().contains("ok   an invalid key"), check::output);
            // Issue 11: no spliced answers on SSE, and the answering model is reported.
            assertTrue(check.output().contains("ok   a failover that cannot continue the text exactly is an error, "
                    + "not a spliced answer (sim-splice-restart)"), check::output);
            assertTrue(check.output().contains("ok   a failover that cannot continue the text exactly is an error, "
                    + "not a spliced answer (sim-splice-refused)"), check::output);
            assertTrue(check.output().contains("ok   chunks and completions report the model that answered"),
                    check::output);
            // Issue 13: OpenAI's rate-limit headers and 429 body, so the SDK raises its RateLimitError.
            assertTrue(check.output().contains("ok   rate-limit headers, then a RateLimitError (429) with Retry-After"),
                    check::output);
        }
    }
}
