package oci.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import oci.image.Digest;
import oci.image.ImageException;
import oci.image.ImageRef;
import oci.image.Json;
import oci.image.MediaType;
import oci.image.store.Store;
import oci.registry.auth.CredentialStore;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.SocketPolicy;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults a real registry cannot produce on demand, against a FAKE registry (MockWebServer, see
 * {@link FakeRegistry}): cuts mid-blob and resume with Range, 500 then success, 429 with
 * Retry-After, a redirect to a second host, swapped bodies, malformed, schema1 and oversized manifests.
 */
class FaultTest {
    @TempDir
    Path tmp;

    FakeRegistry fake;
    final List<PullEvent> events = Collections.synchronizedList(new ArrayList<>());
    byte[] layer;
    byte[] config;
    byte[] manifest;
    Digest layerDigest;

    @BeforeEach
    void setUp() throws Exception {
        fake = new FakeRegistry();
        layer = new byte[600_000];
        new Random(42).nextBytes(layer);
        config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}".getBytes(StandardCharsets.UTF_8);
        layerDigest = Digest.sha256(layer);
        manifest = manifest(Map.of());
    }

    @AfterEach
    void tearDown() throws Exception {
        fake.close();
    }

    byte[] manifest(Map<String, Object> extraLayerFields) {
        Map<String, Object> l = new LinkedHashMap<>(Map.of("mediaType", MediaType.OCI_LAYER_GZIP, "digest", layerDigest.toString(), "size", layer.length));
        l.putAll(extraLayerFields);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schemaVersion", 2);
        m.put("mediaType", MediaType.OCI_MANIFEST);
        m.put("config", Map.of("mediaType", MediaType.OCI_CONFIG, "digest", Digest.sha256(config).toString(), "size", config.length));
        m.put("layers", List.of(l));
        return Json.write(m);
    }

    void serve(byte[] manifestBytes) {
        fake.manifests.put("1", manifestBytes);
        fake.manifestTypes.put("1", MediaType.OCI_MANIFEST);
        fake.blobs.put(Digest.sha256(config).toString(), config);
        fake.blobs.put(layerDigest.toString(), layer);
    }

    RegistryClient client(int attempts) {
        return RegistryClient.builder().credentials(CredentialStore.of(tmp.resolve("none.json"), List.of()))
                .retries(attempts, Duration.ofMillis(10), Duration.ofSeconds(5)).listener(events::add).build();
    }

    ImageRef ref() {
        return ImageRef.parse(fake.hostPort() + "/fake/app:1");
    }

    Store store() {
        return Store.open(tmp.resolve("store"));
    }

    @Test
    void connectionCutMidBlobIsResumedWithRange() throws Exception {
        serve(manifest);
        AtomicInteger layerRequests = new AtomicInteger();
        fake.fault = r -> r.getPath().endsWith(layerDigest.toString()) && layerRequests.getAndIncrement() == 0
                ? new MockResponse().setBody(new Buffer().write(layer)).setSocketPolicy(SocketPolicy.DISCONNECT_DURING_RESPONSE_BODY)
                : null;
        Store store = store();
        try (RegistryClient c = client(3)) {
            c.pull(ref(), store, PullOptions.defaults());
        }
        var layerGets = fake.requestsTo("/blobs/" + layerDigest);
        assertEquals(2, layerGets.size());
        assertNull(layerGets.get(0).getHeader("Range"));
        String range = layerGets.get(1).getHeader("Range");
        assertTrue(range != null && range.matches("bytes=[1-9][0-9]*-"), "second request resumes: " + range);
        assertTrue(store.hasBlob(layerDigest));
        assertTrue(store.fsck().isEmpty());
    }

    @Test
    void aBlobThatStallsTimesOutAndIsResumedLater() throws Exception {
        // The read timeout is the socket's own (BufferedSocketFactory), not okio's watchdog: it must still fire.
        serve(manifest);
        fake.fault = r -> r.getPath().endsWith(layerDigest.toString()) && r.getHeader("Range") == null
                ? new MockResponse().setBody(new Buffer().write(layer)).throttleBody(64 * 1024, 3, java.util.concurrent.TimeUnit.SECONDS)
                : null;
        Store store = store();
        try (RegistryClient c = RegistryClient.builder().credentials(CredentialStore.of(tmp.resolve("none.json"), List.of()))
                .retries(1, Duration.ofMillis(10), Duration.ofSeconds(5)).readTimeout(Duration.ofMillis(300)).build()) {
            RegistryException e = assertThrows(RegistryException.class, () -> c.pull(ref(), store, PullOptions.defaults()));
            assertTrue(e.isTemporary(), e.getMessage());
            assertTrue(e.getMessage().contains("timed out talking to " + fake.hostPort()), e.getMessage());
        }
        assertFalse(store.hasBlob(layerDigest), "nothing unverified is visible");
        try (RegistryClient c = client(1)) {
            c.pull(ref(), store, PullOptions.defaults());
        }
        String range = fake.requestsTo("/blobs/" + layerDigest).getLast().getHeader("Range");
        assertTrue(range != null && range.matches("bytes=[1-9][0-9]*-"), "the re-run resumes after what arrived: " + range);
        assertTrue(store.fsck().isEmpty());
    }

    @Test
    void aSecondRunResumesThePartialFileTheFirstLeft() throws Exception {
        serve(manifest);
        fake.fault = r -> r.getPath().endsWith(layerDigest.toString()) && r.getHeader("Range") == null
                ? new MockResponse().setBody(new Buffer().write(layer)).setSocketPolicy(SocketPolicy.DISCONNECT_DURING_RESPONSE_BODY)
                : null;
        Store store = store();
        try (RegistryClient c = client(1)) {
            RegistryException e = assertThrows(RegistryException.class, () -> c.pull(ref(), store, PullOptions.defaults()));
            assertTrue(e.isTemporary(), e.getMessage());
            assertTrue(e.getMessage().startsWith("pull blob " + layerDigest), e.getMessage());
        }
        assertFalse(store.hasBlob(layerDigest), "nothing unverified is visible");
        assertTrue(store.entries().isEmpty());
        try (RegistryClient c = client(1)) {
            c.pull(ref(), store, PullOptions.defaults());
        }
        var gets = fake.requestsTo("/blobs/" + layerDigest);
        assertTrue(gets.getLast().getHeader("Range") != null, "the re-run asked only for the rest");
        assertTrue(store.hasBlob(layerDigest));
    }

    @Test
    void serverErrorThenSuccessIsRetried() throws Exception {
        serve(manifest);
        AtomicInteger n = new AtomicInteger();
        fake.fault = r -> r.getPath().contains("/manifests/") && n.getAndIncrement() == 0
                ? new MockResponse().setResponseCode(500).setBody("{\"errors\":[{\"code\":\"UNKNOWN\",\"message\":\"boom\"}]}") : null;
        try (RegistryClient c = client(3)) {
            c.pull(ref(), store(), PullOptions.defaults());
        }
        assertEquals(2, fake.requestsTo("/manifests/").size());
        assertTrue(events.stream().anyMatch(e -> e instanceof PullEvent.Retrying r && r.cause().contains("500")));
    }

    @Test
    void tooManyRequestsWaitsForRetryAfter() throws Exception {
        serve(manifest);
        AtomicInteger n = new AtomicInteger();
        fake.fault = r -> r.getPath().contains("/manifests/") && n.getAndIncrement() == 0
                ? new MockResponse().setResponseCode(429).addHeader("Retry-After", "1") : null;
        long start = System.nanoTime();
        try (RegistryClient c = client(3)) {
            c.pull(ref(), store(), PullOptions.defaults());
        }
        assertTrue(System.nanoTime() - start >= 900_000_000L, "waited about the second Retry-After asked for");
        assertTrue(events.stream().anyMatch(e -> e instanceof PullEvent.Retrying r && r.delay().equals(Duration.ofSeconds(1))));
    }

    @Test
    void redirectToAnotherHostNeverCarriesAuthorization() throws Exception {
        serve(manifest);
        String basic = "Basic " + Base64.getEncoder().encodeToString("u:p".getBytes(StandardCharsets.UTF_8));
        fake.requiredAuthorization = basic;
        try (FakeRegistry storage = new FakeRegistry()) {
            storage.requiredAuthorization = null;
            storage.fault = r -> FakeRegistry.blob(layer, r.getHeader("Range"));
            fake.fault = r -> r.getPath().endsWith(layerDigest.toString()) && basic.equals(r.getHeader("Authorization"))
                    ? new MockResponse().setResponseCode(307).addHeader("Location", "http://" + storage.hostPort() + "/storage/layer?sig=1") : null;
            Path auth = tmp.resolve("auth.json");
            Files.writeString(auth, "{\"auths\":{\"" + fake.hostPort() + "\":{\"auth\":\"" + Base64.getEncoder().encodeToString("u:p".getBytes()) + "\"}}}");
            try (RegistryClient c = RegistryClient.builder().credentials(CredentialStore.of(auth, List.of())).build()) {
                c.pull(ref(), store(), PullOptions.defaults());
            }
            assertEquals(1, storage.requests.size());
            assertNull(storage.requests.get(0).getHeader("Authorization"), "credentials never go to the storage host");
            assertEquals(basic, fake.requestsTo("/blobs/" + layerDigest).getLast().getHeader("Authorization"));
        }
    }

    @Test
    void foreignLayerUrlsAreFetchedWithoutCredentials() throws Exception {
        try (FakeRegistry foreign = new FakeRegistry()) {
            foreign.fault = r -> FakeRegistry.blob(layer, r.getHeader("Range"));
            byte[] m = manifest(Map.of("mediaType", MediaType.OCI_LAYER_ND_GZIP, "urls", List.of("http://" + foreign.hostPort() + "/layer.tar.gz")));
            serve(m);
            fake.blobs.remove(layerDigest.toString());
            String basic = "Basic " + Base64.getEncoder().encodeToString("u:p".getBytes(StandardCharsets.UTF_8));
            fake.requiredAuthorization = basic;
            Path auth = tmp.resolve("auth.json");
            Files.writeString(auth, "{\"auths\":{\"" + fake.hostPort() + "\":{\"auth\":\"" + Base64.getEncoder().encodeToString("u:p".getBytes()) + "\"}}}");
            Store store = store();
            try (RegistryClient c = RegistryClient.builder().credentials(CredentialStore.of(auth, List.of())).build()) {
                c.pull(ref(), store, PullOptions.defaults());
            }
            assertTrue(store.hasBlob(layerDigest));
            assertEquals(1, foreign.requests.size());
            assertNull(foreign.requests.get(0).getHeader("Authorization"));
        }
    }

    @Test
    void credentialsAreNeverSentToAPlainHttpTokenRealmOffLoopback() throws Exception {
        serve(manifest);
        fake.fault = r -> r.getHeader("Authorization") == null && !r.getPath().equals("/v2/")
                ? new MockResponse().setResponseCode(401).addHeader("WWW-Authenticate",
                        "Bearer realm=\"http://token.example.invalid/token\",service=\"fake\",scope=\"repository:fake/app:pull\"") : null;
        Path auth = tmp.resolve("auth.json");
        Files.writeString(auth, "{\"auths\":{\"" + fake.hostPort() + "\":{\"auth\":\"" + Base64.getEncoder().encodeToString("u:secret-pw".getBytes()) + "\"}}}");
        try (RegistryClient c = RegistryClient.builder().credentials(CredentialStore.of(auth, List.of())).build()) {
            RegistryException e = assertThrows(RegistryException.class, () -> c.pull(ref(), store(), PullOptions.defaults()));
            assertTrue(e.getMessage().contains("refusing to send credentials over plain HTTP to the token realm token.example.invalid"), e.getMessage());
            assertFalse(e.getMessage().contains("secret-pw"));
        }
    }

    @Test
    void swappedBlobBodyIsRefusedAndNothingIsStored() throws Exception {
        serve(manifest);
        byte[] other = layer.clone();
        other[1000] ^= 1;
        fake.blobs.put(layerDigest.toString(), other);
        Store store = store();
        try (RegistryClient c = client(2)) {
            RegistryException e = assertThrows(RegistryException.class, () -> c.pull(ref(), store, PullOptions.defaults()));
            assertTrue(e.getMessage().contains("digest mismatch"), e.getMessage());
            assertTrue(e.getMessage().startsWith("pull blob " + layerDigest), e.getMessage());
            assertFalse(e.isTemporary());
        }
        assertFalse(store.hasBlob(layerDigest));
        assertTrue(store.entries().isEmpty());
        try (var partials = Files.list(store.tmpDir())) {
            assertEquals(0, partials.filter(p -> p.getFileName().toString().startsWith("partial-")).count(), "bad bytes are not kept");
        }
    }

    @Test
    void truncatedBlobEveryTimeFailsAfterRetriesWithNothingVisible() throws Exception {
        serve(manifest);
        fake.fault = r -> r.getPath().endsWith(layerDigest.toString())
                ? new MockResponse().setBody(new Buffer().write(layer)).setSocketPolicy(SocketPolicy.DISCONNECT_DURING_RESPONSE_BODY) : null;
        Store store = store();
        try (RegistryClient c = client(3)) {
            RegistryException e = assertThrows(RegistryException.class, () -> c.pull(ref(), store, PullOptions.defaults()));
            assertTrue(e.getMessage().startsWith("pull blob " + layerDigest + " of " + fake.hostPort() + "/fake/app:1"), e.getMessage());
        }
        assertFalse(store.hasBlob(layerDigest));
        assertTrue(store.entries().isEmpty());
        assertTrue(store.fsck().isEmpty());
    }

    @Test
    void manifestProblemsAreOneLineErrors() throws Exception {
        serve(manifest);
        Store store = store();
        try (RegistryClient c = client(1)) {
            fake.manifests.put("1", "{not json".getBytes());
            assertOneLine(assertThrows(ImageException.class, () -> c.pull(ref(), store, PullOptions.defaults())), "malformed manifest");

            fake.manifests.put("1", "{\"schemaVersion\":1,\"name\":\"fake/app\",\"fsLayers\":[]}".getBytes());
            fake.manifestTypes.put("1", MediaType.DOCKER_SCHEMA1_SIGNED);
            assertOneLine(assertThrows(ImageException.class, () -> c.pull(ref(), store, PullOptions.defaults())), "schema1");
            fake.manifestTypes.put("1", MediaType.OCI_MANIFEST);

            byte[] big = new byte[(int) ManifestGet.MAX_MANIFEST + 10];
            java.util.Arrays.fill(big, (byte) ' ');
            fake.manifests.put("1", big);
            assertOneLine(assertThrows(ImageException.class, () -> c.pull(ref(), store, PullOptions.defaults())), "larger than 4 MiB");

            fake.manifests.put("1", manifest);
            fake.fault = r -> r.getPath().contains("/manifests/")
                    ? new MockResponse().addHeader("Docker-Content-Digest", Digest.sha256(config).toString()).setBody(new Buffer().write(manifest)) : null;
            assertOneLine(assertThrows(ImageException.class, () -> c.pull(ref(), store, PullOptions.defaults())), "Docker-Content-Digest says");

            fake.fault = r -> null;
            Digest wanted = Digest.sha256("something else".getBytes());
            fake.manifests.put(wanted.toString(), manifest);
            fake.manifestTypes.put(wanted.toString(), MediaType.OCI_MANIFEST);
            assertOneLine(assertThrows(ImageException.class,
                    () -> c.pull(ImageRef.parse(fake.hostPort() + "/fake/app@" + wanted), store, PullOptions.defaults())), "not the requested " + wanted);
        }
        assertTrue(store.entries().isEmpty());
        assertFalse(store.hasBlob(layerDigest), "no blob fetched for a refused manifest");
    }

    private static void assertOneLine(ImageException e, String expected) {
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }
}
