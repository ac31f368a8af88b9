package oci.registry;

import java.io.IOException;
import java.net.ProtocolException;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Follows redirects itself (the client's own following is off) so the rule is in one place: a
 * request sent to another scheme, host or port never carries the Authorization header
 * (blob storage behind a 307 is another party; SECURITY-CASES "redirect while Authorization set").
 * The auth interceptor, which runs inside this one, adds credentials only for the registry's own origin.
 */
final class RedirectInterceptor implements Interceptor {
    private static final int MAX_REDIRECTS = 10;

    @Override
    public Response intercept(Chain chain) throws IOException {
        Request request = chain.request();
        HttpUrl origin = request.url();
        for (int hops = 0; ; hops++) {
            Response r = chain.proceed(request);
            int code = r.code();
            if (code != 301 && code != 302 && code != 303 && code != 307 && code != 308) return r;
            String location = r.header("Location");
            if (location == null) return r;
            HttpUrl next = r.request().url().resolve(location);
            r.close();
            if (next == null) throw new ProtocolException("redirect to an unsupported location \"" + location + "\"");
            if (hops >= MAX_REDIRECTS) throw new ProtocolException("more than " + MAX_REDIRECTS + " redirects");
            Request.Builder b = request.newBuilder().url(next);
            if (!sameOrigin(origin, next)) b.removeHeader("Authorization");
            // 303 turns anything into GET; registries only redirect GET and HEAD anyway.
            if (code == 303 && !request.method().equals("HEAD")) b.get();
            request = b.build();
        }
    }

    static boolean sameOrigin(HttpUrl a, HttpUrl b) {
        return a.scheme().equals(b.scheme()) && a.host().equalsIgnoreCase(b.host()) && a.port() == b.port();
    }
}
