package dev.switchboard.bridge.upstream;

import dev.switchboard.protocol.close.CloseReason;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The one place provider error text is made safe: for the client, and for the broker's log.
 *
 * <p>Providers echo credentials in their errors, and not only the exact key they were sent: OpenAI answers a bad
 * key with "Incorrect API key provided: sk-SECRE***…-999", a masked form no exact match finds. So
 * {@link #redact} removes the configured key and anything shaped like a credential (an {@code sk-}/{@code rk-}
 * style key, a bearer token, a long opaque token), and {@link #failed} never lets a tenant see the provider's text
 * of an authentication failure at all: that failure is the operator's to fix, with the broker's credentials, and
 * its provider text goes to the broker's log only (issue 10, defect 4). Stateless and thread-safe.
 */
public final class ProviderText {
    /** The longest provider text kept, in characters. */
    public static final int MAX_CHARS = 300;
    private static final Pattern CREDENTIAL = Pattern.compile(
            "(?i)\\b(?:sk|rk|pk|sess|key|token)[-_][^\\s\"',;)]{2,}"
                    + "|(?i)bearer\\s+[^\\s\"',;)]+"
                    + "|\\b[A-Za-z0-9_\\-]{32,}\\b");

    private ProviderText() {
    }

    /**
     * {@code text} with {@code apiKey} and every credential-shaped token replaced by {@code [redacted]}, then clipped
     * to {@link #MAX_CHARS} (after redaction, so no prefix of a key survives the cut).
     */
    public static String redact(String text, Optional<String> apiKey) {
        String out = apiKey.filter(key -> !key.isEmpty()).map(key -> text.replace(key, "[redacted]")).orElse(text);
        out = CREDENTIAL.matcher(out).replaceAll("[redacted]");
        return out.length() <= MAX_CHARS ? out : out.substring(0, MAX_CHARS) + "…";
    }

    /**
     * A failure whose client-visible message is {@code brokerMessage} plus, except for
     * {@link CloseReason#UPSTREAM_AUTH}, the provider's redacted text; the provider's redacted text is always kept
     * as {@link UpstreamOutcome.Failed#providerDetail()} for the log.
     *
     * @param brokerMessage the broker's own words, e.g. {@code "provider answered HTTP 401"}
     * @param providerText the provider's error text as received, or empty
     */
    public static UpstreamOutcome.Failed failed(CloseReason reason, String brokerMessage, String providerText,
                                                Optional<String> apiKey,
                                                Optional<java.time.Duration> retryAfter) {
        String detail = providerText.isEmpty() ? "" : redact(providerText, apiKey);
        String message;
        if (reason == CloseReason.UPSTREAM_AUTH) {
            message = brokerMessage + ": the provider refused the broker's credentials; the operator must fix "
                    + "the provider key (details are in the broker's log)";
        } else {
            message = detail.isEmpty() ? brokerMessage : brokerMessage + ": " + detail;
        }
        return new UpstreamOutcome.Failed(reason, message, retryAfter,
                detail.isEmpty() ? Optional.empty() : Optional.of(detail));
    }
}
