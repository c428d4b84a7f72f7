package dev.switchboard.broker.config;

import static dev.switchboard.broker.config.BrokerConfig.or;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The admin API's settings (issue 15): its own listener, the static bearer tokens and their roles, and optionally
 * the organisation's OpenID Connect provider whose JWTs are accepted too. Immutable; a token never appears in
 * {@code toString} or in an error. See {@code docs/admin.md}.
 *
 * @param listen where the admin API (and {@code /metrics}) is served, apart from the main listener
 * @param tokens static bearer tokens, in the file's order
 * @param oidc the identity provider whose JWTs are accepted, if any
 */
public record Admin(BrokerConfig.Listen listen, List<Token> tokens, Optional<Oidc> oidc) {
    /** The shortest static token accepted. */
    public static final int MIN_TOKEN_CHARS = 8;

    public Admin {
        tokens = List.copyOf(tokens);
    }

    /** A copy listening on {@code newListen} (tests, {@code --admin-port}). */
    public Admin withListen(BrokerConfig.Listen newListen) {
        return new Admin(newListen, tokens, oidc);
    }

    /** What a caller may do; see {@code docs/admin.md}. */
    public enum Role implements ConfigValues.Word {
        /** Everything. */
        ADMIN,
        /** Every read. */
        VIEWER,
        /** Reads of one tenant, and ending that tenant's sessions. */
        TENANT_ADMIN;

