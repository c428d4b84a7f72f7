package dev.switchboard.broker.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The {@code webhooks} section: the issue's example, defaults, the SSRF rule at load time and every error. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class WebhookConfigTest {
    /** 32 bytes, base64. */
    private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw/Fi1XCLpKfY=";
    private static final String OLD = "whsec_" + java.util.Base64.getEncoder().encodeToString(new byte[24]);
    private static final String EXAMPLE = """
            webhooks:
              allow_private_targets: false
              outbox_dir: ./webhook-outbox
              endpoints:
                - url: https://hooks.example.com/switchboard
                  secret: ${SWITCHBOARD_WEBHOOK_SECRET}
                  events: [budget.threshold, budget.exhausted, limit.exceeded, policy.violation,
                           provider.circuit_opened, provider.circuit_closed]
                  tenants: ["*"]
            """;

    private final ConfigLoader loader = new ConfigLoader(Map.of("SWITCHBOARD_WEBHOOK_SECRET", SECRET)::get);

    private String error(String webhooks) {
        return assertThrows(ConfigException.class, () -> loader.parse("webhooks:\n" + webhooks.indent(2)))
                .getMessage();
    }

    private static String endpoint(String url, String rest) {
        return "endpoints:\n  - url: " + url + "\n    " + rest.replace("\n", "\n    ") + "\n";
    }

    @Test
    void the_issue_example_binds_and_the_secret_never_shows() throws Exception {
        Webhooks webhooks = loader.parse(EXAMPLE).webhooks();
        assertFalse(webhooks.allowPrivateTargets());
        assertEquals(Path.of("./webhook-outbox"), webhooks.outboxDir());
        Webhooks.Endpoint endpoint = webhooks.endpoints().get(0);
        assertEquals("https://hooks.example.com/switchboard", endpoint.url().toString());
        assertEquals(Webhooks.EVENTS, endpoint.events());
        assertEquals(List.of("*"), endpoint.tenants());
        assertEquals(1, endpoint.secrets().size());
        assertEquals(32, endpoint.secrets().get(0).length);
        assertFalse(webhooks.toString().contains(SECRET.substring(6, 20)), webhooks::toString);
        assertEquals(Webhooks.Retry.defaults(), webhooks.retry());
        assertEquals(Duration.ofSeconds(10), webhooks.timeout());
    }

    @Test
    void no_webhooks_section_means_no_endpoints() throws Exception {
        assertTrue(loader.parse("{}").webhooks().endpoints().isEmpty());
    }

    @Test
    void a_rotation_lists_several_secrets_either_way() throws Exception {
        Webhooks a = loader.parse("webhooks:\n" + endpoint("https://h.example.com/", "secret: [" + SECRET + ", "
                + OLD + "]\nevents: [limit.exceeded]").indent(2)).webhooks();
        Webhooks b = loader.parse("webhooks:\n" + endpoint("https://h.example.com/", "secrets: [" + SECRET + ", "
                + OLD + "]\nevents: [limit.exceeded]").indent(2)).webhooks();
        assertEquals(2, a.endpoints().get(0).secrets().size());
        assertEquals(2, b.endpoints().get(0).secrets().size());
        assertEquals(Set.of("limit.exceeded"), a.endpoints().get(0).events());
    }

    @Test
    void the_retry_schedule_and_limits_are_configurable() throws Exception {
        Webhooks w = loader.parse("webhooks:\n  retry: {initial: 10ms, max: 1s, attempts: 3, max_age: 1h}\n"
                + "  timeout: 2s\n  queue_capacity: 64\n  max_pending: 5\n").webhooks();
        assertEquals(new Webhooks.Retry(Duration.ofMillis(10), Duration.ofSeconds(1), 3, Duration.ofHours(1)),
                w.retry());
        assertEquals(Duration.ofSeconds(2), w.timeout());
        assertEquals(64, w.queueCapacity());
        assertEquals(5, w.maxPending());
    }

    @Test
    void by_default_a_receiver_on_127_0_0_1_is_refused_with_a_clear_error() {
        assertEquals("webhooks.endpoints[0].url names a loopback host 127.0.0.1: receivers on private, loopback, "
                + "link-local, unique-local or unspecified addresses are refused unless "
                + "webhooks.allow_private_targets is true",
                error(endpoint("http://127.0.0.1:8080/hook", "secret: " + SECRET + "\nevents: [limit.exceeded]")));
    }

    @ParameterizedTest
    @CsvSource({
        "http://localhost/hook, a loopback",
        "http://10.1.2.3/hook, a private",
        "http://172.16.0.1/hook, a private",
        "http://192.168.1.1/hook, a private",
        "http://100.64.0.1/hook, a private",
        "http://169.254.169.254/latest, a link-local",
        "http://0.0.0.0/hook, an unspecified",
        "'http://[::1]/hook', a loopback",
        "'http://[fe80::1]/hook', a link-local",
        "'http://[fd12:3456::1]/hook', a unique-local",
        "'http://[::ffff:127.0.0.1]/hook', a loopback",
    })
    void private_literal_targets_are_refused_unless_allowed(String url, String kind) throws Exception {
        String rest = "secret: " + SECRET + "\nevents: [limit.exceeded]";
        String message = error(endpoint(url, rest));
        assertTrue(message.startsWith("webhooks.endpoints[0].url names " + kind + " host"), message);
        Webhooks allowed = loader.parse("webhooks:\n  allow_private_targets: true\n" + endpoint(url, rest).indent(2))
                .webhooks();
        assertEquals(1, allowed.endpoints().size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://hooks.example.com/x", "https://93.184.216.34/x", "https://[2606:4700::1111]/x"})
    void public_targets_and_names_are_accepted_without_resolving_them(String url) throws Exception {
        loader.parse("webhooks:\n" + endpoint(url, "secret: " + SECRET + "\nevents: [limit.exceeded]").indent(2));
    }

    @Test
    void the_address_rule_names_every_refused_kind() throws Exception {
        assertEquals("a loopback", Webhooks.refusal(InetAddress.getByName("127.0.0.2")).orElseThrow());
        assertEquals("a private", Webhooks.refusal(InetAddress.getByName("10.0.0.1")).orElseThrow());
        assertTrue(Webhooks.refusal(InetAddress.getByName("8.8.8.8")).isEmpty());
        assertTrue(Webhooks.refusal(InetAddress.getByName("2001:4860:4860::8888")).isEmpty());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "endpoints: [{secret: S, events: [limit.exceeded]}]|webhooks.endpoints[0].url is required",
        "endpoints: [{url: 'ftp://h.example.com/', secret: S, events: [limit.exceeded]}]"
            + "|webhooks.endpoints[0].url must be an http or https URL",
        "endpoints: [{url: 'https://h.example.com/', events: [limit.exceeded]}]"
            + "|webhooks.endpoints[0].secret is required (whsec_ followed by base64)",
        "endpoints: [{url: 'https://h.example.com/', secret: S, events: [budget.spent]}]"
            + "|webhooks.endpoints[0].events names unknown event 'budget.spent'",
        "endpoints: [{url: 'https://h.example.com/', secret: S, events: []}]"
            + "|webhooks.endpoints[0].events must list at least one of",
        "endpoints: [{url: 'https://h.example.com/', secret: S, secrets: [S], events: [limit.exceeded]}]"
            + "|webhooks.endpoints[0].secret and secrets: give only one of them",
        "endpoints: [{url: 'https://h.example.com/', secret: S, events: [limit.exceeded]},"
            + " {url: 'https://h.example.com/', secret: S, events: [budget.threshold]}]"
            + "|webhooks.endpoints[1].url repeats another endpoint's URL",
        "retry: {initial: 2s, max: 1s}|webhooks.retry.max must be >= initial",
        "retry: {attempts: 0}|webhooks.retry.attempts must be between 1 and 100",
        "timeout: 10ms|webhooks.timeout must be between 100ms and 5m",
        "outbox_dir: ''|webhooks.outbox_dir must not be empty",
        "endpoints: [{url: 'https://h.example.com/', secret: S, events: [limit.exceeded], colour: red}]"
            + "|webhooks.endpoints[0].colour is not a known key",
    })
    void every_mistake_names_its_key(String yaml, String expected) {
        String message = error(yaml.replace("S", SECRET));
        assertTrue(message.startsWith(expected), message);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sk-not-a-webhook-secret", "whsec_not*base64*at*all", "whsec_c2hvcnQ="})
    void a_bad_secret_is_refused_without_repeating_it(String secret) {
        String message = error(endpoint("https://h.example.com/", "secret: '" + secret
                + "'\nevents: [limit.exceeded]"));
        assertTrue(message.startsWith("webhooks.endpoints[0].secret must"), message);
        assertFalse(message.contains(secret.substring(6)), message);
    }
}
