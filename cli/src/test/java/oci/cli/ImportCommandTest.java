package oci.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import oci.image.Descriptor;
import oci.image.Digest;
import oci.image.MediaType;
import oci.image.Platform;
import oci.image.store.Store;
import oci.image.store.StoredImage;
import oci.testdata.DockerArchive;
import oci.testdata.Tar;
import oci.testdata.TestImage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code oci import} of every accepted form, in-process, into a temporary store. */
class ImportCommandTest {
    @TempDir Path dir;
    Path store;

    static final byte[] LAYER1 = Tar.build().dir("etc").file("etc/hostname", "box\n").bytes();
    static final byte[] LAYER2 = Tar.build().file("hello.txt", "hello\n").bytes();
    static final byte[] LAYER3 = Tar.build().file("other.txt", "other\n").bytes();

    @BeforeEach
    void setUp() {
        store = dir.resolve("store");
    }

    Cli.Result ok(String... args) {
        Cli.Result r = Cli.run(store, args);
        assertEquals(0, r.code(), r.toString());
        return r;
    }

    StoredImage image(String name) {
        return Store.open(store).image(name, Platform.parse("linux/amd64"));
    }

    byte[] blob(Digest d) throws Exception {
        return Files.readAllBytes(Store.open(store).blobPath(d));
    }

    @Test
    void classicDockerArchiveWithTwoImagesAndASharedLayer() throws Exception {
        Path file = dir.resolve("two.tar");
        byte[] gz = Tar.gzip(LAYER3);
        DockerArchive.create()
                .image(List.of("example.com/app:1", "app:latest"), List.of(LAYER1, LAYER2))
                .image(List.of("example.com/other:2"), DockerArchive.config(List.of(LAYER3, LAYER1)), List.of(gz, LAYER1))
                .write(file);
        Cli.Result r = ok("import", file.toString());
        assertEquals("Loaded image: example.com/app:1\nLoaded image: docker.io/library/app:latest\nLoaded image: example.com/other:2\n", r.out());

        StoredImage app = image("example.com/app:1");
        // An OCI manifest is built (skopeo and oci-image-tool skip Docker media types in a layout); blobs as they came.
        assertEquals(MediaType.OCI_MANIFEST, app.manifestDescriptor().mediaType());
        assertEquals(MediaType.OCI_MANIFEST, app.manifest().mediaType());
        assertEquals(MediaType.OCI_CONFIG, app.manifest().config().mediaType());
        assertEquals(List.of(MediaType.OCI_LAYER, MediaType.OCI_LAYER), app.manifest().layers().stream().map(Descriptor::mediaType).toList());
        assertArrayEquals(LAYER1, blob(app.manifest().layers().get(0).digest()));
        assertArrayEquals(LAYER2, blob(app.manifest().layers().get(1).digest()));
        assertEquals(List.of(Digest.sha256(LAYER1), Digest.sha256(LAYER2)), app.config().diffIds());
        assertEquals(app.manifestDescriptor().digest(), image("app").manifestDescriptor().digest());

        StoredImage other = image("example.com/other:2");
        assertEquals(MediaType.OCI_LAYER_GZIP, other.manifest().layers().get(0).mediaType());
        assertArrayEquals(gz, blob(other.manifest().layers().get(0).digest()), "gzip layer stored as it came");
        assertEquals(app.manifest().layers().get(0).digest(), other.manifest().layers().get(1).digest(), "the linked layer");
        assertEquals(0, Cli.run(store, "fsck").code());
        assertNoScratchLeft();
    }

    @Test
    void manifestJsonAfterTheLayersAndWholeArchiveGzipped() throws Exception {
        Path file = dir.resolve("late.tar"); // gzip, whatever the name says
        DockerArchive.create().image(List.of("example.com/late:1"), List.of(LAYER1, LAYER2)).manifestLast().gzip().write(file);
        assertEquals(0x1f, Files.readAllBytes(file)[0] & 0xff);
        ok("import", file.toString());
        assertEquals(2, image("example.com/late:1").manifest().layers().size());
    }

