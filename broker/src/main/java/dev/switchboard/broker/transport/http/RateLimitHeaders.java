package dev.switchboard.broker.transport.http;

import dev.switchboard.protocol.event.RateLimitsUpdated;
import java.util.Locale;
import org.eclipse.jetty.server.Response;

/**
 * OpenAI's rate-limit headers from a {@code rate_limits.updated} event: {@code x-ratelimit-limit-requests},
 * {@code x-ratelimit-remaining-requests}, {@code x-ratelimit-reset-requests} and the same three for tokens, reset
 * written as OpenAI writes it ({@code 20ms}, {@code 1.5s}, {@code 6m0s}). Stateless.
 */
final class RateLimitHeaders {
    private RateLimitHeaders() {
    }

    /** Sets the headers on {@code response} unless it is already committed (then there is no place for them). */
    static void set(Response response, RateLimitsUpdated limits) {
        if (response.isCommitted()) {
            return;
        }
        for (RateLimitsUpdated.RateLimit limit : limits.rateLimits()) {
            String name = limit.name();
            response.getHeaders().put("x-ratelimit-limit-" + name, Long.toString(limit.limit()));
            response.getHeaders().put("x-ratelimit-remaining-" + name, Long.toString(limit.remaining()));
            response.getHeaders().put("x-ratelimit-reset-" + name, duration(limit.resetSeconds()));
        }
    }

    /** {@code 0s}, {@code 20ms}, {@code 1.5s}, {@code 6m0s}. */
    static String duration(double seconds) {
        if (seconds <= 0) {
            return "0s";
        }
        if (seconds < 1) {
            return Math.max(1, Math.round(seconds * 1000)) + "ms";
        }
        if (seconds < 60) {
            String text = String.format(Locale.ROOT, "%.3f", seconds).replaceAll("0+$", "").replaceAll("\\.$", "");
            return text + "s";
        }
        long whole = (long) Math.ceil(seconds);
        return whole / 60 + "m" + whole % 60 + "s";
    }
}
