package oci.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import oci.image.ImageRef;
import oci.image.store.Store;
import oci.registry.auth.Credential;
import oci.registry.auth.CredentialStore;
import oci.testdata.registry.RegistryExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A real docker-registry with htpasswd basic auth (bcrypt hash made here with Bouncy Castle). */
class BasicAuthTest {
    static final String USER = "alice";
    static final String PASSWORD = "s3cret-Pa55word";

    @RegisterExtension
    static RegistryExtension registry = new RegistryExtension(b -> {
        try {
            Path file = Files.createTempFile("htpasswd", "");
            Files.writeString(file, TestPki.htpasswd(USER, PASSWORD));
            file.toFile().deleteOnExit();
            return b.htpasswd(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    });

    @TempDir
    static Path shared;

    @TempDir
    Path tmp;

    static String image;

    @BeforeAll
    static void push() throws Exception {
        image = registry.hostPort() + "/private/app:1";
        Images.push(shared, Images.unique("linux", "amd64"), image, "--dest-tls-verify=false", "--dest-creds", USER + ":" + PASSWORD);
    }

    CredentialStore authFile(String json) throws Exception {
        Path f = tmp.resolve("auth.json");
        Files.writeString(f, json);
        return CredentialStore.of(f, List.of(tmp));
    }

    @Test
    void pullsWithCredentialsFromAnAuthFile() throws Exception {
        String auth = java.util.Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes());
        CredentialStore creds = authFile("{\"auths\":{\"" + registry.hostPort() + "\":{\"auth\":\"" + auth + "\"}}}");
        try (RegistryClient c = RegistryClient.builder().credentials(creds).build()) {
            PullResult r = c.pull(ImageRef.parse(image), Store.open(tmp.resolve("s")), PullOptions.defaults());
            assertEquals(image, r.name());
        }
    }

    @Test
    void pullsWithACredentialHelper() throws Exception {
        Path helper = tmp.resolve("docker-credential-testhelper");
        Files.writeString(helper, "#!/bin/sh\nread url\n[ \"$1\" = get ] || exit 1\n"
                + "[ \"$url\" = \"" + registry.hostPort() + "\" ] || { echo 'credentials not found in native keychain'; exit 1; }\n"
                + "echo '{\"ServerURL\":\"'$url'\",\"Username\":\"" + USER + "\",\"Secret\":\"" + PASSWORD + "\"}'\n");
        Files.setPosixFilePermissions(helper, PosixFilePermissions.fromString("rwx------"));
        CredentialStore creds = authFile("{\"credHelpers\":{\"" + registry.hostPort() + "\":\"testhelper\"}}");
        try (RegistryClient c = RegistryClient.builder().credentials(creds).build()) {
            c.pull(ImageRef.parse(image), Store.open(tmp.resolve("s")), PullOptions.defaults());
        }
    }

    @Test
    void wrongPasswordIsA401OneLineErrorWithoutThePassword() throws Exception {
        String wrong = "not-the-Pa55word";
        String auth = java.util.Base64.getEncoder().encodeToString((USER + ":" + wrong).getBytes());
        CredentialStore creds = authFile("{\"auths\":{\"" + registry.hostPort() + "\":{\"auth\":\"" + auth + "\"}}}");
        Store store = Store.open(tmp.resolve("s"));
        try (RegistryClient c = RegistryClient.builder().credentials(creds).build()) {
            RegistryException e = assertThrows(RegistryException.class, () -> c.pull(ImageRef.parse(image), store, PullOptions.defaults()));
            assertEquals(401, e.status());
            assertTrue(e.getMessage().contains("check the user name and password"), e.getMessage());
            assertFalse(e.getMessage().contains(wrong) || e.getMessage().contains(auth), e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
            RegistryException login = assertThrows(RegistryException.class, () -> c.login(registry.hostPort(), Credential.basic(USER, wrong)));
            assertEquals(401, login.status());
        }
        assertTrue(store.entries().isEmpty());
    }

    @Test
    void anonymousPullIsRefusedAndLoginChecksCredentials() throws Exception {
        try (RegistryClient c = RegistryClient.builder().credentials(authFile("{}")).build()) {
            RegistryException e = assertThrows(RegistryException.class,
                    () -> c.pull(ImageRef.parse(image), Store.open(tmp.resolve("s")), PullOptions.defaults()));
            assertEquals(401, e.status());
            c.login(registry.hostPort(), Credential.basic(USER, PASSWORD));
        }
    }

    @Test
    void saveWritesA0600FileAndLookupFindsIt() throws Exception {
        Path f = tmp.resolve("dir/config.json");
        CredentialStore creds = CredentialStore.of(f, List.of());
        creds.save(registry.hostPort(), Credential.basic(USER, PASSWORD));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        assertEquals(USER, creds.lookup(registry.hostPort()).orElseThrow().username());
        creds.save("docker.io", Credential.basic("bob", "x"));
        assertTrue(Files.readString(f).contains(CredentialStore.DOCKER_HUB_KEY));
        assertEquals("bob", creds.lookup("index.docker.io").orElseThrow().username());
        assertTrue(creds.erase(registry.hostPort()));
        assertTrue(creds.lookup(registry.hostPort()).isEmpty());
        assertEquals("bob", creds.lookup("docker.io").orElseThrow().username(), "other entries are kept");
        assertFalse(creds.lookup("docker.io").orElseThrow().toString().contains("x]"));
    }
}
