package oci.registry;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import oci.image.ImageRef;
import oci.image.store.Store;
import oci.registry.auth.Credential;
import oci.registry.auth.CredentialStore;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

/**
 * The registry client: pulls images into a {@link Store} and checks logins, speaking the OCI
 * distribution spec to Docker Hub, GHCR, Quay or a private registry.
 *
 * <pre>{@code
 * try (RegistryClient c = RegistryClient.builder().listener(events::add).build()) {
 *     PullResult r = c.pull(ImageRef.parse("busybox"), store, PullOptions.defaults());
 * }
 * }</pre>
 *
 * Credentials come from a {@link CredentialStore}; TLS from the system trust store and certs.d;
 * mirrors and insecure registries from {@link RegistriesConfig}. Thread-safe; reuse it for many pulls.
 */
public final class RegistryClient implements AutoCloseable {
    private final Transport transport;
    private final CredentialStore credentials;
    private final RegistriesConfig config;
    private final PullListener listener;
    private final int blobAttempts;
    private final Duration retryDelay;
    private final Map<String, AuthInterceptor.HostAuth> hostAuth = new ConcurrentHashMap<>();

    private RegistryClient(Builder b) {
        this.credentials = b.credentials;
        this.config = b.config;
        this.listener = b.listener;
        this.blobAttempts = b.attempts;
        this.retryDelay = b.retryDelay;
        Set<String> insecure = new HashSet<>(b.insecure);
        config.registries().forEach((k, v) -> {
            if (v.insecure()) insecure.add(k);
        });
        RetryInterceptor retry = new RetryInterceptor(b.attempts, b.retryDelay, b.maxRetryAfter,
                (what, attempt, cause, delay) -> listener.on(new PullEvent.Retrying(what, attempt, cause, delay)));
        this.transport = new Transport(b.tlsVerify, insecure, b.certsDirs, b.certDir, retry, b.readTimeout);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts the HTTP client's one-time set-up (OkHttp's first use in a fresh JVM) on a thread of its
     * own, so that a command line can overlap it with its other start-up work; building a client
     * does it too, if it was not started already.
     */
    public static void prepare() {
        Transport.prepare();
    }

    /** The API host of a registry domain: Docker Hub's is registry-1.docker.io. */
    public static String apiHost(String domain) {
        return ImageRef.DOCKER_HUB.equals(domain) ? "registry-1.docker.io" : domain;
    }

    /**
     * Pulls {@code ref} into {@code store} and names it {@code ref.toString()}: mirrors first (if
     * configured for the registry), then the registry itself.
     */
    public PullResult pull(ImageRef ref, Store store, PullOptions options) {
        return pull(ref, () -> store, options);
    }

    /**
     * As {@link #pull(ImageRef, Store, PullOptions)}, with the store asked for only when the top
     * manifest has arrived, so that a caller can open it meanwhile (on another thread). The pull keeps
     * {@code oci gc} out of the store from then on. {@code store} may be called more than once (once
     * per mirror tried) and must return the same store.
     */
    public PullResult pull(ImageRef ref, Supplier<Store> store, PullOptions options) {
        List<String> mirrors = config.mirrors(ref.domain());
        for (String mirror : mirrors) {
            try {
                HttpUrl u = mirrorUrl(mirror);
                String hostPort = u.host() + ":" + u.port();
                String explicit = mirror.contains("://") ? u.scheme() : null;
                return new Puller(session(hostPort, explicit, hostPort, ref.path()), mirror, ref, store, options, listener,
                        blobAttempts, retryDelay, transport::plainCaller).pull();
            } catch (RegistryException e) {
                listener.on(new PullEvent.MirrorFailed(mirror, e.getMessage()));
            }
        }
        String host = apiHost(ref.domain());
        HttpUrl guess = transport.plainGuess(host);
        if (guess != null) {
            // A loopback registry, not yet probed: its manifest is asked for over plain HTTP at once,
            // without the GET /v2/ that would choose the scheme first (a round trip of a fresh JVM's
            // cold HTTP code). No HTTP answer, or a 400 (an HTTPS server's reply to plain HTTP), and
            // the pull goes on as always: the probe, then HTTPS if plain HTTP does not answer.
            Puller p = new Puller(session(guess, ref.domain(), ref.path()), ref.domain(), ref, store, options, listener,
                    blobAttempts, retryDelay, transport::plainCaller);
            ManifestGet.Fetched top = null;
            try {
                top = p.fetchTop();
            } catch (RegistryException e) {
                boolean noAnswer = e.status() == 0 && e.getCause() instanceof java.io.IOException;
                if (!noAnswer && e.status() != 400) throw e;
            }
            if (top != null) {
                transport.chose(host, guess);
                return p.pull(top);
            }
        }
        Caller caller;
        try {
            caller = session(host, null, ref.domain(), ref.path());
        } catch (RegistryException e) {
            throw e.within("pull " + ref.familiar());
        }
        return new Puller(caller, ref.domain(), ref, store, options, listener, blobAttempts, retryDelay, transport::plainCaller).pull();
    }