        /** Written with an underscore, as in {@code tenant_admin}. */
        @Override
        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One static bearer token.
     *
     * @param token the secret; held by the admin API only as its SHA-256 digest
     * @param role what it may do
     * @param tenant for {@link Role#TENANT_ADMIN}, the tenant it administers
     * @param name how logs and audit records name the caller; {@code tokens[i]} when the file gives none
     */
    public record Token(String token, Role role, Optional<String> tenant, Optional<String> name) {
        @Override
        public String toString() {
            return "Token[role=" + role.word() + tenant.map(t -> ", tenant=" + t).orElse("")
                    + name.map(n -> ", name=" + n).orElse("") + "]";
        }

        @JsonCreator
        static Token bind(@JsonProperty("token") @Nullable String token, @JsonProperty("role") @Nullable Role role,
                          @JsonProperty("tenant") @Nullable String tenant,
                          @JsonProperty("name") @Nullable String name) {
            ConfigRule.require(token != null && token.length() >= MIN_TOKEN_CHARS, "token",
                    "is required and must be at least " + MIN_TOKEN_CHARS + " characters");
            if (role == null) {
                throw ConfigRule.of("role", "is required (one of " + ConfigValues.words(Role.class) + ")");
            }
            ConfigRule.require(role != Role.TENANT_ADMIN || (tenant != null && !tenant.isBlank()), "tenant",
                    "is required for role tenant_admin");
            ConfigRule.require(role == Role.TENANT_ADMIN || tenant == null, "tenant",
                    "is only for role tenant_admin");
            ConfigRule.require(name == null || name.matches("[A-Za-z0-9_.@-]{1,64}"), "name",
                    "must be 1-64 letters, digits, '_', '.', '@' or '-'");
            return new Token(token, role, Optional.ofNullable(tenant), Optional.ofNullable(name));
        }
    }

    /**
     * The organisation's OpenID Connect provider: JWTs it signs are accepted as bearer tokens.
     *
     * @param issuer the exact {@code iss} the tokens must carry
     * @param audience a value the tokens' {@code aud} must contain
     * @param jwksUrl where the signing keys are fetched (cached and refreshed), or empty with {@code jwksFile}
     * @param jwksFile a JWK set file read at start (air-gapped installs), or empty with {@code jwksUrl}
     * @param rolesClaim the claim holding the caller's roles ({@code admin}, {@code viewer},
     *     {@code tenant_admin:TENANT}), an array or a single string
     */
    public record Oidc(String issuer, String audience, Optional<URI> jwksUrl, Optional<Path> jwksFile,
                       String rolesClaim) {
        /** The roles claim when the file leaves it out. */
        public static final String DEFAULT_ROLES_CLAIM = "switchboard_roles";

        @JsonCreator
        static Oidc bind(@JsonProperty("issuer") @Nullable String issuer,
                         @JsonProperty("audience") @Nullable String audience,
                         @JsonProperty("jwks_url") @Nullable String jwksUrl,
                         @JsonProperty("jwks_file") @Nullable String jwksFile,
                         @JsonProperty("roles_claim") @Nullable String rolesClaim) {
            ConfigRule.require(issuer != null && !issuer.isBlank(), "issuer", "is required");
            ConfigRule.require(audience != null && !audience.isBlank(), "audience", "is required when oidc is set");
            ConfigRule.require((jwksUrl == null) != (jwksFile == null), "jwks_url",
                    "or jwks_file: exactly one of them must be set");
            ConfigRule.require(jwksFile == null || !jwksFile.isBlank(), "jwks_file", "must not be empty");
            ConfigRule.require(rolesClaim == null || !rolesClaim.isBlank(), "roles_claim", "must not be empty");
            return new Oidc(issuer, audience, Optional.ofNullable(jwksUrl).map(Oidc::jwksUrl),
                    Optional.ofNullable(jwksFile).map(Path::of), or(rolesClaim, DEFAULT_ROLES_CLAIM));
        }

        /** An https URL; plain http only to a loopback host (a local key server or sidecar, tests). */
        private static URI jwksUrl(String text) {
            URI uri;
            try {
                uri = new URI(text);
            } catch (URISyntaxException e) {
                throw ConfigRule.of("jwks_url", "is not a valid URL");
            }
            ConfigRule.require(uri.getHost() != null && ("https".equals(uri.getScheme())
                    || ("http".equals(uri.getScheme()) && loopback(uri.getHost()))), "jwks_url",
                    "must be an https URL (plain http only to a loopback address): keys fetched in the clear "
                            + "could be replaced on the way");
            return uri;
        }

        private static boolean loopback(String host) {
            if (host.equalsIgnoreCase("localhost")) {
                return true;
            }
            String literal = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
            if (!literal.matches("[0-9.]+|[0-9A-Fa-f:]+")) {
                return false;  // a name other than localhost is never resolved here
            }
            try {
                return InetAddress.getByName(literal).isLoopbackAddress();
            } catch (UnknownHostException e) {
                return false;
            }
        }
    }

    @JsonCreator
    static Admin bind(@JsonProperty("listen") BrokerConfig.@Nullable Listen listen,
                      @JsonProperty("tokens") @Nullable List<@Nullable Token> tokens,
                      @JsonProperty("oidc") @Nullable Oidc oidc) {
        List<Token> list = BrokerConfig.present(tokens, "tokens");
        ConfigRule.require(!list.isEmpty() || oidc != null, "tokens",
                "must list at least one token when oidc is not set (nobody could use the admin API)");
        Set<String> seen = new HashSet<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            // The token itself is never printed, only where it repeats.
            ConfigRule.require(seen.add(list.get(i).token()), "tokens[" + i + "].token", "repeats another token");
            Optional<String> name = list.get(i).name();
            ConfigRule.require(name.isEmpty() || names.add(name.get()), "tokens[" + i + "].name",
                    "repeats another token's name");
        }
        return new Admin(or(listen, new BrokerConfig.Listen("127.0.0.1", 8081)), list, Optional.ofNullable(oidc));
    }

    /**
     * The rule spanning sections: every {@code tenant_admin} token names a configured tenant.
     *
     * @throws ConfigException naming the token's key
     */
    void checkTenants(Set<String> tenants) throws ConfigException {
        for (int i = 0; i < tokens.size(); i++) {
            Optional<String> tenant = tokens.get(i).tenant();
            if (tenant.isPresent() && !tenants.contains(tenant.get())) {
                throw new ConfigException("admin.tokens[" + i + "].tenant names tenant '" + tenant.get()
                        + "', which is not configured under tenants");
            }
        }
    }
}