    @Test
    void nameOptionReplacesTheArchiveNames() {
        Path file = dir.resolve("one.tar");
        DockerArchive.create().image(List.of("example.com/app:1"), List.of(LAYER1)).write(file);
        Cli.Result r = ok("import", file.toString(), "--name", "mine:v2");
        assertEquals("Loaded image: docker.io/library/mine:v2\n", r.out());
        assertEquals(1, Store.open(store).entries().size());
        image("mine:v2");
    }

    @Test
    void unnamedImagesAreImportedByTheImageIdThatImagesShowsAndArgumentsTake() throws Exception {
        Path file = dir.resolve("anon.tar");
        DockerArchive.create().image(null, List.of(LAYER1)).write(file);
        Cli.Result r = ok("import", file.toString());
        assertTrue(r.out().startsWith("Loaded image ID: sha256:"), r.out());
        String id = r.out().strip().substring("Loaded image ID: ".length());
        Descriptor d = Store.open(store).entries().get(0);
        assertEquals(null, d.refName());
        // docker's image ID: the config's digest, the same in the listing (table and json) and as an argument
        assertEquals(Store.open(store).image(d, Platform.host(), null).manifest().config().digest().toString(), id);
        Cli.Result images = ok("images");
        assertTrue(images.out().lines().anyMatch(l -> l.matches("<none> +<none> +" + id.substring(7, 19) + " .*")), images.out());
        assertTrue(ok("images", "--format", "json").out().contains("\"id\" : \"" + id + "\""));
        assertTrue(ok("inspect", id.substring(7, 19)).out().contains("\"diff_ids\""));
        assertTrue(ok("inspect", id).out().contains("\"diff_ids\""));

        // the same archive imported with a name: that name, and no <none> row left over
        assertEquals("Loaded image: docker.io/library/named:1\n", ok("import", file.toString(), "--name", "named:1").out());
        List<String> rows = ok("images").out().lines().skip(1).toList();
        assertEquals(1, rows.size(), rows.toString());
        assertTrue(rows.get(0).startsWith("named "), rows.toString());
        // and a tag of an unnamed image replaces its <none> entry too
        ok("import", dir.resolve("anon.tar").toString());
        ok("rmi", "named:1");
        ok("tag", id.substring(7, 19), "again:2");
        rows = ok("images").out().lines().skip(1).toList();
        assertEquals(1, rows.size(), rows.toString());
    }

    @Test
    void rmiOfAnImageIdRemovesEveryEntryOfThatImageAndPrintsTheId() throws Exception {
        // one config, two manifests (the layer stored plain and gzipped): one image ID, two entries
        Path plain = dir.resolve("plain.tar");
        Path gz = dir.resolve("gz.tar");
        byte[] config = DockerArchive.config(List.of(LAYER1));
        DockerArchive.create().image(List.of("example.com/plain:1"), config, List.of(LAYER1)).write(plain);
        DockerArchive.create().image(List.of("example.com/gz:1"), config, List.of(Tar.gzip(LAYER1))).write(gz);
        ok("import", plain.toString());
        ok("import", gz.toString());
        Store s = Store.open(store);
        assertTrue(!s.entries().get(0).digest().equals(s.entries().get(1).digest()), "the test needs two manifests");
        String id = s.imageId(s.entries().get(0)).toString();
        assertEquals(id, s.imageId(s.entries().get(1)).toString());
        assertEquals("Untagged: example.com/plain:1\nUntagged: example.com/gz:1\nRemoved: " + id + "\n", ok("rmi", id.substring(7, 19)).out());
        assertEquals(List.of(), Store.open(store).entries());
    }

    /** A layout made with the store's writer (TestImage), two images, named by ref.name. */
    Path layout() {
        Path layout = dir.resolve("layout");
        Store s = Store.open(layout);
        TestImage.create().layer(LAYER1).layer(LAYER2, false).cmd("/bin/sh").into(s, "example.com/lay:1");
        TestImage.create().layer(LAYER3).platform("linux", "arm64").into(s, "example.com/lay:arm");
        return layout;
    }