    /**
     * Checks that {@code credential} is accepted by {@code registry} (a domain as in image references,
     * {@code docker.io} for Docker Hub); throws a RegistryException (status 401) when it is not.
     */
    public void login(String registry, Credential credential) {
        String host = apiHost(registry);
        HttpUrl origin = transport.origin(host, null);
        AuthInterceptor.HostAuth auth = new AuthInterceptor.HostAuth(registry, origin, credential, transport::plainCaller,
                url -> transport.plainHttpAllowed(url.host() + ":" + url.port()));
        OkHttpClient c = transport.client(origin).newBuilder().addInterceptor(new AuthInterceptor(auth, null)).build();
        Ping ping = new Ping("log in to " + registry, true);
        new Caller(c, origin).call(ping).close();
    }

    private Caller session(String hostPort, String explicitScheme, String credentialDomain, String repository) {
        return session(transport.origin(hostPort, explicitScheme), credentialDomain, repository);
    }

    private Caller session(HttpUrl origin, String credentialDomain, String repository) {
        AuthInterceptor.HostAuth auth = hostAuth.computeIfAbsent(origin.toString(), k -> {
            Optional<Credential> cred = credentials.lookup(credentialDomain);
            return new AuthInterceptor.HostAuth(credentialDomain, origin, cred.orElse(null), transport::plainCaller,
                    url -> transport.plainHttpAllowed(url.host() + ":" + url.port()));
        });
        OkHttpClient c = transport.client(origin).newBuilder()
                .addInterceptor(new AuthInterceptor(auth, "repository:" + repository + ":pull")).build();
        return new Caller(c, origin);
    }

    private static HttpUrl mirrorUrl(String mirror) {
        HttpUrl u = HttpUrl.parse(mirror.contains("://") ? mirror : "https://" + mirror);
        if (u == null) throw new RegistryException("mirror \"" + mirror + "\" is not host[:port] or an http(s) URL");
        return u;
    }

    @Override
    public void close() {
        transport.close();
    }

    /** Options; every one has a default that suits the command line. */
    public static final class Builder {
        private CredentialStore credentials = CredentialStore.defaults();
        private RegistriesConfig config = RegistriesConfig.empty();
        private PullListener listener = PullListener.NONE;
        private boolean tlsVerify = true;
        private final Set<String> insecure = new HashSet<>();
        private List<Path> certsDirs = defaultCertsDirs();
        private Path certDir;
        private int attempts = 5;
        private Duration retryDelay = Duration.ofMillis(500);
        private Duration maxRetryAfter = Duration.ofSeconds(60);
        private Duration readTimeout = Duration.ofSeconds(60);

        public Builder credentials(CredentialStore c) {
            this.credentials = c;
            return this;
        }

        public Builder config(RegistriesConfig c) {
            this.config = c;
            return this;
        }

        public Builder listener(PullListener l) {
            this.listener = l;
            return this;
        }

        /** {@code false} accepts any certificate (the user's explicit choice, {@code --tls-verify=false}). */
        public Builder tlsVerify(boolean verify) {
            this.tlsVerify = verify;
            return this;
        }

        /** Allows plain HTTP to {@code hostPort} (besides loopback, which is always allowed). */
        public Builder insecure(String hostPort) {
            this.insecure.add(hostPort);
            return this;
        }

        /** Directories holding {@code HOST:PORT/} subdirectories of CA and client certificates. */
        public Builder certsDirs(List<Path> dirs) {
            this.certsDirs = List.copyOf(dirs);
            return this;
        }

        /** One directory of certificates used for every registry (skopeo's {@code --cert-dir}); overrides certs.d. */
        public Builder certDir(Path dir) {
            this.certDir = dir;
            return this;
        }

        /** Attempts per request and per blob, and the first backoff delay (doubling after each failure). */
        public Builder retries(int attempts, Duration firstDelay, Duration maxRetryAfter) {
            this.attempts = attempts;
            this.retryDelay = firstDelay;
            this.maxRetryAfter = maxRetryAfter;
            return this;
        }

        /** How long a read may wait for the next byte before it fails (as a temporary failure: retried, resumed). */
        public Builder readTimeout(Duration timeout) {
            if (timeout.toMillis() <= 0) throw new IllegalArgumentException("read timeout must be positive: " + timeout);
            this.readTimeout = timeout;
            return this;
        }

        public RegistryClient build() {
            return new RegistryClient(this);
        }

        /** {@code /etc/docker/certs.d}, {@code /etc/containers/certs.d} and {@code ~/.config/containers/certs.d}. */
        public static List<Path> defaultCertsDirs() {
            return List.of(Path.of("/etc/docker/certs.d"), Path.of("/etc/containers/certs.d"),
                    oci.image.UserDirs.configHome().resolve("containers/certs.d"));
        }
    }
}
