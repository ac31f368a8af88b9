package oci.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import oci.image.Descriptor;
import oci.image.Index;
import oci.image.Json;
import oci.image.MediaType;
import oci.image.Platform;
import oci.image.store.Store;
import oci.testdata.Tar;
import oci.testdata.TestImage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** images, inspect, tag, rmi, gc and fsck, in-process on a store the test fills with TestImage. */
class StoreCommandsTest {
    @TempDir Path dir;
    Path root;
    Store store;
    Descriptor app;

    @BeforeEach
    void fill() {
        root = dir.resolve("store");
        store = Store.open(root);
        app = TestImage.create().layer(Tar.build().file("hello", "hello\n").bytes()).cmd("/bin/hello").env("A=1")
                .into(store, "example.com/app:1");
    }

    Cli.Result run(String... args) {
        return Cli.run(root, args);
    }

    Cli.Result ok(String... args) {
        Cli.Result r = run(args);
        assertEquals(0, r.code(), r.toString());
        return r;
    }

    Cli.Result fails(String... args) {
        Cli.Result r = run(args);
        assertEquals(1, r.code(), r.toString());
        assertEquals(1, r.err().lines().count(), r.toString());
        return r;
    }

    String configId() {
        return store.image("example.com/app:1", Platform.host()).manifest().config().digest().encoded().substring(0, 12);
    }

    @Test
    void imagesPrintsATableLikeDocker() {
        TestImage.create().layer(Tar.build().file("b", "b").bytes()).into(store, "docker.io/library/busybox:latest");
        List<String> lines = ok("images").out().lines().toList();
        assertEquals(3, lines.size(), lines.toString());
        assertTrue(lines.get(0).matches("REPOSITORY +TAG +IMAGE ID +CREATED +SIZE"), lines.get(0));
        assertTrue(lines.get(1).matches("example\\.com/app +1 +" + configId() + " +\\d+ (years|months) ago +\\d+(\\.\\d+)?[kM]?B"), lines.get(1));
        assertTrue(lines.get(2).startsWith("busybox "), "Docker Hub names in their short form: " + lines.get(2));
        // Columns line up: every row starts its TAG column where the header does.
        int tagCol = lines.get(0).indexOf("TAG");
        for (String l : lines.subList(1, 3)) assertEquals(' ', l.charAt(tagCol - 1), l);
    }

    @Test
    void theImageIdThatImagesShowsNamesTheImage() {
        String id = configId();
        assertTrue(ok("images").out().contains(id));
        assertTrue(ok("inspect", id).out().contains("/bin/hello"));
        assertTrue(ok("tag", id, "example.com/app:2").err().isEmpty());
        assertEquals(app.digest(), store.resolve("example.com/app:2").digest());
        ok("rmi", id);
        assertTrue(store.entries().isEmpty(), "rmi IMAGE-ID removes every name of the image");
    }

    @Test
    void imagesAsJson() {
        JsonNode list = Json.read(ok("images", "--format", "json").out().getBytes(StandardCharsets.UTF_8), JsonNode.class, "out");
        assertEquals(1, list.size());
        JsonNode i = list.get(0);
        assertEquals("example.com/app:1", i.get("name").asText());
        assertEquals("example.com/app", i.get("repository").asText());
        assertEquals("1", i.get("tag").asText());
        assertEquals(app.digest().toString(), i.get("digest").asText());
        assertEquals("2024-01-02T03:04:05Z", i.get("created").asText());
        assertEquals("linux/amd64", i.get("platform").asText());
        long expected = store.image("example.com/app:1", Platform.host()).manifest().totalLayerSize()
                + store.image("example.com/app:1", Platform.host()).manifest().config().size();
        assertEquals(expected, i.get("size").asLong());
    }

    @Test
    void imagesListsAMultiPlatformImageWithoutThisMachinesPlatform() {
        Descriptor s390 = TestImage.create().layer(Tar.build().file("s", "s").bytes()).platform("linux", "s390x").into(store, null)
                .withPlatform(Platform.of("linux", "s390x", null));
        store.tag(store.putBlob(MediaType.OCI_INDEX, Json.write(Index.of(List.of(s390)))), "example.com/s390:1");
        JsonNode list = Json.read(ok("images", "--format", "json").out().getBytes(StandardCharsets.UTF_8), JsonNode.class, "out");
        JsonNode row = list.get(1);
        assertEquals("example.com/s390:1", row.get("name").asText());
        assertEquals("linux/s390x", row.get("platform").asText());
        assertTrue(row.get("size").asLong() > 0);
    }

    @Test
    void imagesOnAnEmptyStorePrintsTheHeader() {
        Path empty = dir.resolve("empty");
        Cli.Result r = Cli.run(empty, "images");
        assertEquals(0, r.code());
        assertEquals(1, r.out().lines().count());
    }

    @Test
    void humanSizesAndAgesLikeDocker() {
        assertEquals("999B", ImagesCommand.humanSize(999));
        assertEquals("1kB", ImagesCommand.humanSize(1000));
        assertEquals("4.26MB", ImagesCommand.humanSize(4_260_000));
        assertEquals("1.5GB", ImagesCommand.humanSize(1_500_000_000));
        Instant now = Instant.parse("2024-03-01T00:00:00Z");
        assertEquals("2 hours ago", ImagesCommand.ago("2024-02-29T22:00:00Z", now));
        assertEquals("3 days ago", ImagesCommand.ago("2024-02-27T00:00:00Z", now));
        assertEquals("N/A", ImagesCommand.ago(null, now));
    }

