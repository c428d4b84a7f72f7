package dev.switchboard.bridge.fakeprovider;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.http.HttpMethod;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** The fake provider itself, checked with a plain HTTP client before adapter tests rely on it. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ScriptedProviderTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static HttpClient client;
    private ScriptedProvider provider;

    @BeforeAll
    static void startClient() throws Exception {
        client = new HttpClient();
        client.start();
    }

    @AfterAll
    static void stopClient() throws Exception {
        client.stop();
    }

    @BeforeEach
    void startProvider() throws Exception {
        provider = ScriptedProvider.start();
    }

    @AfterEach
    void stopProvider() {
        provider.close();
    }

    private Request post(String path, String body) {
        return client.newRequest(provider.baseUri() + path).method(HttpMethod.POST)
                .headers(h -> h.put("X-Probe", "42"))
                .body(new StringRequestContent("text/plain", body))
                .timeout(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private CompletableFuture<ContentResponse> sendAsync(Request request) {
        return new CompletableResponseListener(request).send();
    }

    @Test
    void a_script_is_played_in_order_and_the_request_is_recorded() throws Exception {
        provider.enqueue(Step.status(201, "X-Scripted", "yes"), Step.write("a"), Step.delay(Duration.ofMillis(50)),
                Step.write("b"), Step.data("c"));
        long start = System.nanoTime();

        ContentResponse response = post("/v1/things", "hello").send();

        assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() >= 50);
        assertEquals(201, response.getStatus());
        assertEquals("yes", response.getHeaders().get("X-Scripted"));
        assertEquals("abdata: c\n\n", response.getContentAsString());
        Exchange exchange = provider.takeExchange(WAIT);
        assertEquals(new RecordedRequest("POST", "/v1/things", exchange.request().headers(), "hello"),
                exchange.request());
        assertEquals(Optional.of("42"), exchange.request().header("X-Probe"));
        assertEquals(Exchange.Ending.COMPLETED, exchange.awaitEnding(WAIT));
    }

    @Test
    void scripts_answer_requests_in_arrival_order_and_a_request_without_one_gets_a_500() throws Exception {
        provider.enqueue(Step.status(200), Step.write("first"));
        provider.enqueue(Step.status(200), Step.write("second"));

        assertEquals("first", post("/", "").send().getContentAsString());
        assertEquals("second", post("/", "").send().getContentAsString());
        assertEquals(500, post("/", "").send().getStatus());
        assertEquals(3, provider.requestCount());
    }

    @Test
    void an_await_step_holds_the_response_until_its_gate_completes() throws Exception {
        CompletableFuture<Void> gate = new CompletableFuture<>();
        provider.enqueue(Step.status(200), Step.commit(), Step.await(gate), Step.write("released"));

        CompletableFuture<ContentResponse> response = sendAsync(post("/", ""));
        Exchange exchange = provider.takeExchange(WAIT);
        await().during(Duration.ofMillis(200)).atMost(WAIT).until(() -> !response.isDone());
        gate.complete(null);

        assertEquals("released", response.get(WAIT.toMillis(), TimeUnit.MILLISECONDS).getContentAsString());
        assertEquals(Exchange.Ending.COMPLETED, exchange.awaitEnding(WAIT));
    }

    @Test
    void closing_the_connection_fails_the_client_request() {
        provider.enqueue(Step.status(200), Step.write("partial"), Step.closeConnection());

        CompletableFuture<ContentResponse> response = sendAsync(post("/", ""));

        assertThrows(ExecutionException.class, () -> response.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        assertEquals(Exchange.Ending.CLOSED_BY_SCRIPT, provider.takeExchange(WAIT).awaitEnding(WAIT));
    }

    @Test
    void a_client_giving_up_on_a_hanging_exchange_is_seen_as_a_disconnect() {
        provider.enqueue(Step.hang());

        CompletableFuture<ContentResponse> response = sendAsync(post("/", "").timeout(200, TimeUnit.MILLISECONDS));

        assertThrows(ExecutionException.class, () -> response.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        assertEquals(Exchange.Ending.CLIENT_DISCONNECTED, provider.takeExchange(WAIT).awaitEnding(WAIT));
    }

    @Test
    void closing_the_provider_ends_running_scripts() {
        provider.enqueue(Step.status(200), Step.commit(), Step.hang());
        CompletableFuture<ContentResponse> response = sendAsync(post("/", ""));
        Exchange exchange = provider.takeExchange(WAIT);
        assertFalse(exchange.ending().isDone());

        provider.close();

        assertEquals(Exchange.Ending.PROVIDER_STOPPED, exchange.awaitEnding(WAIT));
        assertThrows(ExecutionException.class, () -> response.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
    }
}
