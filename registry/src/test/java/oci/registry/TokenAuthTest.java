package oci.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import oci.image.ImageRef;
import oci.image.store.Store;
import oci.registry.auth.CredentialStore;
import oci.testdata.registry.RegistryServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real docker-registry with token auth: its {@code auth.token} points at {@link TokenServer}, run
 * here, which signs JWTs with a Bouncy Castle key whose certificate is the registry's rootcertbundle.
 */
class TokenAuthTest {
    static final String USER = "bob";
    static final String PASSWORD = "t0ken-Pa55";

    @TempDir
    static Path dir;

    static TokenServer tokens;
    static RegistryServer registry;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        TestPki.Issued signer = TestPki.tokenSigner();
        Path bundle = dir.resolve("token-root.pem");
        Files.writeString(bundle, TestPki.pem(signer.cert()));
        tokens = new TokenServer(signer, USER, PASSWORD);
        registry = RegistryServer.builder(dir.resolve("registry"))
                .token(tokens.realm(), TokenServer.SERVICE, TokenServer.ISSUER, bundle).start();
        String creds = USER + ":" + PASSWORD;
        Images.push(dir, Images.unique("linux", "amd64"), registry.hostPort() + "/private/app:1", "--dest-tls-verify=false", "--dest-creds", creds);
        Images.push(dir, Images.unique("linux", "amd64"), registry.hostPort() + "/public/app:1", "--dest-tls-verify=false", "--dest-creds", creds);
        Images.push(dir, Images.unique("linux", "amd64"), registry.hostPort() + "/public/other:1", "--dest-tls-verify=false", "--dest-creds", creds);
    }

    @AfterAll
    static void stop() {
        if (registry != null) registry.close();
        if (tokens != null) tokens.close();
    }

    @BeforeEach
    void clear() {
        tokens.requests.clear();
    }

    CredentialStore creds(String password) throws Exception {
        Path f = tmp.resolve("auth.json");
        String auth = Base64.getEncoder().encodeToString((USER + ":" + password).getBytes());
        Files.writeString(f, "{\"auths\":{\"" + registry.hostPort() + "\":{\"auth\":\"" + auth + "\"}}}");
        return CredentialStore.of(f, List.of());
    }

    @Test
    void anonymousTokenForAPublicRepositoryIsReusedAndANewScopeGetsANewToken() throws Exception {
        try (RegistryClient c = RegistryClient.builder().credentials(CredentialStore.of(tmp.resolve("none.json"), List.of())).build()) {
            c.pull(ImageRef.parse(registry.hostPort() + "/public/app:1"), Store.open(tmp.resolve("s")), PullOptions.defaults());
            assertEquals(1, tokens.requests.size(), "one token for the manifest and three blobs: " + tokens.requests);
            assertFalse(tokens.requests.get(0).withCredentials());
            assertEquals("repository:public/app:pull", tokens.requests.get(0).scope());
            c.pull(ImageRef.parse(registry.hostPort() + "/public/other:1"), Store.open(tmp.resolve("s")), PullOptions.defaults());
            assertEquals(2, tokens.requests.size());
            assertEquals("repository:public/other:pull", tokens.requests.get(1).scope());
        }
    }

    @Test
    void privateRepositoryNeedsCredentialsSentToTheRealm() throws Exception {
        try (RegistryClient c = RegistryClient.builder().credentials(creds(PASSWORD)).build()) {
            PullResult r = c.pull(ImageRef.parse(registry.hostPort() + "/private/app:1"), Store.open(tmp.resolve("s")), PullOptions.defaults());
            assertEquals(registry.hostPort() + "/private/app:1", r.name());
            assertTrue(tokens.requests.stream().allMatch(TokenServer.Seen::withCredentials));
            assertEquals(USER, tokens.requests.get(0).account());
        }
        try (RegistryClient c = RegistryClient.builder().credentials(CredentialStore.of(tmp.resolve("none.json"), List.of())).build()) {
            RegistryException e = assertThrows(RegistryException.class,
                    () -> c.pull(ImageRef.parse(registry.hostPort() + "/private/app:1"), Store.open(tmp.resolve("t")), PullOptions.defaults()));
            assertEquals(401, e.status());
        }
    }

    @Test
    void anIdentityTokenIsExchangedWithAnOAuth2Post() throws Exception {
        Path f = tmp.resolve("auth.json");
        Files.writeString(f, "{\"auths\":{\"" + registry.hostPort() + "\":{\"identitytoken\":\"" + TokenServer.REFRESH_TOKEN + "\"}}}");
        try (RegistryClient c = RegistryClient.builder().credentials(CredentialStore.of(f, List.of())).build()) {
            c.pull(ImageRef.parse(registry.hostPort() + "/private/app:1"), Store.open(tmp.resolve("s")), PullOptions.defaults());
        }
        assertEquals("refresh_token", tokens.requests.get(0).account());
    }

    @Test
    void wrongPasswordFailsAtTheTokenServerWithOneLine() throws Exception {
        Store store = Store.open(tmp.resolve("s"));
        try (RegistryClient c = RegistryClient.builder().credentials(creds("wrong-one")).build()) {
            RegistryException e = assertThrows(RegistryException.class,
                    () -> c.pull(ImageRef.parse(registry.hostPort() + "/private/app:1"), store, PullOptions.defaults()));
            assertEquals(401, e.status());
            assertTrue(e.getMessage().startsWith("get a token for " + registry.hostPort()), e.getMessage());
            assertFalse(e.getMessage().contains("wrong-one"));
        }
        assertTrue(store.entries().isEmpty());
    }
}
