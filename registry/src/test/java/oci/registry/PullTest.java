package oci.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import oci.image.Descriptor;
import oci.image.ImageException;
import oci.image.ImageRef;
import oci.image.MediaType;
import oci.image.Platform;
import oci.image.store.Store;
import oci.image.store.StoredImage;
import oci.registry.auth.CredentialStore;
import oci.testdata.registry.RegistryExtension;
import oci.testdata.registry.RegistryServer;
import oci.testdata.registry.Skopeo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Pulls from a real docker-registry (plain HTTP on 127.0.0.1, no auth). */
class PullTest {
    @RegisterExtension
    static RegistryExtension registry = RegistryExtension.plain();

    @TempDir
    Path tmp;

    final List<PullEvent> events = Collections.synchronizedList(new ArrayList<>());

    RegistryClient client() {
        return RegistryClient.builder().credentials(CredentialStore.of(tmp.resolve("no-auth.json"), List.of()))
                .listener(events::add).build();
    }

    Store store() {
        return Store.open(tmp.resolve("store"));
    }

    @Test
    void pullsByTagStoresVerifiedBlobsAndNamesTheImage() throws Exception {
        Descriptor pushed = Images.push(tmp, Images.unique("linux", "amd64"), registry.hostPort() + "/app/one:1.0");
        Store store = store();
        try (RegistryClient c = client()) {
            PullResult r = c.pull(ImageRef.parse(registry.hostPort() + "/app/one:1.0"), store, PullOptions.defaults());
            assertEquals(registry.hostPort() + "/app/one:1.0", r.name());
            assertEquals(pushed.digest(), r.target().digest());
            assertEquals(3, r.fetched().size(), "config and two layers");
        }
        StoredImage img = store.image(registry.hostPort() + "/app/one:1.0", Platform.host());
        assertEquals(2, img.manifest().layers().size());
        assertTrue(store.fsck().isEmpty(), () -> "fsck: " + store.fsck());
        PullEvent.Done done = (PullEvent.Done) events.getLast();
        assertEquals(pushed.digest(), done.digest());
    }

    @Test
    void pullByDigestAndBlobsAlreadyPresentAreNotFetchedAgain() throws Exception {
        Descriptor pushed = Images.push(tmp, Images.unique("linux", "amd64"), registry.hostPort() + "/app/two:latest");
        Store store = store();
        String byDigest = registry.hostPort() + "/app/two@" + pushed.digest();
        try (RegistryClient c = client()) {
            PullResult first = c.pull(ImageRef.parse(byDigest), store, PullOptions.defaults());
            assertEquals(byDigest, first.name());
            assertEquals(3, first.fetched().size());
            events.clear();
            PullResult again = c.pull(ImageRef.parse(registry.hostPort() + "/app/two"), store, PullOptions.defaults());
            assertEquals(pushed.digest(), again.target().digest());
            assertTrue(again.fetched().isEmpty(), "nothing downloaded the second time");
            assertEquals(3, events.stream().filter(e -> e instanceof PullEvent.BlobPresent).count());
            assertTrue(events.stream().noneMatch(e -> e instanceof PullEvent.BlobStarted));
        }
    }

    @Test
    void choosesThePlatformFromAnIndexAndListsPlatformsWhenNoneMatches() throws Exception {
        Descriptor index = Images.pushIndex(tmp, registry.hostPort() + "/multi:1", List.of("linux/amd64", "linux/arm64"));
        Store store = store();
        try (RegistryClient c = client()) {
            PullResult arm = c.pull(ImageRef.parse(registry.hostPort() + "/multi:1"), store,
                    new PullOptions(Platform.parse("linux/arm64"), false, 3));
            assertEquals(index.digest(), arm.target().digest());
            assertEquals(1, arm.manifests().size());
            assertEquals("arm64", arm.manifests().get(0).platform().architecture());
            assertEquals("arm64", store.image(arm.name(), Platform.parse("linux/arm64")).config().architecture());

            ImageException e = assertThrows(ImageException.class, () -> c.pull(ImageRef.parse(registry.hostPort() + "/multi:1"),
                    store(), new PullOptions(Platform.parse("linux/s390x"), false, 3)));
            assertTrue(e.getMessage().contains("linux/amd64") && e.getMessage().contains("linux/arm64")
                    && e.getMessage().contains("linux/s390x"), e.getMessage());

            Store all = Store.open(tmp.resolve("all"));
            PullResult both = c.pull(ImageRef.parse(registry.hostPort() + "/multi:1"), all, new PullOptions(null, true, 2));
            assertEquals(2, both.manifests().size());
            assertEquals(6, both.fetched().size());
            assertTrue(all.fsck().isEmpty(), () -> "fsck: " + all.fsck());
        }
    }

