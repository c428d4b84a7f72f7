package dev.switchboard.broker.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.switchboard.broker.RealtimeClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * JWTs of an OpenID Connect provider, with keys the test makes itself (RSA and EC) served as a JWK set from a real
 * HTTP server on loopback: each role works; the wrong issuer, the wrong audience, an expired token, a bad signature,
 * an unknown key id and an HMAC-signed token are 401; a token without the roles claim is 403. Also the keys of a
 * {@code jwks_file}.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class AdminOidcTest {
    private static final String ISSUER = "https://login.example.test/";
    private static final String AUDIENCE = "switchboard-admin";
    private static final AtomicInteger JWKS_FETCHES = new AtomicInteger();
    private static RSAKey rsa;
    private static ECKey ec;
    private static HttpServer jwks;
    private static AdminBroker broker;

    @BeforeAll
    static void start() throws Exception {
        rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
        byte[] published = new JWKSet(List.<JWK>of(rsa.toPublicJWK(), ec.toPublicJWK())).toString()
                .getBytes(StandardCharsets.UTF_8);
        jwks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        jwks.createContext("/jwks.json", exchange -> {
            JWKS_FETCHES.incrementAndGet();
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, published.length);
            exchange.getResponseBody().write(published);
            exchange.close();
        });
        jwks.start();
        broker = AdminBroker.start(yaml("jwks_url: http://127.0.0.1:" + jwks.getAddress().getPort() + "/jwks.json"));
    }

    private static String yaml(String keys) {
        return """
                simulator: {enabled: true}
                admin:
                  listen: {host: 127.0.0.1, port: 0}
                  oidc:
                    issuer: %s
                    audience: %s
                    %s
                tenants:
                  acme: {keys: [acme-key-1], models: ["*"]}
                  globex: {keys: [globex-key-1], models: ["*"]}
                """.formatted(ISSUER, AUDIENCE, keys);
    }

    @AfterAll
    static void stop() throws Exception {
        broker.close();
        jwks.stop(0);
    }

    /** Valid claims for {@code subject} with {@code roles} (a list, a string, or null for no claim). */
    private static JWTClaimsSet.Builder claims(String subject, Object roles) {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().issuer(ISSUER).audience(List.of(AUDIENCE, "other"))
                .subject(subject).issueTime(new Date()).expirationTime(Date.from(Instant.now().plusSeconds(300)));
        return roles == null ? claims : claims.claim("switchboard_roles", roles);
    }

    private static String rs256(JWTClaimsSet claims, RSAKey key) throws Exception {
        return sign(new RSASSASigner(key), JWSAlgorithm.RS256, key.getKeyID(), claims);
    }

    private static String sign(JWSSigner signer, JWSAlgorithm alg, String kid, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(kid).build(), claims);
        jwt.sign(signer);
        return jwt.serialize();
    }

    /** 401 {@code invalid_token}, the message naming {@code why} (the library's reason). */
    private static void assertRefused(String token, String why) throws IOException, InterruptedException {
        HttpResponse<String> response = broker.get("/admin/tenants", token);
        assertEquals(401, response.statusCode(), response::body);
        JsonNode error = AdminBroker.json(response).path("error");
        assertEquals("invalid_token", error.path("code").asText(), response::body);
        assertTrue(error.path("message").asText().contains(why), response::body);
        assertTrue(response.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
    }

    @Test
    void an_admin_jwt_signed_with_rs256_reads_every_tenant() throws Exception {
        HttpResponse<String> response = broker.get("/admin/tenants", rs256(claims("alice", List.of("admin")).build(),
                rsa));
        assertEquals(200, response.statusCode(), response::body);
        assertEquals(2, AdminBroker.json(response).path("tenants").size());
    }

    @Test
    void a_viewer_jwt_signed_with_es256_reads_but_may_not_end_a_session() throws Exception {
        String token = sign(new ECDSASigner(ec), JWSAlgorithm.ES256, "ec-1", claims("bob", List.of("viewer")).build());
        assertEquals(200, broker.get("/admin/sessions", token).statusCode());
        AdminBroker.Live live = broker.open("acme-key-1", "sim-chat");
        try (RealtimeClient client = live.client()) {
            assertEquals(403, broker.delete("/admin/sessions/" + live.sessionId(), token).statusCode());
            String admin = rs256(claims("alice", List.of("admin")).build(), rsa);
            assertEquals(200, broker.delete("/admin/sessions/" + live.sessionId(), admin).statusCode());
            assertEquals(4042, client.awaitClose());
        }
    }

    @Test
    void a_tenant_admin_role_written_as_a_string_sees_only_its_tenant() throws Exception {
        String token = rs256(claims("carol", "tenant_admin:globex").build(), rsa);
        JsonNode tenants = AdminBroker.json(broker.get("/admin/tenants", token)).path("tenants");
        assertEquals(1, tenants.size(), tenants::toString);
        assertEquals("globex", tenants.get(0).path("id").asText());
        assertEquals(403, broker.get("/admin/sessions?tenant=acme", token).statusCode());
    }

    @Test
    void a_jwt_without_the_roles_claim_is_authenticated_but_forbidden() throws Exception {
        HttpResponse<String> response = broker.get("/admin/tenants", rs256(claims("dave", null).build(), rsa));
        assertEquals(403, response.statusCode(), response::body);
        assertEquals(403, broker.get("/admin/tenants", rs256(claims("dave", List.of("root")).build(), rsa))
                .statusCode());
    }

    @Test
    void a_jwt_of_another_issuer_is_refused() throws Exception {
        assertRefused(rs256(claims("alice", List.of("admin")).issuer("https://evil.example.test/").build(), rsa),
                "iss");
    }

    @Test
    void a_jwt_for_another_audience_is_refused() throws Exception {
        assertRefused(rs256(claims("alice", List.of("admin")).audience("another-service").build(), rsa),
                "aud claim");
    }

    @Test
    void an_expired_jwt_is_refused_beyond_the_clock_skew() throws Exception {
        assertRefused(rs256(claims("alice", List.of("admin")).expirationTime(Date.from(Instant.now()
                .minus(Duration.ofMinutes(10)))).build(), rsa),
                "Expired");
    }

    @Test
    void a_jwt_signed_by_another_key_under_a_known_key_id_is_refused() throws Exception {
        RSAKey impostor = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        assertRefused(rs256(claims("mallory", List.of("admin")).build(), impostor), "signature");
    }

    @Test
    void a_jwt_with_an_unknown_key_id_is_refused() throws Exception {
        RSAKey unknown = new RSAKeyGenerator(2048).keyID("rsa-unknown").generate();
        assertRefused(rs256(claims("mallory", List.of("admin")).build(), unknown), "no matching key");
    }

    @Test
    void an_hmac_signed_jwt_is_refused_whatever_its_secret() throws Exception {
        byte[] secret = "a-secret-of-at-least-32-bytes-long!".getBytes(StandardCharsets.UTF_8);
        assertRefused(sign(new MACSigner(secret), JWSAlgorithm.HS256, "rsa-1",
                claims("mallory", List.of("admin")).build()), "no matching key");
        assertRefused("not.a.jwt", "not a JWT");
    }

    @Test
    void the_key_set_is_fetched_once_and_then_served_from_the_cache() throws Exception {
        String token = rs256(claims("alice", List.of("admin")).build(), rsa);
        assertEquals(200, broker.get("/admin/tenants", token).statusCode());
        int before = JWKS_FETCHES.get();
        for (int i = 0; i < 10; i++) {
            assertEquals(200, broker.get("/admin/tenants", token).statusCode());
        }
        assertEquals(before, JWKS_FETCHES.get(), "valid tokens must not refetch the key set");
    }

    @Test
    void without_reachable_keys_a_jwt_is_503_and_not_a_refusal_of_the_caller() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        try (AdminBroker cut = AdminBroker.start(yaml("jwks_url: http://127.0.0.1:" + closedPort + "/jwks.json"))) {
            HttpResponse<String> response = cut.get("/admin/tenants", rs256(claims("alice", List.of("admin")).build(),
                    rsa));
            assertEquals(503, response.statusCode(), response::body);
            assertEquals("identity_provider_unavailable", AdminBroker.json(response).path("error").path("code")
                    .asText());
        }
    }

    @Test
    void keys_can_come_from_a_jwks_file() throws Exception {
        Path file = Files.createTempFile("jwks", ".json");
        try {
            Files.writeString(file, new JWKSet(List.<JWK>of(ec.toPublicJWK())).toString());
            try (AdminBroker offline = AdminBroker.start(yaml("jwks_file: '" + file + "'"))) {
                String token = sign(new ECDSASigner(ec), JWSAlgorithm.ES256, "ec-1", claims("erin", List.of("admin"))
                        .build());
                assertEquals(200, offline.get("/admin/tenants", token).statusCode());
                HttpResponse<String> rsaSigned = offline.get("/admin/tenants", rs256(claims("erin",
                        List.of("admin")).build(), rsa));
                assertEquals(401, rsaSigned.statusCode(), "a key outside the file is unknown");
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
