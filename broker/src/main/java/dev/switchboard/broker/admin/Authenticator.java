package dev.switchboard.broker.admin;

import dev.switchboard.broker.config.Admin;
import java.io.IOException;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;

/**
 * Turns a request's {@code Authorization: Bearer} token into a {@link Caller}: a configured static token first,
 * else, when OIDC is configured and the token has the shape of a JWT, a verified JWT. The token is never logged,
 * echoed or kept. Thread-safe; {@link #authenticate} may block on a JWKS fetch (admin API threads only).
 */
final class Authenticator implements AutoCloseable {
    private static final String BEARER = "Bearer ";

    private final StaticTokens tokens;
    private final Optional<OidcVerifier> oidc;

    private Authenticator(StaticTokens tokens, Optional<OidcVerifier> oidc) {
        this.tokens = tokens;
        this.oidc = oidc;
    }

    static Authenticator of(Admin admin) throws IOException {
        Optional<OidcVerifier> oidc = admin.oidc().isPresent()
                ? Optional.of(OidcVerifier.create(admin.oidc().get())) : Optional.empty();
        return new Authenticator(StaticTokens.of(admin.tokens()), oidc);
    }

    Authentication authenticate(Request request) {
        String header = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return new Authentication.Refused("missing_token",
                    "the admin API needs an 'Authorization: Bearer TOKEN' header");
        }
        String token = header.substring(BEARER.length()).trim();
        Optional<Caller> known = tokens.find(token);
        if (known.isPresent()) {
            return new Authentication.Authenticated(known.get());
        }
        if (oidc.isPresent() && looksLikeJwt(token)) {
            return oidc.get().verify(token);
        }
        return new Authentication.Refused("invalid_token", "the bearer token is not valid for the admin API");
    }

    /** Three base64url parts separated by dots: worth parsing as a JWT. */
    private static boolean looksLikeJwt(String token) {
        return token.chars().filter(c -> c == '.').count() == 2;
    }

    @Override
    public void close() {
        oidc.ifPresent(OidcVerifier::close);
    }
}