    @Test
    void aSingleImageForAnotherPlatformIsRefusedWhenAPlatformIsChosen() throws Exception {
        Images.push(tmp, Images.unique("linux", "arm64"), registry.hostPort() + "/app/armonly:1");
        Store store = store();
        try (RegistryClient c = client()) {
            RegistryException e = assertThrows(RegistryException.class, () -> c.pull(ImageRef.parse(registry.hostPort() + "/app/armonly:1"),
                    store, new PullOptions(Platform.parse("linux/amd64"), false, 3)));
            assertTrue(e.getMessage().contains("the image is for linux/arm64, not the requested linux/amd64"), e.getMessage());
            assertTrue(store.entries().isEmpty());
            assertEquals(1, events.stream().filter(x -> x instanceof PullEvent.BlobDone).count(), "only the config was fetched");
            // Without --platform, the host default is not enforced (Docker warns; the user may run it under emulation).
            c.pull(ImageRef.parse(registry.hostPort() + "/app/armonly:1"), store, PullOptions.defaults());
        }
    }

    @Test
    void dockerSchema2ManifestsArePulledAsReceived() throws Exception {
        Images.push(tmp, Images.unique("linux", "amd64"), registry.hostPort() + "/app/docker:v2", "--dest-tls-verify=false", "--format", "v2s2");
        Store store = store();
        try (RegistryClient c = client()) {
            PullResult r = c.pull(ImageRef.parse(registry.hostPort() + "/app/docker:v2"), store, PullOptions.defaults());
            assertEquals(MediaType.DOCKER_MANIFEST, r.target().mediaType());
            assertEquals(r.target().digest(), oci.image.Digest.sha256(store.readBlob(r.target().digest())));
        }
    }

    @Test
    void storesTheSameBlobsAndManifestAsSkopeo() throws Exception {
        Images.push(tmp, Images.unique("linux", "amd64"), registry.hostPort() + "/interop/img:1");
        Store store = store();
        try (RegistryClient c = client()) {
            c.pull(ImageRef.parse(registry.hostPort() + "/interop/img:1"), store, PullOptions.defaults());
        }
        Path skopeoLayout = tmp.resolve("skopeo");
        Skopeo.copy("docker://" + registry.hostPort() + "/interop/img:1", "oci:" + skopeoLayout + ":img", "--src-tls-verify=false");
        assertEquals(Images.blobs(skopeoLayout), Images.blobs(store.root()));
    }

    @Test
    void storesTheSameIndexManifestsAndBlobsAsSkopeoForAllPlatforms() throws Exception {
        Images.pushIndex(tmp, registry.hostPort() + "/interop/multi:1", List.of("linux/amd64", "linux/arm64", "linux/arm/v7"));
        Store store = store();
        try (RegistryClient c = client()) {
            c.pull(ImageRef.parse(registry.hostPort() + "/interop/multi:1"), store, new PullOptions(null, true, 3));
        }
        Path skopeoLayout = tmp.resolve("skopeo");
        Skopeo.copy("docker://" + registry.hostPort() + "/interop/multi:1", "oci:" + skopeoLayout + ":img", "--src-tls-verify=false", "--all");
        assertEquals(Images.blobs(skopeoLayout), Images.blobs(store.root()));
    }

    @Test
    void unknownTagAndUnknownRepositoryAreOneLineErrors() throws Exception {
        Images.push(tmp, Images.unique("linux", "amd64"), registry.hostPort() + "/app/three:1");
        Store store = store();
        try (RegistryClient c = client()) {
            RegistryException tag = assertThrows(RegistryException.class,
                    () -> c.pull(ImageRef.parse(registry.hostPort() + "/app/three:nope"), store, PullOptions.defaults()));
            assertEquals(404, tag.status());
            assertTrue(tag.codes().contains("MANIFEST_UNKNOWN"), tag.codes().toString());
            assertTrue(tag.getMessage().startsWith("pull " + registry.hostPort() + "/app/three:nope from "), tag.getMessage());
            assertFalse(tag.getMessage().contains("\n"));
            RegistryException repo = assertThrows(RegistryException.class,
                    () -> c.pull(ImageRef.parse(registry.hostPort() + "/no/such:1"), store, PullOptions.defaults()));
            assertEquals(404, repo.status());
        }
        assertTrue(store.entries().isEmpty());
    }

