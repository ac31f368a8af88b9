package oci.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import oci.registry.auth.CredentialStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The small parts: challenge parsing, Retry-After, credential keys, the registries config, PEM keys. */
class PiecesTest {
    @TempDir
    Path tmp;

    @Test
    void parsesBearerChallengesWithQuotedCommasAndPrefersBearerOverBasic() {
        Challenge c = Challenge.pick(List.of("Basic realm=\"x\"",
                "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:library/busybox:pull,push\""));
        assertTrue(c.isBearer());
        assertEquals(Map.of("realm", "https://auth.docker.io/token", "service", "registry.docker.io",
                "scope", "repository:library/busybox:pull,push"), c.params());
        assertTrue(Challenge.pick(List.of("Basic realm=\"Registry Realm\"")).isBasic());
        assertNull(Challenge.pick(List.of()));
    }

    @ParameterizedTest(name = "Retry-After \"{0}\" waits {1} ms")
    @CsvSource({"3, 3000", "0, 0", "-5, 0", "999, 10000", "nonsense, 100", "'', 100"})
    void retryAfterIsSecondsCappedOrTheBackoff(String header, long millis) {
        RetryInterceptor r = new RetryInterceptor(3, Duration.ofMillis(100), Duration.ofSeconds(10), null);
        assertEquals(Duration.ofMillis(millis), r.retryAfter(header, 1));
    }

