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
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.ConnectionPool;
import okhttp3.ConnectionSpec;
import okhttp3.Dispatcher;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;

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

    Transport(boolean tlsVerify, Set<String> insecure, List<Path> certsDirs, Path certDir, RetryInterceptor retry, Duration readTimeout) {
        this.tlsVerify = tlsVerify;
        this.insecure = Set.copyOf(insecure);
        this.certsDirs = List.copyOf(certsDirs);
        this.certDir = certDir;
        prepare();
        Dispatcher dispatcher = new Dispatcher();
        dispatcher.setMaxRequests(128);
        dispatcher.setMaxRequestsPerHost(64);
        // The base client speaks cleartext only: OkHttp initialises the JDK's TLS stack (trust store
        // and all) when a client that may use TLS is built, which costs a noticeable part of a
        // loopback pull's wall time. TLS clients are derived from it per host, when first needed.
        this.base = new OkHttpClient.Builder()
                .connectionSpecs(List.of(ConnectionSpec.CLEARTEXT))
                // The read timeout is the sockets' (see BufferedSocketFactory), which is only whole
                // for HTTP/1.1: an HTTP/2 connection multiplexes streams over one socket.
                .protocols(List.of(Protocol.HTTP_1_1))
                .socketFactory(new BufferedSocketFactory(Math.toIntExact(readTimeout.toMillis())))
                .dispatcher(dispatcher)
                .connectionPool(new ConnectionPool(16, 1, TimeUnit.MINUTES))
                .followRedirects(false)
                .followSslRedirects(false)
                .connectTimeout(Duration.ofSeconds(30))
                .readTimeout(Duration.ZERO)
                .addInterceptor(chain -> chain.proceed(chain.request().newBuilder().header("User-Agent", USER_AGENT).build()))
                .addInterceptor(new RedirectInterceptor())
                .addInterceptor(retry)
                .build();
    }

    private static final AtomicBoolean PREPARING = new AtomicBoolean();

    /**
     * Starts OkHttp's first-use work on threads of their own, once per JVM; the client built later
     * finds it done (or waits for the part under way). In a fresh JVM it costs ~0.15 s before the
     * first request, all class initialisation the class-data archive does not keep: the client's
     * defaults (connection specs and their cipher suites); the connection pool's task runner, whose
     * logger starts java.util.logging, which looks for a System.LoggerFinder on the class path
     * (opening every jar there: ~30 ms of CPU); and the Platform OkHttp connects through, which asks
     * the JDK for its security providers (loading every configured one, even for plain HTTP: ~30 ms).
     * The logger's part and the other two depend on nothing of each other's, and the first request
     * needs all three: two threads, so that on two cores neither waits behind the other.
     * (Thread subclasses, not a thread builder with lambdas: the JVM's first lambda sets up the
     * method-handle machinery, 5-10 ms that would come before both threads' start.)
     */
    static void prepare() {
        if (!PREPARING.compareAndSet(false, true)) return;
        Thread init = new Thread("oci-okhttp-init") {
            @Override
            public void run() {
                new OkHttpClient.Builder();
                okhttp3.internal.platform.Platform.get();
            }
        };
        Thread pool = new Thread("oci-okhttp-pool") {
            @Override
            public void run() {
                new ConnectionPool();
            }
        };
        init.setDaemon(true);
        pool.setDaemon(true);
        init.start();
        pool.start();
    }

    /** Whether {@code hostPort} may be spoken to over plain HTTP. */
    boolean plainHttpAllowed(String hostPort) {
        if (insecure.contains(hostPort)) return true;
        String host = hostOnly(hostPort);
        if (insecure.contains(host)) return true;
        return isLoopback(hostPort); // names other than localhost are never resolved for this decision
    }

    static String hostOnly(String hostPort) {
        if (hostPort.startsWith("[")) return hostPort.substring(0, hostPort.indexOf(']') + 1);
        int colon = hostPort.lastIndexOf(':');
        return colon < 0 ? hostPort : hostPort.substring(0, colon);
    }

    /**
     * The client (no auth) for requests to {@code origin}: the cleartext one for http, else the TLS
     * client of that host. A plain-HTTP registry that redirects to HTTPS storage is therefore not
     * followed (a loopback test registry does not do that; real registries are HTTPS).
     */
    OkHttpClient client(HttpUrl origin) {
        if (!origin.isHttps()) return base;
        return clients.computeIfAbsent(origin.host() + ":" + origin.port(), hp -> {
            List<Path> dirs = new ArrayList<>();
            if (certDir != null) dirs.add(certDir);
            else for (Path d : certsDirs) dirs.add(d.resolve(hp));
            Tls.Setup tls = Tls.forHost(hp, dirs, tlsVerify);
            OkHttpClient.Builder b = base.newBuilder().connectionSpecs(List.of(ConnectionSpec.MODERN_TLS, ConnectionSpec.CLEARTEXT));
            if (tls.factory() != null) b.sslSocketFactory(tls.factory(), tls.trust());
            if (tls.verifier() != null) b.hostnameVerifier(tls.verifier());
            return b.build();
        });
    }

    /** A caller for an absolute URL's host (token realms, foreign layer URLs): no credentials attached. */
    Caller plainCaller(HttpUrl url) {
        return new Caller(client(url), url);
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
        } else if (explicit == null && isLoopback(hostPort)) {
            // Loopback first tries plain HTTP: nothing leaves the machine, and a local test or cache
            // registry is usually plain; a TLS one answers HTTP with 400 and is then spoken to over HTTPS.
            chosen = firstAnswering(hostPort, HttpUrl.get("http://" + hostPort + "/"), https);
        } else if (explicit == null && plainHttpAllowed(hostPort)) {
            // A registry marked insecure: HTTPS first (as Docker does), plain HTTP only if that fails.
            chosen = firstAnswering(hostPort, https, HttpUrl.get("http://" + hostPort + "/"));
        } else {
            chosen = https;
        }
        origins.put(key, chosen);
        return chosen;
    }

    /**
     * Plain HTTP for a loopback {@code hostPort} whose scheme is not yet known (nor given), to try
     * before {@link #origin} probes it; null otherwise. {@link #chose} records it once it answered.
     */
    HttpUrl plainGuess(String hostPort) {
        if (origins.containsKey(hostPort) || !isLoopback(hostPort)) return null;
        return HttpUrl.get("http://" + hostPort + "/");
    }

    /** Records {@code origin} as the one for registry {@code hostPort} (no scheme given), as {@link #origin} would. */
    void chose(String hostPort, HttpUrl origin) {
        origins.putIfAbsent(hostPort, origin);
    }

    /**
     * The first of two origins where {@code GET /v2/} answers like a registry. When neither does, the
     * HTTPS failure is reported (it says more: a certificate problem), unless plain HTTP got a real
     * answer other than 400 (which is a TLS server's reply to plain HTTP).
     */
    private HttpUrl firstAnswering(String hostPort, HttpUrl first, HttpUrl second) {
        RegistryException firstFailed;
        try {
            new Caller(client(first), first).call(new Ping(hostPort)).close();
            return first;
        } catch (RegistryException e) {
            firstFailed = e;
        }
        try {
            new Caller(client(second), second).call(new Ping(hostPort)).close();
            return second;
        } catch (RegistryException secondFailed) {
            RegistryException https = first.isHttps() ? firstFailed : secondFailed;
            RegistryException http = first.isHttps() ? secondFailed : firstFailed;
            throw http.status() != 0 && http.status() != 400 ? http : https;
        }
    }

    private boolean isLoopback(String hostPort) {
        String host = hostOnly(hostPort);
        if (host.equals("localhost")) return true;
        String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        if (!h.matches("[0-9.]+") && !h.contains(":")) return false;
        try {
            return InetAddress.getByName(h).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    void close() {
        base.dispatcher().executorService().shutdown();
        base.connectionPool().evictAll();
    }
}
