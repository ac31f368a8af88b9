package oci.registry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import oci.image.Json;

/**
 * A small token server for distribution's token auth, run by the tests on 127.0.0.1: checks basic
 * credentials (if a user is set; anonymous callers get tokens only for repositories under
 * {@code public/}), and returns a JWT signed RS256 with the signer's certificate in the {@code x5c}
 * header, which the registry verifies against its rootcertbundle. Records every request.
 */
final class TokenServer implements AutoCloseable {
    record Seen(String scope, boolean withCredentials, String account) {}

    static final String SERVICE = "oci-test-registry";
    static final String ISSUER = "oci-test-issuer";
    /** The refresh token (docker config's identitytoken) this server accepts for the user. */
    static final String REFRESH_TOKEN = "refresh-token-for-bob";

    private final HttpServer server;
    private final TestPki.Issued signer;
    private final String user;
    private final String password;
    final List<Seen> requests = new CopyOnWriteArrayList<>();

    TokenServer(TestPki.Issued signer, String user, String password) throws IOException {
        this.signer = signer;
        this.user = user;
        this.password = password;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/token", this::handle);
        server.start();
    }

    String realm() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            boolean post = ex.getRequestMethod().equals("POST");
            Map<String, String> q = post ? query(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8))
                    : query(ex.getRequestURI().getRawQuery());
            String scope = q.getOrDefault("scope", "");
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            boolean withCreds = auth != null || post;
            requests.add(new Seen(scope, withCreds, post ? "refresh_token" : q.get("account")));
            if (post) {
                if (!"refresh_token".equals(q.get("grant_type")) || !REFRESH_TOKEN.equals(q.get("refresh_token"))) {
                    reply(ex, 401, "{\"error\":\"invalid_grant\"}");
                    return;
                }
            } else if (withCreds) {
                String expected = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
                if (!auth.equals(expected)) {
                    reply(ex, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"wrong user name or password\"}]}");
                    return;
                }
            }
            String[] parts = scope.split(":");
            String repo = parts.length >= 3 ? parts[1] : "";
            boolean granted = parts.length >= 3 && (withCreds || repo.startsWith("public/"));
            ObjectNode claims = Json.MAPPER.createObjectNode();
            long now = Instant.now().getEpochSecond();
            claims.put("iss", ISSUER).put("sub", withCreds ? user : "").put("aud", SERVICE)
                    .put("exp", now + 300).put("nbf", now - 10).put("iat", now).put("jti", Long.toHexString(System.nanoTime()));
            var access = claims.putArray("access");
            if (granted) {
                var a = access.addObject().put("type", "repository").put("name", repo);
                var actions = a.putArray("actions");
                for (String act : parts[2].split(",")) actions.add(act);
            }
            // OAuth2 answers (POST) name the token access_token; the GET flow names it token.
            reply(ex, 200, "{\"" + (post ? "access_token" : "token") + "\":\"" + jwt(claims) + "\",\"expires_in\":300}");
        }
    }

    private String jwt(ObjectNode claims) {
        try {
            ObjectNode header = Json.MAPPER.createObjectNode().put("typ", "JWT").put("alg", "RS256");
            header.putArray("x5c").add(Base64.getEncoder().encodeToString(signer.cert().getEncoded()));
            Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
            String signingInput = b64.encodeToString(Json.write(header)) + "." + b64.encodeToString(Json.write(claims));
            Signature s = Signature.getInstance("SHA256withRSA");
            s.initSign(signer.keys().getPrivate());
            s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + b64.encodeToString(s.sign());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void reply(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
    }

    private static Map<String, String> query(String raw) {
        if (raw == null || raw.isEmpty()) return Map.of();
        return java.util.Arrays.stream(raw.split("&")).map(p -> p.split("=", 2))
                .collect(Collectors.toMap(p -> URLDecoder.decode(p[0], StandardCharsets.UTF_8),
                        p -> p.length > 1 ? URLDecoder.decode(p[1], StandardCharsets.UTF_8) : "", (a, b) -> a + " " + b));
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
