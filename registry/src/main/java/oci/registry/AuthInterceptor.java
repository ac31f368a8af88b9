package oci.registry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import oci.registry.auth.Credential;
import okhttp3.Credentials;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Answers a registry's 401 challenge: Basic with the user's credential, or Bearer with a token
 * fetched from the challenge's realm (anonymously when there is no credential). Once the scheme is
 * known, later requests carry the credential up front; tokens are reused per scope until they expire,
 * and a new scope gets a new token.
 *
 * <p>Credentials go only to the registry's own origin (scheme, host and port): a redirect to blob
 * storage elsewhere never sees them, and neither do layer {@code urls}.
 */
final class AuthInterceptor implements Interceptor {
    /** What one registry host has taught us, shared by all repositories on it. */
    static final class HostAuth {
        final String registry;
        final HttpUrl origin;
        final Credential credential;
        final Function<HttpUrl, Caller> tokenCaller;
        final Map<String, TokenFetch.Token> tokens = new ConcurrentHashMap<>();
        /** Realms we may send credentials to over plain HTTP (loopback and registries marked insecure). */
        final java.util.function.Predicate<HttpUrl> plainHttpAllowed;
        volatile Challenge challenge;

        HostAuth(String registry, HttpUrl origin, Credential credential, Function<HttpUrl, Caller> tokenCaller,
                 java.util.function.Predicate<HttpUrl> plainHttpAllowed) {
            this.registry = registry;
            this.origin = origin;
            this.credential = credential;
            this.tokenCaller = tokenCaller;
            this.plainHttpAllowed = plainHttpAllowed;
        }
    }

    private final HostAuth host;
    private final String scope;

    /** @param scope the token scope of this session, e.g. {@code repository:library/busybox:pull}; null for login */
    AuthInterceptor(HostAuth host, String scope) {
        this.host = host;
        this.scope = scope;
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        Request request = chain.request();
        if (!RedirectInterceptor.sameOrigin(host.origin, request.url())) {
            return chain.proceed(request.newBuilder().removeHeader("Authorization").build());
        }
        Challenge known = host.challenge;
        String sent = known != null ? authorization(known, false) : null;
        Response r = chain.proceed(sent == null ? request : request.newBuilder().header("Authorization", sent).build());
        if (r.code() != 401) return r;
        Challenge c = Challenge.pick(r.headers("WWW-Authenticate"));
        if (c == null) return r;
        host.challenge = c;
        // A fresh token only helps if what we sent was not already fresh for this exact challenge.
        String again = authorization(c, sent != null);
        if (again == null || again.equals(sent)) return r;
        r.close();
        return chain.proceed(request.newBuilder().header("Authorization", again).build());
    }

    /** The Authorization header for challenge {@code c}, fetching a token if needed; null when we have nothing to offer. */
    private String authorization(Challenge c, boolean renew) {
        if (c.isBasic()) {
            Credential cred = host.credential;
            if (cred == null || cred.hasIdentityToken()) return null;
            return Credentials.basic(cred.username(), cred.secret(), StandardCharsets.UTF_8);
        }
        if (!c.isBearer()) return null;
        String wantScope = c.params().getOrDefault("scope", scope);
        String key = wantScope == null ? "" : wantScope;
        TokenFetch.Token t = host.tokens.get(key);
        if (t == null || !t.fresh() || renew) {
            t = fetch(c, wantScope);
            host.tokens.put(key, t);
        }
        return "Bearer " + t.value();
    }

    private TokenFetch.Token fetch(Challenge c, String wantScope) {
        String realm = c.realm();
        HttpUrl url = realm == null ? null : HttpUrl.parse(realm);
        if (url == null) throw new RegistryException("log in to " + host.registry + ": the registry's token realm \"" + realm + "\" is not an http(s) URL");
        Credential cred = host.credential;
        if (cred != null && url.scheme().equals("http") && !host.plainHttpAllowed.test(url)) {
            throw new RegistryException("log in to " + host.registry + ": refusing to send credentials over plain HTTP to the token realm "
                    + url.host() + ":" + url.port() + " (only loopback and registries marked insecure may use HTTP)");
        }
        return host.tokenCaller.apply(url).call(new TokenFetch(host.registry, url, c.params().get("service"), wantScope, cred));
    }
}
