package oci.testdata.registry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts a real {@link RegistryServer} before a test class and stops it (by PID) after, removing
 * its directory. The configuration is a function of the server's directory, so a test can write
 * an htpasswd file or certificates there first:
 *
 * <pre>{@code
 * @RegisterExtension
 * static RegistryExtension registry = new RegistryExtension(b -> b);   // plain HTTP
 * }</pre>
 */
public final class RegistryExtension implements BeforeAllCallback, AfterAllCallback {
    private final Function<RegistryServer.Builder, RegistryServer.Builder> configure;
    private Path dir;
    private RegistryServer server;

    public RegistryExtension(Function<RegistryServer.Builder, RegistryServer.Builder> configure) {
        this.configure = configure;
    }

    /** A plain-HTTP registry with no auth. */
    public static RegistryExtension plain() {
        return new RegistryExtension(b -> b);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory("oci-registry-");
        server = configure.apply(RegistryServer.builder(dir)).start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        if (server != null) server.close();
        if (dir != null) deleteTree(dir);
    }

    public RegistryServer server() {
        return server;
    }

    /** {@code 127.0.0.1:PORT}. */
    public String hostPort() {
        return server.hostPort();
    }

    /** The directory the server's config and storage live in (the test may add files before start). */
    public Path dir() {
        return dir;
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) return;
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