    @Test
    void ociLayoutDirectory() throws Exception {
        Path layout = layout();
        ok("import", layout.toString());
        StoredImage img = image("example.com/lay:1");
        assertEquals(MediaType.OCI_MANIFEST, img.manifestDescriptor().mediaType());
        Store src = Store.open(layout);
        Descriptor original = src.resolve("example.com/lay:1");
        assertEquals(original.digest(), img.manifestDescriptor().digest(), "manifest kept byte for byte");
        assertArrayEquals(src.readBlob(original.digest()), blob(original.digest()));
        assertEquals(List.of(MediaType.OCI_LAYER_GZIP, MediaType.OCI_LAYER), img.manifest().layers().stream().map(Descriptor::mediaType).toList());
        assertEquals("arm64", Store.open(store).image("example.com/lay:arm", Platform.parse("linux/arm64")).config().architecture());
    }

    @Test
    void multiPlatformIndexInAnOciArchive() throws Exception {
        Path layout = dir.resolve("multi");
        Store s = Store.open(layout);
        Descriptor amd = TestImage.create().layer(LAYER1).into(s, null).withPlatform(Platform.of("linux", "amd64", null));
        Descriptor arm = TestImage.create().layer(LAYER2).platform("linux", "arm64").into(s, null).withPlatform(Platform.of("linux", "arm64", "v8"));
        Descriptor idx = s.putBlob(MediaType.OCI_INDEX, oci.image.Json.write(oci.image.Index.of(List.of(amd, arm))));
        s.tag(idx, "example.com/multi:1");
        Path file = dir.resolve("multi.tar");
        DockerArchive.tarDirectory(layout, file, true);
        ok("import", file.toString());
        Store mine = Store.open(store);
        assertEquals(idx.digest(), mine.resolve("example.com/multi:1").digest());
        assertEquals(arm.digest(), mine.image("example.com/multi:1", Platform.parse("linux/aarch64")).manifestDescriptor().digest());
        assertEquals(amd.digest(), mine.image("example.com/multi:1", Platform.parse("linux/x86_64")).manifestDescriptor().digest());
        assertEquals(0, Cli.run(store, "fsck").code());
    }

    @Test
    void ociArchivePlainAndGzipped() throws Exception {
        Path layout = layout();
        Path plain = dir.resolve("oci.tar");
        Path gz = dir.resolve("oci.tgz");
        DockerArchive.tarDirectory(layout, plain, false);
        DockerArchive.tarDirectory(layout, gz, true);
        ok("import", plain.toString());
        Path store2 = dir.resolve("store2");
        assertEquals(0, Cli.run(store2, "import", gz.toString()).code());
        for (Path s : List.of(store, store2)) {
            assertEquals(Store.open(layout).resolve("example.com/lay:1").digest(), Store.open(s).resolve("example.com/lay:1").digest());
            assertEquals(2, Store.open(s).entries().size());
        }
    }

    @Test
    void newerDockerSaveFormWithALayoutInside() throws Exception {
        // docker >= 25 writes an OCI layout plus manifest.json; index.json's ref.name holds only the tag and
        // io.containerd.image.name the full name.
        Path layout = dir.resolve("layout");
        Store s = Store.open(layout);
        Descriptor m = TestImage.create().layer(LAYER1).into(s, null);
        Descriptor m2 = TestImage.create().layer(LAYER2).into(s, null);
        s.updateIndex(list -> {
            list.add(m.withAnnotations(Map.of("io.containerd.image.name", "docker.io/library/newer:1", Descriptor.REF_NAME, "1")));
            list.add(m2.withAnnotations(Map.of(Descriptor.REF_NAME, "2")));
            return list;
        });
        StoredImage i2 = s.image(m2, Platform.host(), null);
        String cfg = "blobs/sha256/" + i2.manifest().config().digest().encoded();
        Files.writeString(layout.resolve("manifest.json"), "[{\"Config\":\"" + cfg + "\",\"RepoTags\":[\"example.com/newer:2\"],\"Layers\":[]}]");
        Path file = dir.resolve("newer.tar");
        DockerArchive.tarDirectory(layout, file, false);
        Cli.Result r = ok("import", file.toString());
        assertEquals("Loaded image: docker.io/library/newer:1\nLoaded image: example.com/newer:2\n", r.out());
        assertEquals(m.digest(), image("newer:1").manifestDescriptor().digest());
    }

