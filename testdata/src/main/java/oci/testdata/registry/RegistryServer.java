package oci.testdata.registry;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real registry for tests: Debian's {@code docker-registry} (CNCF distribution) serving on
 * 127.0.0.1 at a free port, with a config file written here from the options the test chose,
 * storage in the test's directory, and stopped by its PID.
 *
 * <pre>{@code
 * try (RegistryServer r = RegistryServer.builder(tmp).htpasswd(file).start()) { ... r.hostPort() ... }
 * }</pre>
 */
public final class RegistryServer implements AutoCloseable {
    public static final Path BINARY = Path.of("/usr/bin/docker-registry");

    private final Process process;
    private final int port;
    private final Path dir;
    private final boolean tls;

    private RegistryServer(Process process, int port, Path dir, boolean tls) {
        this.process = process;
        this.port = port;
        this.dir = dir;
        this.tls = tls;
    }

    public static Builder builder(Path dir) {
        return new Builder(dir);
    }

    public int port() {
        return port;
    }

    /** {@code 127.0.0.1:PORT}, the registry part of image references. */
    public String hostPort() {
        return "127.0.0.1:" + port;
    }

    public boolean tls() {
        return tls;
    }

    public long pid() {
        return process.pid();
    }

    /** The registry's log (stdout and stderr), for diagnosing a failing test. */
    public String log() {
        try {
            return Files.readString(dir.resolve("registry.log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Stops the registry by its PID: SIGTERM, then SIGKILL if it does not exit within 5 s. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** A free TCP port on 127.0.0.1 (released for the caller to bind). */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free loopback port: " + e, e);
        }
    }

    /** The registry's settings; each maps to a part of distribution's config.yml. */
    public static final class Builder {
        private final Path dir;
        private Path htpasswd;
        private Path cert;
        private Path key;
        private Path clientCa;
        private String tokenRealm;
        private String tokenService;
        private String tokenIssuer;
        private Path tokenRootBundle;

        private Builder(Path dir) {
            this.dir = dir;
        }

        /** Basic auth against an htpasswd file (bcrypt entries). */
        public Builder htpasswd(Path file) {
            this.htpasswd = file;
            return this;
        }

        /** Serve HTTPS with this PEM certificate and key. */
        public Builder tls(Path certificate, Path privateKey) {
            this.cert = certificate;
            this.key = privateKey;
            return this;
        }

        /** Require client certificates signed by this PEM CA (needs {@link #tls}). */
        public Builder clientCa(Path ca) {
            this.clientCa = ca;
            return this;
        }

        /** Token auth: tokens from {@code realm}, signed by a key whose certificate chains to {@code rootBundle}. */
        public Builder token(String realm, String service, String issuer, Path rootBundle) {
            this.tokenRealm = realm;
            this.tokenService = service;
            this.tokenIssuer = issuer;
            this.tokenRootBundle = rootBundle;
            return this;
        }

        public RegistryServer start() {
            if (!Files.isExecutable(BINARY)) {
                throw new IllegalStateException(BINARY + " is missing: install Debian's docker-registry package (apt-get install docker-registry)");
            }
            try {
                Files.createDirectories(dir);
                Path storage = Files.createDirectories(dir.resolve("storage"));
                int port = freePort();
                List<String> y = new ArrayList<>();
                y.add("version: 0.1");
                y.add("log:");
                y.add("  level: warn");
                y.add("  accesslog:");
                y.add("    disabled: true");
                y.add("storage:");
                y.add("  filesystem:");
                y.add("    rootdirectory: " + storage);
                y.add("  delete:");
                y.add("    enabled: true");
                y.add("http:");
                y.add("  addr: 127.0.0.1:" + port);
                y.add("  secret: oci-test-secret");
                if (cert != null) {
                    y.add("  tls:");
                    y.add("    certificate: " + cert);
                    y.add("    key: " + key);
                    if (clientCa != null) {
                        y.add("    clientcas:");
                        y.add("      - " + clientCa);
                    }
                }
                if (htpasswd != null) {
                    y.add("auth:");
                    y.add("  htpasswd:");
                    y.add("    realm: oci-test");
                    y.add("    path: " + htpasswd);
                } else if (tokenRealm != null) {
                    y.add("auth:");
                    y.add("  token:");
                    y.add("    realm: " + tokenRealm);
                    y.add("    service: " + tokenService);
                    y.add("    issuer: " + tokenIssuer);
                    y.add("    rootcertbundle: " + tokenRootBundle);
                }
                Path config = dir.resolve("config.yml");
                Files.write(config, y);
                Path log = dir.resolve("registry.log");
                Process p = new ProcessBuilder(BINARY.toString(), "serve", config.toString())
                        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
                RegistryServer server = new RegistryServer(p, port, dir, cert != null);
                waitListening(server, Duration.ofSeconds(20));
                return server;
            } catch (IOException e) {
                throw new IllegalStateException("start docker-registry: " + e, e);
            }
        }

        private static void waitListening(RegistryServer s, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                if (!s.process.isAlive()) {
                    throw new IllegalStateException("docker-registry exited with " + s.process.exitValue() + ": " + s.log());
                }
                try (Socket sock = new Socket()) {
                    sock.connect(new InetSocketAddress("127.0.0.1", s.port), 200);
                    return;
                } catch (IOException notYet) {
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        s.close();
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted while starting docker-registry");
                    }
                }
            }
            s.close();
            throw new IllegalStateException("docker-registry did not listen on " + s.hostPort() + " within " + timeout.toSeconds() + " s: " + s.log());
        }
    }
}
