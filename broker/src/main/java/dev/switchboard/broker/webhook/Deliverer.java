package dev.switchboard.broker.webhook;

import dev.switchboard.broker.config.Webhooks;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.jspecify.annotations.Nullable;

/**
 * Sends one attempt of a message with the webhooks' own Jetty {@link HttpClient} (own pool, no redirects followed,
 * the SSRF rule on resolved addresses) and reports its {@link Outcome} once, on a client thread. Thread-safe.
 */
final class Deliverer implements AutoCloseable {
    private final HttpClient client;
    private final Duration timeout;

    /** What one attempt came to. */
    sealed interface Outcome {
        /** A 2xx answer. */
        record Delivered(int status) implements Outcome {
        }

        /** 410 Gone: the endpoint is disabled. */
        record Gone(int status) implements Outcome {
        }

        /**
         * Worth retrying.
         *
         * @param reason {@code status}, {@code rate_limited}, {@code timeout}, {@code network} or
         *     {@code refused_address} (a meter tag)
         * @param status the HTTP status, 0 without one
         * @param retryAfter what a 429 or 503 asked for
         * @param detail for the operator log: broker words and the status, never the receiver's body
         */
        record Failed(String reason, int status, Optional<Duration> retryAfter, String detail) implements Outcome {
        }
    }

    Deliverer(Webhooks config) throws Exception {
        this.timeout = config.timeout();
        QueuedThreadPool threads = new QueuedThreadPool(16, 2);
        threads.setName("switchboard-webhook-client");
        threads.setDaemon(true);
        HttpClient http = new HttpClient();
        http.setExecutor(threads);
        http.setSocketAddressResolver(new GuardedResolver(threads, config.allowPrivateTargets()));
        // A redirect could lead anywhere, a private address included: a 3xx is a failed attempt.
        http.setFollowRedirects(false);
        http.setConnectTimeout(timeout.toMillis());
        http.setIdleTimeout(timeout.toMillis());
        http.setUserAgentField(new HttpField(HttpHeader.USER_AGENT, "Switchboard-Webhooks"));
        http.start();
        this.client = http;
    }

    /** Sends {@code message} to {@code endpoint}, signed at {@code now}; {@code onOutcome} is called once. */
    void send(Webhooks.Endpoint endpoint, Message message, Instant now, Consumer<Outcome> onOutcome) {
        long seconds = now.getEpochSecond();
        String signature = Signature.header(endpoint.secrets(), message.id(), seconds, message.body());
        client.newRequest(endpoint.url()).method(HttpMethod.POST)
                .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .headers(h -> h.put("webhook-id", message.id()).put("webhook-timestamp", Long.toString(seconds))
                        .put("webhook-signature", signature))
                .body(new BytesRequestContent("application/json", message.body()))
                .send(result -> onOutcome.accept(outcome(result, now)));
    }

    private static Outcome outcome(Result result, Instant now) {
        if (result.getResponse() != null && result.getResponse().getStatus() > 0 && !result.isFailed()) {
            int status = result.getResponse().getStatus();
            if (status >= 200 && status < 300) {
                return new Outcome.Delivered(status);
            }
            if (status == 410) {
                return new Outcome.Gone(status);
            }
            Optional<Duration> after = status == 429 || status == 503
                    ? retryAfter(result.getResponse().getHeaders().get(HttpHeader.RETRY_AFTER), now)
                    : Optional.empty();
            return new Outcome.Failed(after.isPresent() ? "rate_limited" : "status", status, after,
                    "the receiver answered " + status);
        }
        Throwable failure = result.getFailure();
        if (failure instanceof GuardedResolver.RefusedAddress refused) {
            return new Outcome.Failed("refused_address", 0, Optional.empty(), refused.getMessage());
        }
        if (failure instanceof TimeoutException) {
            return new Outcome.Failed("timeout", 0, Optional.empty(), "no answer within the timeout");
        }
        return new Outcome.Failed("network", 0, Optional.empty(), "the request failed: "
                + (failure == null ? "unknown" : failure.getClass().getSimpleName()));
    }

    /** {@code Retry-After} as delta-seconds or an HTTP date; empty when absent or unreadable. */
    static Optional<Duration> retryAfter(@Nullable String value, Instant now) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        String v = value.trim();
        if (v.matches("\\d{1,9}")) {
            return Optional.of(Duration.ofSeconds(Long.parseLong(v)));
        }
        try {
            Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            return Optional.of(at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        try {
            client.stop();
        } catch (Exception e) {
            // Best effort: undelivered messages stay in the outbox for the next start.
        }
    }
}
