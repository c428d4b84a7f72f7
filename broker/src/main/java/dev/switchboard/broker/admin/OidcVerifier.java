package dev.switchboard.broker.admin;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.switchboard.broker.config.Admin;
import java.io.Closeable;
import java.io.IOException;
import java.text.ParseException;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import org.jspecify.annotations.Nullable;

/**
 * Checks JWTs of the configured OpenID Connect provider (nimbus-jose-jwt): the signature (RS256 or ES256, with a
 * key of the provider's JWK set chosen by {@code kid}), the issuer (exactly), the audience (must contain the
 * configured one), the expiry and not-before (with {@value #CLOCK_SKEW_SECONDS} s of clock skew allowed) and that
 * {@code sub} is present. Roles come from the configured claim.
 *
 * <h2>Keys</h2>
 * From {@code jwks_file}, read once at start. From {@code jwks_url}, fetched on first use and cached for
 * {@value #CACHE_MINUTES} minutes; shortly before the cache expires it is refreshed in the background on this
 * verifier's own daemon threads, so requests rarely wait for the provider. A token whose {@code kid} is unknown
 * triggers a refetch (key rotation), at most once per {@value #RATE_LIMIT_SECONDS} s however many such tokens
 * arrive. While the provider cannot be reached, the last keys fetched go on being used for up to
 * {@value #OUTAGE_TOLERANCE_HOURS} hour. A fetch is bounded ({@value #HTTP_TIMEOUT_MS} ms to connect and to read,
 * {@value #MAX_JWKS_BYTES} bytes).
 *
 * <p>Threading: {@link #verify} is called on admin API threads, which may block on a fetch; never on a shard or
 * selector thread. Thread-safe.
 */
final class OidcVerifier implements AutoCloseable {
    static final int CLOCK_SKEW_SECONDS = 60;
    static final long CACHE_MINUTES = 5;
    static final long RATE_LIMIT_SECONDS = 30;
    static final long OUTAGE_TOLERANCE_HOURS = 1;
    static final int HTTP_TIMEOUT_MS = 2_000;
    static final int MAX_JWKS_BYTES = 512 * 1024;
    private static final int MAX_REASON_CHARS = 160;

    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    private final String rolesClaim;
    private final JWKSource<SecurityContext> keys;

    private OidcVerifier(Admin.Oidc oidc, JWKSource<SecurityContext> keys) {
        this.rolesClaim = oidc.rolesClaim();
        this.keys = keys;
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256),
                keys));
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(Set.of(oidc.audience()),
                new JWTClaimsSet.Builder().issuer(oidc.issuer()).build(), Set.of("iss", "aud", "exp", "sub"), Set.of());
        claims.setMaxClockSkew(CLOCK_SKEW_SECONDS);
        processor.setJWTClaimsSetVerifier(claims);
    }

    /** A verifier for {@code oidc}; reads {@code jwks_file} now. */
    static OidcVerifier create(Admin.Oidc oidc) throws IOException {
        if (oidc.jwksFile().isPresent()) {
            try {
                return new OidcVerifier(oidc, new ImmutableJWKSet<>(JWKSet.load(oidc.jwksFile().get().toFile())));
            } catch (ParseException | IOException e) {
                throw new IOException("admin.oidc.jwks_file: cannot read a JWK set from " + oidc.jwksFile().get()
                        + ": " + e.getMessage(), e);
            }
        }
        ExecutorService refresher = Executors.newSingleThreadExecutor(daemon("switchboard-admin-jwks"));
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
                daemon("switchboard-admin-jwks-timer"));
        JWKSource<SecurityContext> source = JWKSourceBuilder.<SecurityContext>create(oidc.jwksUrl().orElseThrow()
                        .toURL(), new DefaultResourceRetriever(HTTP_TIMEOUT_MS, HTTP_TIMEOUT_MS, MAX_JWKS_BYTES))
                .cache(CACHE_MINUTES * 60_000, JWKSourceBuilder.DEFAULT_CACHE_REFRESH_TIMEOUT)
                .refreshAheadCache(JWKSourceBuilder.DEFAULT_REFRESH_AHEAD_TIME, null, refresher, true, timer, true)
                .rateLimited(RATE_LIMIT_SECONDS * 1_000)
                .outageTolerant(OUTAGE_TOLERANCE_HOURS * 3_600_000)
                .build();
        return new OidcVerifier(oidc, source);
    }

    private static ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    /** Checks {@code jwt}; the caller is named {@code oidc:SUB}. */
    Authentication verify(String jwt) {
        JWTClaimsSet claims;
        try {
            claims = processor.process(jwt, null);
        } catch (ParseException e) {
            return new Authentication.Refused("invalid_token", "the bearer token is not a JWT");
        } catch (BadJOSEException e) {
            return new Authentication.Refused("invalid_token", "the JWT was refused: " + reason(e));
        } catch (KeySourceException e) {
            return new Authentication.Unavailable("the identity provider's signing keys cannot be fetched now; "
                    + "retry shortly");
        } catch (JOSEException e) {
            return new Authentication.Refused("invalid_token", "the JWT could not be verified: " + reason(e));
        }
        return new Authentication.Authenticated(caller("oidc:" + claims.getSubject(), claims.getClaim(rolesClaim)));
    }

    /**
     * The caller with the roles of {@code claim}: an array of strings, or one string of roles separated by spaces or
     * commas. Values other than {@code admin}, {@code viewer} and {@code tenant_admin:TENANT} are ignored; a missing
     * claim gives no role.
     */
    static Caller caller(String identity, @Nullable Object claim) {
        List<String> values;
        if (claim instanceof String text) {
            values = List.of(text.trim().split("[\\s,]+"));
        } else if (claim instanceof Collection<?> list) {
            values = list.stream().filter(String.class::isInstance).map(String.class::cast).toList();
        } else {
            values = List.of();
        }
        Set<String> tenants = new HashSet<>();
        boolean admin = false;
        boolean viewer = false;
        for (String value : values) {
            if (value.equals("admin")) {
                admin = true;
            } else if (value.equals("viewer")) {
                viewer = true;
            } else if (value.startsWith("tenant_admin:") && value.length() > "tenant_admin:".length()) {
                tenants.add(value.substring("tenant_admin:".length()));
            }
        }
        return new Caller(identity, admin, viewer, tenants);
    }

    /** The library's reason, cut at the first character outside printable ASCII and bounded in length. */
    private static String reason(Exception e) {
        String message = String.valueOf(e.getMessage());
        int end = 0;
        while (end < message.length() && end < MAX_REASON_CHARS && message.charAt(end) >= 0x20
                && message.charAt(end) < 0x7f) {
            end++;
        }
        return message.substring(0, end);
    }

    @Override
    public void close() {
        if (keys instanceof Closeable closeable) {
            try {
                closeable.close();
            } catch (IOException e) {
                // Closing stops the refresh threads; nothing else to do if it fails.
            }
        }
    }
}