    @Test
    void retryAfterAsAnHttpDate() {
        RetryInterceptor r = new RetryInterceptor(3, Duration.ofMillis(100), Duration.ofSeconds(10), null);
        String in5s = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(5));
        Duration d = r.retryAfter(in5s, 1);
        assertTrue(d.compareTo(Duration.ofSeconds(3)) > 0 && d.compareTo(Duration.ofSeconds(6)) <= 0, d.toString());
        assertEquals(Duration.ofMillis(400), r.backoff(3));
    }

    @ParameterizedTest(name = "config key \"{0}\" is registry {1}")
    @CsvSource({"https://index.docker.io/v1/, docker.io", "index.docker.io, docker.io", "registry-1.docker.io, docker.io",
            "http://registry.lan:5000, registry.lan:5000", "ghcr.io/v2/, ghcr.io", "127.0.0.1:5000, 127.0.0.1:5000"})
    void credentialKeysAreNormalisedLikeDocker(String key, String domain) throws Exception {
        Path f = tmp.resolve("c.json");
        Files.writeString(f, "{\"auths\":{\"" + key + "\":{\"username\":\"u\",\"password\":\"p\"}}}");
        assertEquals("u", CredentialStore.of(f, List.of()).lookup(domain).orElseThrow().username());
        assertEquals(domain.equals("docker.io") ? CredentialStore.DOCKER_HUB_KEY : domain, CredentialStore.keyFor(domain));
    }

    @Test
    void malformedAuthEntryIsAOneLineErrorNamingTheFile() throws Exception {
        Path f = tmp.resolve("c.json");
        Files.writeString(f, "{\"auths\":{\"ghcr.io\":{\"auth\":\"%%%\"}}}");
        RegistryException e = assertThrows(RegistryException.class, () -> CredentialStore.of(f, List.of()).lookup("ghcr.io"));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("not base64"), e.getMessage());
    }

    @Test
    void savingACredentialKeepsTheFilesOtherSettingsAsTheyWere() throws Exception {
        Path f = tmp.resolve("config.json");
        Files.writeString(f, "{\"auths\":{\"ghcr.io\":{\"auth\":\"dTpw\"}},\"HttpHeaders\":{\"X-Meta\":\"a\"},\"detachKeys\":\"ctrl-e\",\"n\":3,\"f\":1.5,\"on\":true}");
        CredentialStore creds = CredentialStore.of(f, List.of());
        creds.save("quay.io", oci.registry.auth.Credential.basic("bob", "pw"));
        String saved = Files.readString(f);
        Object tree = oci.image.ModelJson.tree(saved.getBytes(java.nio.charset.StandardCharsets.UTF_8), "saved");
        assertEquals(Map.of("X-Meta", "a"), ((Map<?, ?>) tree).get("HttpHeaders"));
        assertEquals(List.of("auths", "HttpHeaders", "detachKeys", "n", "f", "on"), List.copyOf(((Map<?, ?>) tree).keySet()));
        assertEquals(3, ((Map<?, ?>) tree).get("n"));
        assertEquals(1.5, ((Map<?, ?>) tree).get("f"));
        assertTrue(saved.contains("\n"), "written indented: " + saved);
        assertEquals("u", creds.lookup("ghcr.io").orElseThrow().username());
        assertEquals("bob", creds.lookup("quay.io").orElseThrow().username());
        assertTrue(creds.erase("ghcr.io"));
        assertTrue(creds.lookup("ghcr.io").isEmpty());
        assertEquals("ctrl-e", ((Map<?, ?>) oci.image.ModelJson.tree(Files.readAllBytes(f), "erased")).get("detachKeys"));
    }

    @Test
    void malformedCredentialsAndRegistriesFilesAreOneLineErrorsNamingTheFile() throws Exception {
        Path f = tmp.resolve("bad.json");
        Files.writeString(f, "{\"auths\": {");
        RuntimeException e = assertThrows(RuntimeException.class, () -> CredentialStore.of(f, List.of()).lookup("ghcr.io"));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("malformed JSON") && !e.getMessage().contains("\n"), e.getMessage());
        e = assertThrows(RuntimeException.class, () -> RegistriesConfig.load(f));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("malformed JSON"), e.getMessage());
    }

    @Test
    void jsonValuesCoerceAsJacksonsTreeDid() {
        assertEquals("x", JsonText.text("x", "d"));
        assertEquals("5", JsonText.text(5, "d"));
        assertEquals("true", JsonText.text(true, "d"));
        assertEquals("d", JsonText.text(null, "d"));
        assertEquals("", JsonText.text(Map.of(), "d"));
        assertTrue(JsonText.bool(true, false) && JsonText.bool("true", false) && JsonText.bool(1, false) && JsonText.bool("?", true));
        assertTrue(!JsonText.bool("false", true) && !JsonText.bool(0, true) && !JsonText.bool(null, false));
    }

    @Test
    void registriesConfigReadsMirrorsAndInsecureAndRefusesBadShapes() throws Exception {
        Path f = tmp.resolve("r.json");
        Files.writeString(f, "{\"registries\":{\"docker.io\":{\"mirrors\":[\"m1:5000\",\"http://m2\"]},\"lan:5000\":{\"insecure\":true}}}");
        RegistriesConfig c = RegistriesConfig.load(f);
        assertEquals(List.of("m1:5000", "http://m2"), c.mirrors("docker.io"));
        assertTrue(c.insecure("lan:5000"));
        assertEquals(RegistriesConfig.empty(), RegistriesConfig.load(tmp.resolve("missing.json")));
        Files.writeString(f, "{\"registries\":{\"docker.io\":{\"mirrors\":[5]}}}");
        assertTrue(assertThrows(RegistryException.class, () -> RegistriesConfig.load(f)).getMessage().contains("mirrors must be strings"));
    }

    @Test
    void clientKeysInTraditionalPemAreReadWithBouncyCastleAndBadFilesAreNamed() throws Exception {
        TestPki.Issued ca = TestPki.ca("ca");
        TestPki.Issued client = TestPki.clientRsa(ca, "client");
        Path d = Files.createDirectories(tmp.resolve("certs"));
        Files.writeString(d.resolve("client.cert"), TestPki.pem(client.cert()));
        Files.writeString(d.resolve("client.key"), TestPki.pem(client.keys().getPrivate())); // PKCS#1
        assertTrue(Files.readString(d.resolve("client.key")).contains("BEGIN RSA PRIVATE KEY"));
        assertNotNull(Tls.forHost("h:1", List.of(d), true).factory());
        Files.writeString(d.resolve("ca.crt"), "not a certificate");
        RegistryException e = assertThrows(RegistryException.class, () -> Tls.forHost("h:1", List.of(d), true));
        assertTrue(e.getMessage().contains("ca.crt"), e.getMessage());
    }

    /**
     * A pull's own jar leaves Bouncy Castle off its class path: IsolatedPemKeys then reads keys with
     * a copy of PemKeys in a class loader that sees Bouncy Castle's jars, and says so in one line
     * when it finds none.
     */
    @Test
    void clientKeysAreReadWithBouncyCastleInALoaderOfTheirOwn() throws Exception {
        TestPki.Issued ca = TestPki.ca("ca");
        TestPki.Issued client = TestPki.clientRsa(ca, "client");
        Path key = Files.writeString(tmp.resolve("client.key"), TestPki.pem(client.keys().getPrivate()));
        java.util.List<java.net.URL> bouncyCastle = new java.util.ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (Path.of(entry).getFileName().toString().matches("bc(prov|pkix|util)-.*\\.jar")) bouncyCastle.add(Path.of(entry).toUri().toURL());
        }
        assertEquals(3, bouncyCastle.size(), "bcprov, bcpkix and bcutil on the test class path");
        java.security.PrivateKey isolated = IsolatedPemKeys.read(key, bouncyCastle);
        assertEquals(PemKeys.read(key), isolated);
        assertTrue(java.util.Arrays.equals(client.keys().getPrivate().getEncoded(), isolated.getEncoded()));
        Files.writeString(tmp.resolve("no.key"), "not a key");
        assertNull(IsolatedPemKeys.read(tmp.resolve("no.key"), bouncyCastle));
        IOException none = assertThrows(IOException.class, () -> IsolatedPemKeys.read(key, java.util.List.of()));
        assertTrue(none.getMessage().contains("needs Bouncy Castle"), none.getMessage());
    }
}
