package oci.registry;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import oci.registry.auth.Credential;
import okhttp3.Credentials;
import okhttp3.FormBody;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Fetches a bearer token from the realm a registry's challenge names: GET with service and scope
 * (basic credentials when there are some), or POST with a refresh token for an identity token.
 *
 * @see <a href="https://distribution.github.io/distribution/spec/auth/token/">token authentication</a>
 */
final class TokenFetch implements Endpoint<TokenFetch.Token> {
    /** A token and when to stop using it. */
    record Token(String value, Instant expires) {
        boolean fresh() {
            return Instant.now().isBefore(expires);
        }

        @Override
        public String toString() {
            return "Token[redacted]";
        }
    }

    private static final long MAX_TOKEN_RESPONSE = 1 << 20;

    private final String registry;
    private final HttpUrl realm;
    private final String service;
    private final String scope;
    private final Credential credential;

    TokenFetch(String registry, HttpUrl realm, String service, String scope, Credential credential) {
        this.registry = registry;
        this.realm = realm;
        this.service = service;
        this.scope = scope;
        this.credential = credential;
    }

    @Override
    public String action() {
        return "get a token for " + registry + " from " + Caller.hostPort(realm);
    }

    @Override
    public Request request(HttpUrl ignored) {
        if (credential != null && credential.hasIdentityToken()) {
            FormBody.Builder form = new FormBody.Builder().add("grant_type", "refresh_token")
                    .add("refresh_token", credential.identityToken()).add("client_id", "oci");
            if (service != null) form.add("service", service);
            if (scope != null) form.add("scope", scope);
            return new Request.Builder().url(realm).post(form.build()).build();
        }
        HttpUrl.Builder url = realm.newBuilder();
        if (service != null) url.addQueryParameter("service", service);
        if (scope != null) url.addQueryParameter("scope", scope);
        Request.Builder b = new Request.Builder().url(url.build());
        if (credential != null) {
            url.addQueryParameter("account", credential.username());
            b.url(url.build()).header("Authorization", Credentials.basic(credential.username(), credential.secret(), java.nio.charset.StandardCharsets.UTF_8));
        }
        return b.build();
    }

    @Override
    public Token handle(Response response) throws IOException {
        byte[] bytes = Bodies.readCapped(response.body(), MAX_TOKEN_RESPONSE);
        if (bytes == null) throw new RegistryException(action() + ": token response larger than " + MAX_TOKEN_RESPONSE + " bytes");
        String token = null;
        String accessToken = null;
        long expiresIn = 60;
        try (JsonParser p = JsonText.FACTORY.createParser(bytes)) {
            if (p.nextToken() == JsonToken.START_OBJECT) {
                for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
                    JsonToken t = p.nextToken();
                    switch (field) {
                        case "token" -> token = JsonText.scalarText(p, null);
                        case "access_token" -> accessToken = JsonText.scalarText(p, null);
                        case "expires_in" -> expiresIn = p.getValueAsLong(60);
                        default -> { }
                    }
                    if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) p.skipChildren();
                }
            }
        } catch (IOException e) {
            throw new RegistryException(action() + ": the response is not JSON");
        }
        if (token == null) token = accessToken == null ? "" : accessToken;
        if (token.isEmpty()) throw new RegistryException(action() + ": the response holds no token");
        if (expiresIn < 60) expiresIn = 60; // token.md: a shorter lifetime means 60 s
        // Renew a little early so a token does not run out between check and use.
        return new Token(token, Instant.now().plus(Duration.ofSeconds(expiresIn - 10)));
    }
}
