package oci.image.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import oci.image.Descriptor;
import oci.image.Digest;
import oci.image.ImageException;
import oci.image.Json;
import oci.image.MediaType;
import oci.image.Platform;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreTest {
    @TempDir Path dir;
    Store store;

    @BeforeEach
    void open() {
        store = Store.open(dir.resolve("store"));
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A one-layer image written with the store's own API; returns the manifest descriptor. */
    static Descriptor image(Store s, String layerText, String arch) {
        byte[] layer = utf8(layerText);
        Descriptor l = s.putBlob(MediaType.OCI_LAYER, layer);
        Descriptor c = s.putBlob(MediaType.OCI_CONFIG, Json.write(Map.of("architecture", arch, "os", "linux",
                "rootfs", Map.of("type", "layers", "diff_ids", List.of(l.digest().toString())))));
        return s.putBlob(MediaType.OCI_MANIFEST, Json.write(Map.of("schemaVersion", 2, "mediaType", MediaType.OCI_MANIFEST,
                "config", c, "layers", List.of(l))));
    }

    List<String> visibleBlobs() throws Exception {
        Path blobs = store.root().resolve("blobs");
        try (Stream<Path> s = Files.walk(blobs)) {
            return s.filter(Files::isRegularFile).map(p -> blobs.relativize(p).toString()).sorted().toList();
        }
    }

    List<Path> scratchFiles() throws Exception {
        try (Stream<Path> s = Files.list(store.tmpDir())) {
            return s.toList();
        }
    }

    @Test
    void newStoreIsAnOciLayout() throws Exception {
        assertEquals("{\"imageLayoutVersion\":\"1.0.0\"}", Files.readString(store.root().resolve("oci-layout")));
        assertTrue(store.entries().isEmpty());
        assertTrue(Files.isDirectory(store.root().resolve("blobs")));
    }

    @Test
    void aDirectoryWithOtherFilesIsNotMadeAStore() throws Exception {
        Path bundle = Files.createDirectories(dir.resolve("bundle/rootfs"));
        Files.writeString(bundle.resolveSibling("config.json"), "{}");
        ImageException e = assertThrows(ImageException.class, () -> Store.open(bundle.getParent()));
        assertTrue(e.getMessage().contains("not an OCI image layout (no oci-layout file) and not empty"), e.getMessage());
        try (Stream<Path> s = Files.list(bundle.getParent())) {
            assertEquals(List.of("config.json", "rootfs"), s.map(p -> p.getFileName().toString()).sorted().toList());
        }
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertTrue(Files.exists(Store.open(empty).root().resolve("oci-layout")), "an empty directory becomes a store");
    }

    @Test
    void notALayoutIsRefused() throws Exception {
        Path other = dir.resolve("other");
        Files.createDirectories(other);
        Files.writeString(other.resolve("oci-layout"), "hello");
        ImageException e = assertThrows(ImageException.class, () -> Store.open(other));
        assertTrue(e.getMessage().contains("not an OCI layout marker"), e.getMessage());
    }

    @Test
    void putBlobPublishesVerifiedContent() throws Exception {
        byte[] data = utf8("hello world");
        Digest d = Digest.sha256(data);
        Descriptor desc = store.putBlob(MediaType.OCI_LAYER, new ByteArrayInputStream(data), d, data.length);
        assertEquals(d, desc.digest());
        assertEquals(data.length, desc.size());
        assertArrayEquals(data, Files.readAllBytes(store.blobPath(d)));
        assertArrayEquals(data, store.open(d).readAllBytes());
        assertTrue(scratchFiles().isEmpty());
    }

    @Test
    void digestMismatchLeavesNothingVisible() throws Exception {
        byte[] data = utf8("hello world");
        Digest wrong = Digest.sha256(utf8("something else"));
        ImageException e = assertThrows(ImageException.class,
                () -> store.putBlob(MediaType.OCI_LAYER, new ByteArrayInputStream(data), wrong, data.length));
        assertEquals("blob " + wrong + ": digest mismatch: content hashes to " + Digest.sha256(data), e.getMessage());
        assertEquals(List.of(), visibleBlobs());
        assertTrue(scratchFiles().isEmpty(), "no partial file left: " + scratchFiles());
        assertFalse(store.hasBlob(wrong));
    }

    @Test
    void sizeMismatchLeavesNothingVisible() throws Exception {
        byte[] data = utf8("hello world");
        Digest d = Digest.sha256(data);
        ImageException shorter = assertThrows(ImageException.class,
                () -> store.putBlob(MediaType.OCI_LAYER, new ByteArrayInputStream(data), d, data.length + 5));
        assertTrue(shorter.getMessage().contains("size mismatch: expected 16 bytes, got 11"), shorter.getMessage());
        ImageException longer = assertThrows(ImageException.class,
                () -> store.putBlob(MediaType.OCI_LAYER, new ByteArrayInputStream(data), d, 4));
        assertTrue(longer.getMessage().contains("more than the expected 4 bytes"), longer.getMessage());
        assertEquals(List.of(), visibleBlobs());
        assertTrue(scratchFiles().isEmpty());
    }

    @Test
    void blobWriterResumesWhereAnEarlierAttemptStopped() throws Exception {
        byte[] data = new byte[300_000];
        new java.util.Random(1).nextBytes(data);
        Digest d = Digest.sha256(data);
        try (BlobWriter w = store.newWriter(d, data.length)) {
            w.write(data, 0, 100_000);
        } // closed without commit: the partial file stays for a resume
        assertFalse(store.hasBlob(d));
        BlobWriter again = store.newWriter(d, data.length);
        assertEquals(100_000, again.offset());
        again.write(data, 100_000, data.length - 100_000);
        Descriptor desc = again.commit(MediaType.OCI_LAYER);
        assertEquals(data.length, desc.size());
        assertArrayEquals(data, Files.readAllBytes(store.blobPath(d)));
        assertTrue(scratchFiles().stream().noneMatch(p -> p.getFileName().toString().startsWith("partial-")));
    }

    @Test
    void byteBuffersDirectOrNotAreWrittenAndHashedLikeArrays() throws Exception {
        byte[] data = new byte[700_001];
        new java.util.Random(2).nextBytes(data);
        Digest d = Digest.sha256(data);
        BlobWriter w = store.newWriter(d, data.length);
        java.nio.ByteBuffer direct = ByteBuffer.allocateDirect(300_000);
        direct.put(data, 0, 300_000).flip();
        w.write(direct);
        assertEquals(0, direct.remaining());
        w.write(ByteBuffer.wrap(data, 300_000, 400_000));
        w.write(data, 700_000, 1);
        assertThrows(ImageException.class, () -> w.write(ByteBuffer.allocateDirect(1)), "past the expected size");
        w.commit(MediaType.OCI_LAYER);
        assertArrayEquals(data, Files.readAllBytes(store.blobPath(d)));
    }

    @Test
    void resumeOfWrongBytesFailsAtCommitAndRestartRecovers() throws Exception {
        byte[] data = utf8("the right content");
        Digest d = Digest.sha256(data);
        try (BlobWriter w = store.newWriter(d, data.length)) {
            w.write(utf8("XXX"));
        }
        BlobWriter w = store.newWriter(d, data.length);
        assertEquals(3, w.offset());
        w.restart();
        assertEquals(0, w.offset());
        w.write(data);
        w.commit(MediaType.OCI_LAYER);
        assertTrue(store.hasBlob(d));
    }

    @Test
    void tagResolveAndUntag() {
        Descriptor m = image(store, "layer-a", "amd64");
        store.tag(m, "docker.io/library/busybox:latest");
        assertEquals(m.digest(), store.resolve("docker.io/library/busybox:latest").digest());
        assertEquals(m.digest(), store.resolve("busybox").digest(), "normalised reference");
        assertEquals(m.digest(), store.resolve("busybox:latest").digest());
        assertEquals(m.digest(), store.resolve(m.digest().toString()).digest(), "full digest");
        assertEquals(m.digest(), store.resolve(m.digest().encoded().substring(0, 8)).digest(), "unique prefix");
        assertEquals(m.digest(), store.resolve("sha256:" + m.digest().encoded().substring(0, 8)).digest());
        ImageException missing = assertThrows(ImageException.class, () -> store.resolve("alpine"));
        assertTrue(missing.getMessage().startsWith("image \"alpine\" is not in the store"), missing.getMessage());

        store.tag(m, "example.com/x:1");
        assertEquals(2, store.entries().size());
        assertEquals("example.com/x:1", store.resolve("example.com/x:1").refName());
        assertTrue(store.untag("example.com/x:1"));
        assertFalse(store.untag("example.com/x:1"));
        assertEquals(1, store.entries().size());
    }

    @Test
    void retagMovesTheName() {
        Descriptor a = image(store, "a", "amd64");
        Descriptor b = image(store, "b", "amd64");
        store.tag(a, "example.com/x:1");
        store.tag(b, "example.com/x:1");
        assertEquals(1, store.entries().size());
        assertEquals(b.digest(), store.resolve("example.com/x:1").digest());
    }

    @Test
    void ambiguousPrefixIsRefused() {
        // Two entries whose digests share a prefix cannot be made on demand; two names of different images with
        // the empty-ish shortest prefix "sha256:" do not qualify (4 hex minimum), so build descriptors directly.
        Descriptor a = Descriptor.of(MediaType.OCI_MANIFEST, Digest.parse("sha256:abcd" + "1".repeat(60)), 1);
        Descriptor b = Descriptor.of(MediaType.OCI_MANIFEST, Digest.parse("sha256:abcd" + "2".repeat(60)), 1);
        store.tag(a, "example.com/a:1");
        store.tag(b, "example.com/b:1");
        ImageException e = assertThrows(ImageException.class, () -> store.resolve("abcd"));
        assertEquals("image \"abcd\" is ambiguous: it matches abcd11111111 (example.com/a:1), abcd22222222 (example.com/b:1); "
                + "give more of the ID", e.getMessage());
        assertEquals(a.digest(), store.resolve("abcd1").digest());
    }

    /** A manifest blob whose config digest is {@code config} (the blob itself need not be stored for the ID). */
    Descriptor manifestWithConfig(String config, String layer) {
        String json = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaType.OCI_MANIFEST + "\",\"config\":{\"mediaType\":\""
                + MediaType.OCI_CONFIG + "\",\"digest\":\"" + config + "\",\"size\":2},\"layers\":[{\"mediaType\":\""
                + MediaType.OCI_LAYER + "\",\"digest\":\"" + layer + "\",\"size\":1}]}";
        return store.putBlob(MediaType.OCI_MANIFEST, json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void theImageIdIsTheConfigDigestAndEntriesSharingItAreOneImage() {
        Descriptor a = manifestWithConfig("sha256:beef" + "1".repeat(60), "sha256:" + "a".repeat(64));
        Descriptor a2 = manifestWithConfig("sha256:beef" + "1".repeat(60), "sha256:" + "b".repeat(64));
        Descriptor b = manifestWithConfig("sha256:beef" + "2".repeat(60), "sha256:" + "c".repeat(64));
        assertEquals(Digest.parse("sha256:beef" + "1".repeat(60)), store.imageId(a));
        store.updateIndex(list -> {
            list.add(a2);
            return list;
        });
        store.tag(a, "example.com/a:1");
        store.tag(b, "example.com/b:1");
        // a and a2 have one ID: one image (the named entry is the one found), not an ambiguity
        assertEquals("example.com/a:1", store.resolve("beef1").refName());
        ImageException e = assertThrows(ImageException.class, () -> store.resolve("beef"));
        assertEquals("image \"beef\" is ambiguous: it matches beef11111111 (example.com/a:1), beef22222222 (example.com/b:1); "
                + "give more of the ID", e.getMessage());
    }

    @Test
    void aMissingNameSuggestsTheNearOnes() {
        Descriptor m = image(store, "a", "amd64");
        store.tag(m, "127.0.0.1:5000/busybox:latest");
        store.tag(m, "example.com/tools/alpine:3.19");
        ImageException e = assertThrows(ImageException.class, () -> store.resolve("busybox"));
        assertTrue(e.getMessage().contains("did you mean 127.0.0.1:5000/busybox?"), e.getMessage());
        e = assertThrows(ImageException.class, () -> store.resolve("alpnie:3.19"));
        assertTrue(e.getMessage().contains("did you mean example.com/tools/alpine:3.19?"), e.getMessage());
        e = assertThrows(ImageException.class, () -> store.resolve("nosuchimage"));
        assertFalse(e.getMessage().contains("did you mean"), e.getMessage());
    }

    @Test
    void imageChoosesFromAnIndexByPlatform() {
        Descriptor amd = image(store, "amd", "amd64").withPlatform(Platform.of("linux", "amd64", null));
        Descriptor arm = image(store, "arm", "arm64").withPlatform(Platform.of("linux", "arm64", "v8"));
        Descriptor idx = store.putBlob(MediaType.OCI_INDEX, Json.write(oci.image.Index.of(List.of(amd, arm))));
        store.tag(idx, "example.com/multi:1");
        StoredImage img = store.image("example.com/multi:1", Platform.parse("linux/aarch64"));
        assertEquals(arm.digest(), img.manifestDescriptor().digest());
        assertEquals("arm64", img.config().architecture());
        assertEquals("example.com/multi:1", img.name());
        ImageException e = assertThrows(ImageException.class, () -> store.image("example.com/multi:1", Platform.parse("linux/ppc64le")));
        assertTrue(e.getMessage().contains("available: linux/amd64, linux/arm64/v8"), e.getMessage());
    }

    /** What `oci pull` of a multi-platform image leaves: the index, and one platform's manifest and blobs. */
    @Test
    void anIndexWithOnlyThePulledPlatformIsWholeForFsckAndSaysWhatToPullForAnother() throws Exception {
        Descriptor amd = image(store, "amd", "amd64").withPlatform(Platform.of("linux", "amd64", null));
        Descriptor arm = image(store, "arm", "arm64").withPlatform(Platform.of("linux", "arm64", "v8"));
        Descriptor idx = store.putBlob(MediaType.OCI_INDEX, Json.write(oci.image.Index.of(List.of(amd, arm))));
        store.tag(idx, "example.com/multi:1");
        Files.delete(store.blobPath(arm.digest()));
        assertEquals(List.of(), store.fsck(), "a platform that was not pulled is not a problem");
        ImageException e = assertThrows(ImageException.class, () -> store.image("example.com/multi:1", Platform.parse("linux/arm64")));
        assertEquals("image example.com/multi:1: platform linux/arm64/v8 (manifest " + arm.digest()
                + ") is not in the store (pull it with `oci pull --platform linux/arm64/v8 example.com/multi:1`)", e.getMessage());
        // a pulled platform's own blobs are still checked
        Files.delete(store.blobPath(store.image("example.com/multi:1", Platform.parse("linux/amd64")).manifest().config().digest()));
        assertEquals(1, store.fsck().size(), store.fsck().toString());
    }

    @Test
    void gcRemovesOnlyUnreachableBlobs() throws Exception {
        Descriptor kept = image(store, "kept", "amd64");
        Descriptor dropped = image(store, "dropped", "amd64");
        store.tag(kept, "example.com/kept:1");
        store.tag(dropped, "example.com/dropped:1");
        store.untag("example.com/dropped:1");
        Store.GcResult r = store.gc();
        assertEquals(3, r.removed().size(), "manifest, config and layer of the untagged image");
        assertTrue(r.removed().contains(dropped.digest()));
        assertTrue(r.bytesFreed() > 0);
        assertTrue(store.hasBlob(kept.digest()));
        assertFalse(store.hasBlob(dropped.digest()));
        assertEquals("kept", new String(store.open(store.image("example.com/kept:1", Platform.host()).manifest().layers().get(0).digest()).readAllBytes()));
        assertEquals(0, store.gc().removed().size());
        assertTrue(store.fsck().isEmpty());
    }

    /** What `oci pull` next to `oci gc` did: blobs written but not yet named were deleted, and the image named after. */
    @Test
    void gcWaitsForAWriterThatKeepsItOut() throws Exception {
        java.util.concurrent.CountDownLatch written = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        Thread writer = Thread.ofPlatform().start(() -> store.keepingGcOut(() -> {
            Descriptor m = image(store, "pulled", "amd64");
            written.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            store.tag(m, "example.com/pulled:1");
            return null;
        }));
        assertTrue(written.await(10, TimeUnit.SECONDS));
        var gc = java.util.concurrent.CompletableFuture.supplyAsync(store::gc);
        Thread.sleep(300);
        assertFalse(gc.isDone(), "gc waits while a writer keeps it out");
        release.countDown();
        writer.join(10_000);
        assertEquals(List.of(), gc.get(10, TimeUnit.SECONDS).removed());
        assertEquals(List.of(), store.fsck());
    }

    /** The same across processes: a gc in another JVM waits for this one's writer. */
    @Test
    void gcInAnotherProcessWaitsForAWriter() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process gc = store.keepingGcOut(() -> {
            Descriptor m = image(store, "pulled", "amd64");
            Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), StoreTest.class.getName(),
                    store.root().toString(), "gc").redirectErrorStream(true).start();
            try {
                assertFalse(p.waitFor(2, TimeUnit.SECONDS), "gc in the child waits for the writer");
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            store.tag(m, "example.com/pulled:1");
            return p;
        });
        assertTrue(gc.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, gc.exitValue(), new String(gc.getInputStream().readAllBytes()));
        assertEquals(List.of(), store.fsck());
    }

    @Test
    void gcRemovesStaleImportScratchButKeepsFreshScratchAndPartials() throws Exception {
        Path stale = Files.createDirectories(store.tmpDir().resolve("import-stale"));
        Files.write(stale.resolve("0"), new byte[1000]);
        Path fresh = Files.createDirectories(store.tmpDir().resolve("import-fresh"));
        Files.write(fresh.resolve("0"), new byte[10]);
        Path partial = Files.write(store.tmpDir().resolve("partial-sha256-" + "a".repeat(64)), new byte[10]);
        java.nio.file.attribute.FileTime old = java.nio.file.attribute.FileTime.from(Instant.now().minus(java.time.Duration.ofDays(2)));
        Files.setLastModifiedTime(stale, old);
        Files.setLastModifiedTime(partial, old);
        Store.GcResult r = store.gc();
        assertFalse(Files.exists(stale));
        assertTrue(Files.exists(fresh.resolve("0")));
        assertTrue(Files.exists(partial));
        assertEquals(1000, r.bytesFreed());
    }

    @Test
    void fsckReportsCorruptMissingAndWrongSizedBlobs() throws Exception {
        Descriptor m = image(store, "layer content", "amd64");
        store.tag(m, "example.com/x:1");
        assertEquals(List.of(), store.fsck());
        StoredImage img = store.image("example.com/x:1", Platform.host());
        Digest layer = img.manifest().layers().get(0).digest();
        Digest config = img.manifest().config().digest();
        Files.writeString(store.blobPath(layer), "layer c0ntent"); // same size, other bytes
        Files.delete(store.blobPath(config));
        List<Store.Problem> problems = store.fsck();
        Map<Digest, String> byDigest = problems.stream().collect(Collectors.toMap(Store.Problem::digest, Store.Problem::message, (a, b) -> a + "; " + b));
        assertTrue(byDigest.get(layer).startsWith("content hashes to sha256:"), problems.toString());
        assertEquals("referenced but missing", byDigest.get(config));
        assertEquals(2, problems.size(), problems.toString());
    }

    @Test
    void fsckReportsASizeThatDisagreesWithTheDescriptor() throws Exception {
        byte[] layer = utf8("twelve bytes");
        Descriptor l = store.putBlob(MediaType.OCI_LAYER, layer);
        Descriptor c = store.putBlob(MediaType.OCI_CONFIG, Json.write(Map.of("rootfs", Map.of("type", "layers", "diff_ids", List.of(l.digest().toString())))));
        Descriptor lying = Descriptor.of(MediaType.OCI_LAYER, l.digest(), 99);
        Descriptor m = store.putBlob(MediaType.OCI_MANIFEST, Json.write(Map.of("schemaVersion", 2, "config", c, "layers", List.of(lying))));
        store.tag(m, "example.com/x:1");
        List<Store.Problem> problems = store.fsck();
        assertEquals(1, problems.size(), problems.toString());
        assertEquals("size is 12 bytes, descriptor says 99", problems.get(0).message());
    }

    @Test
    void twoThreadsTaggingAtOnceLoseNothing() throws Exception {
        Descriptor m = image(store, "x", "amd64");
        int per = 40;
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            int id = t;
            // A second Store object on the same directory, as another command would have.
            Store s = id == 0 ? store : Store.open(store.root());
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < per; i++) s.tag(m, "example.com/t" + id + ":" + i);
            }));
        }
        for (Thread t : threads) t.join();
        assertEquals(2 * per, store.entries().size());
    }

    @Test
    void threadsReachingTheStoreThroughASymlinkWaitForEachOther() throws Exception {
        Path link = Files.createSymbolicLink(dir.resolve("link"), store.root());
        Store viaLink = Store.open(link);
        Descriptor m = image(store, "x", "amd64");
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (Store s : List.of(store, viaLink)) {
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    for (int i = 0; i < 30; i++) s.tag(m, "example.com/" + (s == store ? "direct" : "link") + ":" + i);
                } catch (Throwable t) {
                    failures.add(t);
                }
            }));
        }
        for (Thread t : threads) t.join();
        assertEquals(List.of(), failures);
        assertEquals(60, store.entries().size());
    }

    /** Run by {@link #twoProcessesTaggingAtOnceLoseNothing} in child JVMs: tags args[2] names prefixed args[1]. */
    public static void main(String[] args) {
        Store s = Store.open(Path.of(args[0]));
        if (args[1].equals("gc")) {
            s.gc();
            return;
        }
        Descriptor m = Descriptor.of(MediaType.OCI_MANIFEST, Digest.sha256(utf8("m")), 1);
        for (int i = 0; i < Integer.parseInt(args[2]); i++) s.tag(m, "example.com/" + args[1] + ":" + i);
    }

    @Test
    void twoProcessesTaggingAtOnceLoseNothing() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<Process> procs = new ArrayList<>();
        for (String p : List.of("p1", "p2")) {
            procs.add(new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), StoreTest.class.getName(),
                    store.root().toString(), p, "60").redirectErrorStream(true).start());
        }
        for (Process p : procs) {
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child finished");
            assertEquals(0, p.exitValue(), new String(p.getInputStream().readAllBytes()));
        }
        Set<String> names = store.entries().stream().map(Descriptor::refName).collect(Collectors.toSet());
        assertEquals(120, names.size());
        assertNull(store.index().annotations().get("x"));
    }
}
