package oci.registry;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

/**
 * The HTTP clients, one per registry host (each with its own TLS setup) over one shared connection
 * pool, and the choice of scheme: HTTPS always, plain HTTP only for loopback hosts and registries
 * the user marked insecure, and only when HTTPS does not answer there (as Docker does).
 */
final class Transport {
    static final String USER_AGENT = "oci/0.1.0";

    private final OkHttpClient base;
    private final boolean tlsVerify;
    private final Set<String> insecure;
    private final List<Path> certsDirs;
    private final Path certDir;
    private final Map<String, OkHttpClient> clients = new ConcurrentHashMap<>();
    private final Map<String, HttpUrl> origins = new ConcurrentHashMap<>();

    Transport(boolean tlsVerify, Set<String> insecure, List<Path> certsDirs, Path certDir, RetryInterceptor retry) {
        this.tlsVerify = tlsVerify;
        this.insecure = Set.copyOf(insecure);
        this.certsDirs = List.copyOf(certsDirs);
        this.certDir = certDir;
        Dispatcher dispatcher = new Dispatcher();
        dispatcher.setMaxRequests(128);
        dispatcher.setMaxRequestsPerHost(64);
        this.base = new OkHttpClient.Builder()
                .dispatcher(dispatcher)
                .connectionPool(new ConnectionPool(16, 1, TimeUnit.MINUTES))
                .followRedirects(false)
                .followSslRedirects(false)
                .connectTimeout(Duration.ofSeconds(30))
                .readTimeout(Duration.ofSeconds(60))
                .addInterceptor(chain -> chain.proceed(chain.request().newBuilder().header("User-Agent", USER_AGENT).build()))
                .addInterceptor(new RedirectInterceptor())
                .addInterceptor(retry)
                .build();
    }

    /** Whether {@code hostPort} may be spoken to over plain HTTP. */
    boolean plainHttpAllowed(String hostPort) {
        if (insecure.contains(hostPort)) return true;
        String host = hostOnly(hostPort);
        if (insecure.contains(host)) return true;
        if (host.equals("localhost")) return true;
        String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        if (!h.matches("[0-9.]+") && !h.contains(":")) return false; // a name: never resolved here for this decision
        try {
            return InetAddress.getByName(h).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    static String hostOnly(String hostPort) {
        if (hostPort.startsWith("[")) return hostPort.substring(0, hostPort.indexOf(']') + 1);
        int colon = hostPort.lastIndexOf(':');
        return colon < 0 ? hostPort : hostPort.substring(0, colon);
    }

    /** The client for {@code hostPort} (no auth). */
    OkHttpClient client(String hostPort) {
        return clients.computeIfAbsent(hostPort, hp -> {
            List<Path> dirs = new ArrayList<>();
            if (certDir != null) dirs.add(certDir);
            else for (Path d : certsDirs) dirs.add(d.resolve(hp));
            Tls.Setup tls = Tls.forHost(hp, dirs, tlsVerify);
            if (tls.factory() == null) return base;
            OkHttpClient.Builder b = base.newBuilder().sslSocketFactory(tls.factory(), tls.trust());
            if (tls.verifier() != null) b.hostnameVerifier(tls.verifier());
            return b.build();
        });
    }

    /** A caller for an absolute URL's host (token realms, foreign layer URLs): no credentials attached. */
    Caller plainCaller(HttpUrl url) {
        return new Caller(client(url.host() + ":" + url.port()), url);
    }

    /**
     * The origin (scheme://host:port) to use for registry {@code hostPort}. {@code explicit} is a
     * scheme the user wrote (a mirror given as a URL), else null.
     */
    HttpUrl origin(String hostPort, String explicit) {
        String key = (explicit == null ? "" : explicit + "://") + hostPort;
        HttpUrl known = origins.get(key);
        if (known != null) return known;
        HttpUrl https = HttpUrl.get("https://" + hostPort + "/");
        HttpUrl chosen;
        if ("http".equals(explicit)) {
            if (!plainHttpAllowed(hostPort)) {
                throw new RegistryException("contact registry " + hostPort + ": plain HTTP is only used for loopback addresses and registries marked insecure (--insecure or \"insecure\": true in "
                        + RegistriesConfig.defaultPath() + ")");
            }
            chosen = HttpUrl.get("http://" + hostPort + "/");
        } else if (explicit == null && plainHttpAllowed(hostPort)) {
            chosen = https;
            try {
                new Caller(client(hostPort), https).call(new Ping(hostPort)).close();
            } catch (RegistryException httpsFailed) {
                HttpUrl http = HttpUrl.get("http://" + hostPort + "/");
                try {
                    new Caller(client(hostPort), http).call(new Ping(hostPort)).close();
                    chosen = http;
                } catch (RegistryException httpFailed) {
                    // A 400 over HTTP means the server speaks TLS there: the HTTPS failure is the real one.
                    throw httpFailed.status() != 0 && httpFailed.status() != 400 ? httpFailed : httpsFailed;
                }
            }
        } else {
            chosen = https;
        }
        origins.put(key, chosen);
        return chosen;
    }

    void close() {
        base.dispatcher().executorService().shutdown();
        base.connectionPool().evictAll();
    }
}
