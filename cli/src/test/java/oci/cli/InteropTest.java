package oci.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import oci.image.Digest;
import oci.image.Json;
import oci.image.MediaType;
import oci.image.Platform;
import oci.image.store.Store;
import oci.image.store.StoredImage;
import oci.testdata.Tar;
import oci.testdata.TestImage;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With the real tools of the field (Debian's skopeo, umoci, oci-image-tool) and Jib Core: what
 * they write, {@code oci import} reads; what {@code oci} writes, they read.
 */
class InteropTest {
    @TempDir Path dir;
    Path store;

    record Run(int code, String out) {}

    static Run exec(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), String.join(" ", cmd) + " finished");
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    static Run ok(String... cmd) throws Exception {
        Run r = exec(cmd);
        assertEquals(0, r.code(), String.join(" ", cmd) + "\n" + r.out());
        return r;
    }

    static void requireTool(String tool) {
        boolean found = Files.isExecutable(Path.of("/usr/bin", tool)) || Files.isExecutable(Path.of("/usr/local/bin", tool));
        Assumptions.assumeTrue(found, tool + " is not installed (Debian package " + tool + "; .ci/run installs it)");
    }

    @BeforeEach
    void setUp() {
        store = dir.resolve("store");
    }

    /** A two-layer image (busybox-static and a text file) in an OCI layout made with the store's writer. */
    Path layout(String name) {
        Path layout = dir.resolve("layout");
        TestImage.create().layer(TestImage.busyboxLayer()).layer(Tar.build().file("etc/motd", "interop\n").bytes(), false)
                .cmd("/bin/sh").into(Store.open(layout), name);
        return layout;
    }

    Cli.Result importIt(Path file, String... extra) {
        List<String> args = new ArrayList<>(List.of("import", file.toString()));
        args.addAll(List.of(extra));
        Cli.Result r = Cli.run(store, args.toArray(String[]::new));
        assertEquals(0, r.code(), r.toString());
        return r;
    }

    @Test
    void importsWhatSkopeoWritesAsDockerArchiveAndOciArchive() throws Exception {
        requireTool("skopeo");
        Path layout = layout("example.com/interop:1");
        Path da = dir.resolve("docker.tar");
        Path oa = dir.resolve("oci.tar");
        ok("skopeo", "--insecure-policy", "copy", "oci:" + layout + ":example.com/interop:1", "docker-archive:" + da + ":example.com/interop:da");
        ok("skopeo", "--insecure-policy", "copy", "oci:" + layout + ":example.com/interop:1", "oci-archive:" + oa + ":example.com/interop:oa");

        assertEquals("Loaded image: example.com/interop:da\n", importIt(da).out());
        assertEquals("Loaded image: example.com/interop:oa\n", importIt(oa).out());

        Store s = Store.open(store);
        StoredImage source = Store.open(layout).image("example.com/interop:1", Platform.host());
        for (String name : List.of("example.com/interop:da", "example.com/interop:oa")) {
            StoredImage img = s.image(name, Platform.host());
            assertEquals(source.config().diffIds(), img.config().diffIds(), name);
            assertEquals(List.of("/bin/sh"), img.config().config().cmd(), name);
        }
        // skopeo decompresses layers into a docker-archive; they must be the diff_ids themselves.
        StoredImage fromDa = s.image("example.com/interop:da", Platform.host());
        for (int i = 0; i < 2; i++) {
            assertEquals(MediaType.OCI_LAYER, fromDa.manifest().layers().get(i).mediaType());
            assertEquals(fromDa.config().diffIds().get(i), fromDa.manifest().layers().get(i).digest());
        }
        // oci-archive: the manifest is kept byte for byte (skopeo may have rewritten it while copying; compare with its index.json).
        JsonNode archived = Json.read(ok("tar", "-xOf", oa.toString(), "index.json").out().getBytes(StandardCharsets.UTF_8), JsonNode.class, "index.json");
        assertEquals(archived.at("/manifests/0/digest").asText(), s.resolve("example.com/interop:oa").digest().toString());
        assertEquals(0, Cli.run(store, "fsck").code());
    }

    @Test
    void importsWhatJibWritesAsADockerArchive() throws Exception {
        System.setProperty("jib.disableUpdateChecks", "true");
        Path tar = dir.resolve("jib.tar");
        Jib.fromScratch()
                .addFileEntriesLayer(FileEntriesLayer.builder()
                        .addEntry(TestImage.BUSYBOX, AbsoluteUnixPath.get("/bin/busybox"), FilePermissions.fromOctalString("755"))
                        .build())
                .addFileEntriesLayer(FileEntriesLayer.builder()
                        .addEntry(Files.writeString(dir.resolve("hello.txt"), "hello from jib\n"), AbsoluteUnixPath.get("/hello.txt"))
                        .build())
                .setEntrypoint("/bin/busybox", "cat", "/hello.txt")
                .setUser("1000:1000")
                .containerize(Containerizer.to(TarImage.at(tar).named("example.com/jib:1"))
                        .setApplicationLayersCache(dir.resolve("jib-cache"))
                        .setBaseImageLayersCache(dir.resolve("jib-base-cache")));

        assertEquals("Loaded image: example.com/jib:1\n", importIt(tar).out());
        StoredImage img = Store.open(store).image("example.com/jib:1", Platform.host());
        assertEquals(2, img.manifest().layers().size());
        assertEquals(List.of("/bin/busybox", "cat", "/hello.txt"), img.config().config().entrypoint());
        assertEquals("1000:1000", img.config().config().user());
        for (var l : img.manifest().layers()) assertEquals(MediaType.OCI_LAYER_GZIP, l.mediaType(), "Jib writes gzip layers");
        assertEquals(0, Cli.run(store, "fsck").code());
    }

    /**
     * What skopeo writes for {@code oci:DIR:TAG}: ref.name a tag alone. A multi-platform image as
     * {@code latest} (the index) and its two platforms as {@code amd64} and {@code arm64}.
     */
    Path skopeoBareTagLayout() throws Exception {
        Path source = dir.resolve("source");
        Store src = Store.open(source);
        oci.image.Descriptor amd = TestImage.create().layer(Tar.build().file("arch", "amd64\n").bytes()).into(src, null)
                .withPlatform(Platform.of("linux", "amd64", null));
        oci.image.Descriptor arm = TestImage.create().layer(Tar.build().file("arch", "arm64\n").bytes()).platform("linux", "arm64")
                .into(src, null).withPlatform(Platform.of("linux", "arm64", "v8"));
        src.tag(src.putBlob(MediaType.OCI_INDEX, Json.write(oci.image.Index.of(List.of(amd, arm)))), "example.com/multi:1");
        Path layout = dir.resolve("multi-layout");
        ok("skopeo", "--insecure-policy", "copy", "--multi-arch", "all", "oci:" + source + ":example.com/multi:1", "oci:" + layout + ":latest");
        for (String arch : List.of("amd64", "arm64")) {
            ok("skopeo", "--insecure-policy", "copy", "--override-arch", arch, "oci:" + source + ":example.com/multi:1", "oci:" + layout + ":" + arch);
        }
        String index = Files.readString(layout.resolve("index.json"));
        assertTrue(index.contains("\"org.opencontainers.image.ref.name\":\"arm64\""), index);
        return layout;
    }

    @Test
    void aLayoutNamedByBareTagsImportsAsTags() throws Exception {
        requireTool("skopeo");
        Path layout = skopeoBareTagLayout();
        // --name REPO: each bare tag under REPO
        assertEquals("""
                Loaded image: example.com/multi:latest
                Loaded image: example.com/multi:amd64
                Loaded image: example.com/multi:arm64
                """, importIt(layout, "--name", "example.com/multi").out());
        Store s = Store.open(store);
        assertEquals("arm64", s.image("example.com/multi:arm64", Platform.host()).config().architecture());
        assertEquals(MediaType.OCI_INDEX, s.resolve("example.com/multi:latest").mediaType());
        // without --name: the directory's name is the repository, and the line says so
        String out = importIt(layout).out();
        assertTrue(out.startsWith("Loaded image: docker.io/library/multi-layout:latest (ref.name \"latest\" is a bare tag; "
                + "repository named after \"multi-layout\"; --name REPO chooses another)\n"), out);
        assertEquals(3, out.lines().count(), out);
        assertEquals("arm64", s.image("multi-layout:arm64", Platform.host()).config().architecture());
        // DIR:REF picks one, as skopeo's oci:DIR:REF
        assertEquals("Loaded image: example.com/one:7\n", importIt(Path.of(layout + ":arm64"), "--name", "example.com/one:7").out());
        assertEquals("arm64", s.image("example.com/one:7", Platform.host()).config().architecture());
        Cli.Result none = Cli.run(store, "import", layout + ":s390x");
        assertEquals(1, none.code(), none.toString());
        assertEquals("oci: import " + layout + ": no image named \"s390x\" in it; it has latest, amd64, arm64\n", none.err());
        // one name for three images is refused, with the way out
        Cli.Result three = Cli.run(store, "import", layout.toString(), "--name", "example.com/x:1");
        assertEquals(1, three.code(), three.toString());
        assertTrue(three.err().contains("holds 3 (latest, amd64, arm64): pick one with " + layout + ":REF"), three.err());
    }

    @Test
    void anImageUmociMadeImportsUnderItsTag() throws Exception {
        requireTool("umoci");
        Path layout = dir.resolve("umoci-layout");
        ok("umoci", "init", "--layout", layout.toString());
        ok("umoci", "new", "--image", layout + ":v1");
        assertEquals("Loaded image: example.com/u:v1\n", importIt(layout, "--name", "example.com/u").out());
        assertTrue(importIt(layout).out().startsWith("Loaded image: docker.io/library/umoci-layout:v1 "));
        assertEquals(Store.open(store).resolve("example.com/u:v1").digest(), Store.open(store).resolve("umoci-layout:v1").digest());
    }

    /** Images in a store written by oci (TestImage and oci import), named by their full reference. */
    List<String> fillStore() throws Exception {
        Path layout = layout("example.com/interop:1");
        ok("skopeo", "--insecure-policy", "copy", "oci:" + layout + ":example.com/interop:1", "docker-archive:" + dir.resolve("d.tar") + ":busybox");
        importIt(dir.resolve("d.tar"));
        importIt(layout);
        TestImage.create().layer(Tar.build().file("x", "x").bytes()).into(Store.open(store), "localhost:5000/team/app:v1.2");
        return List.of("docker.io/library/busybox:latest", "example.com/interop:1", "localhost:5000/team/app:v1.2");
    }

    @Test
    void skopeoReadsWhatOciWrote() throws Exception {
        requireTool("skopeo");
        for (String name : fillStore()) {
            JsonNode info = Json.read(ok("skopeo", "inspect", "oci:" + store + ":" + name).out().getBytes(StandardCharsets.UTF_8), JsonNode.class, name);
            Digest expected = Store.open(store).resolve(name).digest();
            assertEquals(expected.toString(), info.get("Digest").asText(), name);
            // And copies every blob out of it, verifying digests as it goes.
            ok("skopeo", "--insecure-policy", "copy", "oci:" + store + ":" + name, "oci:" + dir.resolve("copy") + ":x");
        }
    }

    @Test
    void umociListsWhatOciWrote() throws Exception {
        requireTool("umoci");
        requireTool("skopeo");
        List<String> names = fillStore();
        List<String> listed = ok("umoci", "ls", "--layout", store.toString()).out().lines().sorted().toList();
        assertEquals(names, listed);
        String stat = ok("umoci", "stat", "--image", store + ":example.com/interop:1", "--json").out();
        assertTrue(stat.contains("history"), stat);
        // umoci unpacks what oci imported from a docker-archive (uncompressed layers, the OCI manifest oci built).
        Path bundle = dir.resolve("bundle");
        ok("umoci", "unpack", "--rootless", "--image", store + ":docker.io/library/busybox:latest", bundle.toString());
        assertEquals("interop\n", Files.readString(bundle.resolve("rootfs/etc/motd")));
        assertTrue(Files.isExecutable(bundle.resolve("rootfs/bin/busybox")));
    }

    @Test
    void ociImageToolValidatesWhatOciWrote() throws Exception {
        requireTool("oci-image-tool");
        requireTool("skopeo");
        List<String> names = fillStore();
        for (String name : names) {
            // Debian's oci-image-tool 1.0.0-rc1 filters index.json entries by name while deleting from the slice
            // it walks, so it skips the entry after each deletion and calls a name "not unique" in an index of
            // three or more entries. So each image is validated in a store of its own: a copy of this one whose
            // index.json keeps only that name (blobs shared by hard links).
            Path single = dir.resolve("single-" + names.indexOf(name));
            ok("cp", "-al", store.toString(), single.toString());
            Store.open(single).updateIndex(list -> {
                list.removeIf(d -> !name.equals(d.refName()));
                return list;
            });
            // --type imageLayout is unimplemented in that version; "image" autodetects the layout.
            Run r = ok("oci-image-tool", "validate", "--type", "image", "--ref", "name=" + name, single.toString());
            assertTrue(r.out().contains("reference [name=" + name + "]: OK"), r.out());
            assertTrue(!r.out().contains("warning"), r.out());
        }
    }

    @Test
    void ociReadsAStoreSkopeoWrote() throws Exception {
        requireTool("skopeo");
        Path layout = layout("example.com/interop:1");
        Path theirs = dir.resolve("theirs");
        ok("skopeo", "--insecure-policy", "copy", "oci:" + layout + ":example.com/interop:1", "oci:" + theirs + ":example.com/theirs:1");
        Cli.Result r = Cli.run(theirs, "inspect", "example.com/theirs:1");
        assertEquals(0, r.code(), r.toString());
        assertEquals(0, Cli.run(theirs, "fsck").code());
        byte[] viaOci = Store.open(theirs).readBlob(Store.open(theirs).resolve("example.com/theirs:1").digest());
        assertArrayEquals(Files.readAllBytes(theirs.resolve("blobs/sha256/" + Store.open(theirs).resolve("example.com/theirs:1").digest().encoded())), viaOci);
    }
}