    static void sh(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + out);
    }

    @Test
    void layoutTarredWithDotSlashNamesByGnuTar() throws Exception {
        Path layout = layout();
        Path file = dir.resolve("dot.tar");
        sh("tar", "-C", layout.toString(), "--exclude=./.tmp", "--exclude=./.lock", "-cf", file.toString(), ".");
        ok("import", file.toString());
        assertEquals(2, Store.open(store).entries().size());
    }

    @Test
    void unpackedDockerArchiveDirectoryWithLinkedLayers() throws Exception {
        Path file = dir.resolve("two.tar");
        DockerArchive.create().image(List.of("example.com/a:1"), List.of(LAYER1, LAYER2))
                .image(List.of("example.com/b:1"), List.of(LAYER3, LAYER1)).write(file);
        Path unpacked = Files.createDirectories(dir.resolve("unpacked"));
        sh("tar", "-C", unpacked.toString(), "-xf", file.toString());
        assertTrue(Files.isSymbolicLink(Files.list(unpacked).filter(Files::isDirectory)
                .map(d -> d.resolve("layer.tar")).filter(Files::isSymbolicLink).findFirst().orElseThrow()));
        ok("import", unpacked.toString());
        assertEquals(image("example.com/a:1").manifest().layers().get(0).digest(), image("example.com/b:1").manifest().layers().get(1).digest());
    }

    /** `tar -cf x.tar manifest.json *.json …` names manifest.json twice: GNU tar stores the second as a hard link to itself. */
    @Test
    void aFileNamedTwiceWhenTarred() throws Exception {
        Path file = dir.resolve("one.tar");
        DockerArchive.create().image(List.of("example.com/a:1"), List.of(LAYER1)).write(file);
        Path unpacked = Files.createDirectories(dir.resolve("unpacked"));
        sh("tar", "-C", unpacked.toString(), "-xf", file.toString());
        Path twice = dir.resolve("twice.tar");
        sh("tar", "-C", unpacked.toString(), "-cf", twice.toString(), "manifest.json", ".");
        ok("import", twice.toString());
        assertEquals(1, Store.open(store).entries().size());
    }

    @Test
    void importsRacingGcLoseNothing() throws Exception {
        List<Path> files = new java.util.ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Path f = dir.resolve("r" + i + ".tar");
            DockerArchive.create().image(List.of("example.com/race:" + i), List.of(Tar.build().file("f" + i, "content " + i).bytes())).write(f);
            files.add(f);
        }
        Store.open(store);
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread gc = Thread.ofPlatform().start(() -> {
            while (!stop.get()) Store.open(store).gc();
        });
        try {
            for (Path f : files) ok("import", f.toString());
        } finally {
            stop.set(true);
            gc.join();
        }
        assertEquals(6, Store.open(store).entries().size());
        Cli.Result fsck = Cli.run(store, "fsck");
        assertEquals(0, fsck.code(), fsck.toString());
    }

    @Test
    void reimportIsIdempotent() throws Exception {
        Path file = dir.resolve("one.tar");
        DockerArchive.create().image(List.of("example.com/app:1"), List.of(LAYER1)).write(file);
        ok("import", file.toString());
        byte[] index = Files.readAllBytes(store.resolve("index.json"));
        ok("import", file.toString());
        assertArrayEquals(index, Files.readAllBytes(store.resolve("index.json")));
    }

    void assertNoScratchLeft() throws Exception {
        Path tmp = store.resolve(".tmp");
        if (!Files.exists(tmp)) return;
        try (Stream<Path> s = Files.list(tmp)) {
            List<Path> left = s.filter(p -> p.getFileName().toString().startsWith("import-")).toList();
            assertEquals(List.of(), left);
        }
    }

    static Map<String, byte[]> snapshot(Path root) throws Exception {
        Map<String, byte[]> m = new HashMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String rel = root.relativize(p).toString();
                if (Files.isRegularFile(p) && !rel.startsWith(".tmp") && !rel.equals(".lock")) m.put(rel, Files.readAllBytes(p));
            }
        }
        return m;
    }
}