    @Test
    void inspectPrintsTheConfigManifestOrRawBytes() {
        JsonNode cfg = Json.read(ok("inspect", "app:1".replace("app", "example.com/app")).out().getBytes(StandardCharsets.UTF_8), JsonNode.class, "out");
        assertEquals("/bin/hello", cfg.at("/config/Cmd/0").asText());
        assertEquals("A=1", cfg.at("/config/Env/0").asText());
        Descriptor configDesc = store.image("example.com/app:1", Platform.host()).manifest().config();
        assertEquals(new String(store.readBlob(configDesc.digest()), StandardCharsets.UTF_8), ok("inspect", "--raw", "example.com/app:1").out());
        assertEquals(new String(store.readBlob(app.digest()), StandardCharsets.UTF_8), ok("inspect", "--manifest", "--raw", app.digest().encoded().substring(0, 10)).out());
        JsonNode m = Json.read(ok("inspect", "--manifest", "example.com/app:1").out().getBytes(StandardCharsets.UTF_8), JsonNode.class, "out");
        assertEquals(MediaType.OCI_MANIFEST, m.get("mediaType").asText());
        assertTrue(fails("inspect", "nothere").err().startsWith("oci: image \"nothere\" is not in the store"));
    }

    @Test
    void inspectChoosesAPlatformFromAnIndex() {
        Descriptor arm = TestImage.create().layer(Tar.build().file("a", "a").bytes()).platform("linux", "arm64").into(store, null)
                .withPlatform(Platform.of("linux", "arm64", "v8"));
        Descriptor amd = app.withPlatform(Platform.of("linux", "amd64", null));
        Descriptor idx = store.putBlob(MediaType.OCI_INDEX, Json.write(Index.of(List.of(amd, arm))));
        store.tag(idx, "example.com/multi:1");
        JsonNode cfg = Json.read(ok("inspect", "--platform", "linux/aarch64", "example.com/multi:1").out().getBytes(StandardCharsets.UTF_8), JsonNode.class, "o");
        assertEquals("arm64", cfg.get("architecture").asText());
        JsonNode index = Json.read(ok("inspect", "--manifest", "example.com/multi:1").out().getBytes(StandardCharsets.UTF_8), JsonNode.class, "o");
        assertEquals(2, index.get("manifests").size());
        String err = fails("inspect", "--platform", "linux/s390x", "example.com/multi:1").err();
        assertTrue(err.contains("no image for platform linux/s390x; available: linux/amd64, linux/arm64/v8"), err);
        assertTrue(fails("inspect", "--platform", "linux", "example.com/multi:1").err().contains("invalid platform \"linux\""));
    }

    @Test
    void tagAddsANormalisedName() {
        ok("tag", "example.com/app:1", "myapp:2");
        assertEquals(app.digest(), store.resolve("docker.io/library/myapp:2").digest());
        assertEquals(app.digest(), store.resolve("example.com/app:1").digest());
        assertTrue(fails("tag", "example.com/app:1", "Bad:Name").err().contains("invalid image reference \"Bad:Name\""));
        assertTrue(fails("tag", "nothere", "x:1").err().contains("image \"nothere\" is not in the store"));
    }

    @Test
    void rmiRemovesNamesAndGcFreesTheBlobs() throws Exception {
        ok("tag", "example.com/app:1", "example.com/app:2");
        assertEquals("Untagged: example.com/app:1\n", ok("rmi", "example.com/app:1").out());
        assertTrue(store.hasBlob(app.digest()), "still named example.com/app:2");
        assertEquals("Untagged: example.com/app:2\n", ok("rmi", "example.com/app:2").out());
        assertTrue(store.hasBlob(app.digest()), "rmi leaves blobs for gc");
        Cli.Result gc = ok("gc");
        assertTrue(gc.out().contains("Deleted: " + app.digest()), gc.out());
        assertTrue(gc.out().matches("(?s).*Total reclaimed space: \\d+(\\.\\d+)?[k]?B \\(3 blobs\\)\n"), gc.out());
        assertFalse(store.hasBlob(app.digest()));
        assertTrue(ok("gc").out().contains("(0 blobs)"));
    }

    @Test
    void rmiByDigestRemovesEveryNameAndPruneCollects() {
        ok("tag", "example.com/app:1", "example.com/app:2");
        Cli.Result r = ok("rmi", "--prune", app.digest().encoded().substring(0, 12));
        assertTrue(r.out().contains("Untagged: example.com/app:1") && r.out().contains("Untagged: example.com/app:2"), r.out());
        assertTrue(r.out().contains("Total reclaimed space"), r.out());
        assertTrue(store.entries().isEmpty());
        assertFalse(store.hasBlob(app.digest()));
    }

    @Test
    void rmiOfAnUnknownNameFailsButRemovesTheOthers() {
        Cli.Result r = run("rmi", "nothere", "example.com/app:1");
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("oci: image \"nothere\" is not in the store"), r.err());
        assertTrue(store.entries().isEmpty());
    }

    @Test
    void fsckListsBadBlobsAndExitsOne() throws Exception {
        assertTrue(ok("fsck").out().contains("no problems found"));
        Descriptor layer = store.image("example.com/app:1", Platform.host()).manifest().layers().get(0);
        byte[] b = Files.readAllBytes(store.blobPath(layer.digest()));
        b[0] ^= 1;
        Files.write(store.blobPath(layer.digest()), b);
        Cli.Result r = run("fsck");
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.out().startsWith(layer.digest() + ": content hashes to sha256:"), r.out());
    }
}