    @Test
    void refusedConnectionAndUnknownHostAreOneLineErrors() {
        int closed = RegistryServer.freePort();
        try (RegistryClient c = client()) {
            RegistryException refused = assertThrows(RegistryException.class,
                    () -> c.pull(ImageRef.parse("127.0.0.1:" + closed + "/x:1"), store(), PullOptions.defaults()));
            assertTrue(refused.getMessage().contains("cannot connect to 127.0.0.1:" + closed + ": connection refused (is the registry"),
                    refused.getMessage());
            // once, in plain words: not Java's "/127.0.0.1", not the https:// URL of one attempt
            assertFalse(refused.getMessage().contains("/127.0.0.1") || refused.getMessage().contains("https://"), refused.getMessage());
            assertEquals(0, refused.status());
            RegistryException unknown = assertThrows(RegistryException.class,
                    () -> c.pull(ImageRef.parse("no-such-host.invalid/x:1"), store(), PullOptions.defaults()));
            assertTrue(unknown.getMessage().contains("cannot resolve registry host \"no-such-host.invalid\""), unknown.getMessage());
        }
    }

    @Test
    void aMirrorThatHasTheImageServesItAndOneThatDoesNotFallsBack() throws Exception {
        try (RegistryServer mirror = RegistryServer.builder(tmp.resolve("mirror")).start()) {
            Images.push(tmp, Images.unique("linux", "amd64"), mirror.hostPort() + "/app/cached:1");
            Images.push(tmp, Images.unique("linux", "amd64"), registry.hostPort() + "/app/upstream-only:1");
            Path conf = tmp.resolve("registries.json");
            Files.writeString(conf, "{\"registries\":{\"" + registry.hostPort() + "\":{\"mirrors\":[\"" + mirror.hostPort() + "\"]}}}");
            try (RegistryClient c = RegistryClient.builder().credentials(CredentialStore.of(tmp.resolve("none.json"), List.of()))
                    .config(RegistriesConfig.load(conf)).listener(events::add).build()) {
                // Only the mirror has app/cached: pulling it by the upstream name proves the mirror served it.
                PullResult cached = c.pull(ImageRef.parse(registry.hostPort() + "/app/cached:1"), store(), PullOptions.defaults());
                assertEquals(registry.hostPort() + "/app/cached:1", cached.name());
                PullEvent.Resolved from = (PullEvent.Resolved) events.stream().filter(e -> e instanceof PullEvent.Resolved).findFirst().orElseThrow();
                assertEquals(mirror.hostPort(), from.registry());
                events.clear();
                c.pull(ImageRef.parse(registry.hostPort() + "/app/upstream-only:1"), store(), PullOptions.defaults());
                assertTrue(events.stream().anyMatch(e -> e instanceof PullEvent.MirrorFailed m && m.cause().contains("404")));
                PullEvent.Resolved up = (PullEvent.Resolved) events.stream().filter(e -> e instanceof PullEvent.Resolved).findFirst().orElseThrow();
                assertEquals(registry.hostPort(), up.registry());
            }
        }
    }

    @Test
    void plainHttpIsRefusedForNonLoopbackMirrorsNotMarkedInsecure() throws Exception {
        Path conf = tmp.resolve("registries.json");
        Files.writeString(conf, "{\"registries\":{\"" + registry.hostPort() + "\":{\"mirrors\":[\"http://example.invalid:5000\"]}}}");
        Images.push(tmp, Images.unique("linux", "amd64"), registry.hostPort() + "/app/mirrored:1");
        try (RegistryClient c = RegistryClient.builder().credentials(CredentialStore.of(tmp.resolve("none.json"), List.of()))
                .config(RegistriesConfig.load(conf)).listener(events::add).build()) {
            PullResult r = c.pull(ImageRef.parse(registry.hostPort() + "/app/mirrored:1"), store(), PullOptions.defaults());
            assertEquals(registry.hostPort() + "/app/mirrored:1", r.name());
        }
        PullEvent.MirrorFailed failed = (PullEvent.MirrorFailed) events.stream().filter(e -> e instanceof PullEvent.MirrorFailed).findFirst().orElseThrow();
        assertTrue(failed.cause().contains("plain HTTP is only used for loopback"), failed.cause());
    }
}
