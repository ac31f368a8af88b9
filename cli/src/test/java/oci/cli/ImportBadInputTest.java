package oci.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import oci.image.Descriptor;
import oci.image.Digest;
import oci.image.Json;
import oci.image.MediaType;
import oci.image.store.Store;
import oci.testdata.DockerArchive;
import oci.testdata.Tar;
import oci.testdata.TestImage;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input to {@code oci import}: each case gives exit code 1, one line on stderr naming the file,
 * the entry and what is wrong, and leaves the store exactly as it was (index.json and blobs).
 */
class ImportBadInputTest {
    @TempDir static Path shared;

    interface Maker {
        Path make(Path dir) throws Exception;
    }

    record Case(String name, Maker maker, String entry, String cause, String[] extraArgs) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Case c(String name, String entry, String cause, Maker maker, String... extra) {
        return new Case(name, maker, entry, cause, extra);
    }

    static final byte[] LAYER = Tar.build().file("a.txt", "a\n").bytes();
    static final byte[] BIG_LAYER;

    static {
        byte[] random = new byte[200_000];
        new Random(7).nextBytes(random);
        BIG_LAYER = Tar.build().file("random.bin", random, 0644).bytes();
    }

    static Path classic(Path dir, List<byte[]> layers) {
        Path f = dir.resolve("image.tar");
        DockerArchive.create().image(List.of("example.com/bad:1"), layers).write(f);
        return f;
    }

    static Path tar(Path dir, byte[] bytes) throws Exception {
        Path f = dir.resolve("input.tar");
        Files.write(f, bytes);
        return f;
    }

    /** A layout directory with one image named example.com/lay:1. */
    static Store layout(Path dir) {
        Store s = Store.open(dir.resolve("layout"));
        TestImage.create().layer(LAYER).into(s, "example.com/lay:1");
        return s;
    }

    static Path archived(Store layout, Path dir) {
        Path f = dir.resolve("oci.tar");
        DockerArchive.tarDirectory(layout.root(), f, false);
        return f;
    }

    static String layerEntry(Store s) {
        Digest d = s.image("example.com/lay:1", oci.image.Platform.host()).manifest().layers().get(0).digest();
        return "blobs/sha256/" + d.encoded();
    }

    /** A layout whose only manifest is {@code manifest} (a map), named example.com/lay:1. */
    static Store layoutWithManifest(Path dir, Map<String, Object> manifest, String mediaType) {
        Store s = Store.open(dir.resolve("layout"));
        Descriptor m = s.putBlob(mediaType, Json.write(manifest));
        s.tag(m, "example.com/lay:1");
        return s;
    }

    static Stream<Case> cases() {
        return Stream.of(
            c("truncated tar", "", "truncated or corrupt archive", d -> {
                byte[] full = Files.readAllBytes(classic(d, List.of(BIG_LAYER)));
                return tar(d, Arrays.copyOf(full, full.length / 2));
            }),
            c("corrupt tar header", null, "corrupt archive at byte 0 (first header)", d -> {
                byte[] full = Files.readAllBytes(classic(d, List.of(LAYER)));
                for (int i = 148; i < 156; i++) full[i] = 'x'; // first header's checksum field
                return tar(d, full);
            }),
            c("truncated gzip", null, "truncated or corrupt archive", d -> {
                Path f = d.resolve("image.tar.gz");
                DockerArchive.create().image(List.of("example.com/bad:1"), List.of(BIG_LAYER)).gzip().write(f);
                byte[] full = Files.readAllBytes(f);
                return tar(d, Arrays.copyOf(full, full.length - 5000));
            }),
            c("not an image archive", null, "not an image archive: it has neither index.json", d ->
                tar(d, Tar.build().file("hello.txt", "hi").bytes())),
            c("malformed manifest.json", "manifest.json", "malformed JSON", d ->
                tar(d, Tar.build().file("manifest.json", "[{\"Config\": ").bytes())),
            c("manifest.json not a list", "manifest.json", "not a JSON list of images", d ->
                tar(d, Tar.build().file("manifest.json", "{\"Config\":\"x\"}").bytes())),
            c("manifest.json lists no images", "manifest.json", "lists no images", d ->
                tar(d, Tar.build().file("manifest.json", "[]").bytes())),
            c("manifest.json entry without Layers", "manifest.json", "has no Config or no Layers", d ->
                tar(d, Tar.build().file("manifest.json", "[{\"Config\":\"c.json\"}]").bytes())),
            c("layer named by manifest.json is missing", "abc/layer.tar", "missing", d -> {
                byte[] cfg = DockerArchive.config(List.of(LAYER));
                return tar(d, Tar.build().file("c.json", cfg, 0644)
                        .file("manifest.json", "[{\"Config\":\"c.json\",\"RepoTags\":[\"x:1\"],\"Layers\":[\"abc/layer.tar\"]}]").bytes());
            }),
            c("config is missing", "nothere.json", "missing", d ->
                tar(d, Tar.build().file("manifest.json", "[{\"Config\":\"nothere.json\",\"Layers\":[]}]").bytes())),
            c("layer does not match its diff_id", "L/layer.tar", "layer digest mismatch: content hashes to " + Digest.sha256(LAYER), d -> {
                byte[] cfg = DockerArchive.config(List.of(BIG_LAYER));
                return tar(d, Tar.build().file("L/layer.tar", LAYER, 0644).file("c.json", cfg, 0644)
                        .file("manifest.json", "[{\"Config\":\"c.json\",\"Layers\":[\"L/layer.tar\"]}]").bytes());
            }),
            c("config does not match its file name", "0000000000000000000000000000000000000000000000000000000000000000.json",
                    "config digest mismatch", d -> {
                String name = "0".repeat(64) + ".json";
                return tar(d, Tar.build().file("L/layer.tar", LAYER, 0644).file(name, DockerArchive.config(List.of(LAYER)), 0644)
                        .file("manifest.json", "[{\"Config\":\"" + name + "\",\"Layers\":[\"L/layer.tar\"]}]").bytes());
            }),
            c("layer count differs from diff_ids", "manifest.json", "lists 2 layers but its config has 1 diff_ids", d ->
                tar(d, Tar.build().file("L/layer.tar", LAYER, 0644).file("c.json", DockerArchive.config(List.of(LAYER)), 0644)
                        .file("manifest.json", "[{\"Config\":\"c.json\",\"Layers\":[\"L/layer.tar\",\"L/layer.tar\"]}]").bytes())),
            c("bad RepoTag", "manifest.json", "invalid image reference \"Bad/Name:1\"", d ->
                tar(d, Tar.build().file("L/layer.tar", LAYER, 0644).file("c.json", DockerArchive.config(List.of(LAYER)), 0644)
                        .file("manifest.json", "[{\"Config\":\"c.json\",\"RepoTags\":[\"Bad/Name:1\"],\"Layers\":[\"L/layer.tar\"]}]").bytes())),
            c("entry name with ../", "../evil", "entry name leaves the archive", d ->
                tar(d, Tar.build().file("../evil", "x").file("manifest.json", "[]").bytes())),
            c("entry name in a subdirectory with ../", "a/../../evil", "entry name leaves the archive", d ->
                tar(d, Tar.build().file("a/../../evil", "x").bytes())),
            c("absolute entry name", "/etc/passwd", "absolute entry name leaves the archive", d ->
                tar(d, Tar.build().file("/etc/passwd", "x").bytes())),
            c("symlink leaving the archive", "L/layer.tar", "link to \"../../etc/passwd\" leaves the archive", d ->
                tar(d, Tar.build().symlink("L/layer.tar", "../../etc/passwd").bytes())),
            c("symlink loop", "L/layer.tar", "links loop", d -> {
                byte[] cfg = DockerArchive.config(List.of(LAYER));
                return tar(d, Tar.build().symlink("L/layer.tar", "../M/layer.tar").symlink("M/layer.tar", "../L/layer.tar")
                        .file("c.json", cfg, 0644).file("manifest.json", "[{\"Config\":\"c.json\",\"Layers\":[\"L/layer.tar\"]}]").bytes());
            }),
            c("absolute symlink", "L/layer.tar", "link to absolute path \"/etc/passwd\"", d ->
                tar(d, Tar.build().symlink("L/layer.tar", "/etc/passwd").bytes())),
            c("malformed index.json", "index.json", "malformed JSON", d -> {
                Store s = layout(d);
                Files.writeString(s.root().resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[");
                return archived(s, d);
            }),
            c("index.json lists no images", "index.json", "lists no images", d -> {
                Store s = layout(d);
                Files.writeString(s.root().resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[]}");
                return archived(s, d);
            }),
            c("blob digest mismatch in an oci-archive", "blobs/sha256/", "blob digest mismatch: content hashes to", d -> {
                Store s = layout(d);
                Path blob = s.root().resolve(layerEntry(s));
                byte[] b = Files.readAllBytes(blob);
                b[b.length - 1] ^= 1;
                Files.write(blob, b);
                return archived(s, d);
            }),
            c("blob size mismatch", "blobs/sha256/", "blob size mismatch", d -> {
                Store s = layout(d);
                Descriptor m = s.resolve("example.com/lay:1");
                String idx = Files.readString(s.root().resolve("index.json")).replace("\"size\":" + m.size(), "\"size\":" + (m.size() + 1));
                Files.writeString(s.root().resolve("index.json"), idx);
                return archived(s, d);
            }),
            c("blob missing from an oci-archive", "blobs/sha256/", "missing (a layer of", d -> {
                Store s = layout(d);
                Files.delete(s.root().resolve(layerEntry(s)));
                return archived(s, d);
            }),
            c("unknown layer media type", null, "unknown media type \"application/x-unknown\"", d -> {
                Store s = Store.open(d.resolve("layout"));
                Descriptor l = s.putBlob("application/x-unknown", LAYER);
                Descriptor cfg = s.putBlob(MediaType.OCI_CONFIG, DockerArchive.config(List.of(LAYER)));
                Store built = layoutWithManifest(d, Map.of("schemaVersion", 2, "mediaType", MediaType.OCI_MANIFEST,
                        "config", cfg, "layers", List.of(l)), MediaType.OCI_MANIFEST);
                return archived(built, d);
            }),
            c("unknown manifest media type in index.json", null, "unsupported media type \"application/x-thing\"", d -> {
                Store s = Store.open(d.resolve("layout"));
                s.tag(s.putBlob("application/x-thing", "{}".getBytes(StandardCharsets.UTF_8)), "example.com/x:1");
                return archived(s, d);
            }),
            c("schema1 manifest", null, "Docker schema1 manifests", d -> {
                Store s = Store.open(d.resolve("layout"));
                s.tag(s.putBlob(MediaType.DOCKER_SCHEMA1_SIGNED, "{\"schemaVersion\":1}".getBytes(StandardCharsets.UTF_8)), "example.com/x:1");
                return archived(s, d);
            }),
            c("layout directory with a blob linked outside", "blobs/sha256/", "leads out of the directory", d -> {
                Store s = layout(d);
                Path blob = s.root().resolve(layerEntry(s));
                Path outside = d.resolve("outside");
                Files.move(blob, outside);
                Files.createSymbolicLink(blob, outside);
                return s.root();
            }),
            c("--name with two images", null, "--name needs a source holding one image; this one holds 2", d -> {
                Path f = d.resolve("two.tar");
                DockerArchive.create().image(List.of("a:1"), List.of(LAYER)).image(List.of("b:1"), List.of(BIG_LAYER)).write(f);
                return f;
            }, "--name", "x:1"),
            c("invalid --name", null, "--name: invalid image reference \"UPPER\"", d -> classic(d, List.of(LAYER)), "--name", "UPPER"),
            c("no such file", null, "no such file or directory", d -> d.resolve("nothing.tar")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void refusedWithOneLineAndAnUnchangedStore(Case c, @TempDir Path dir) throws Exception {
        Path store = dir.resolve("store");
        // The store already holds an image: a failed import must leave it exactly as it was.
        TestImage.create().layer(Tar.build().file("keep", "keep").bytes()).into(Store.open(store), "example.com/keep:1");
        Map<String, byte[]> before = ImportCommandTest.snapshot(store);
        Path input = c.maker().make(Files.createDirectories(dir.resolve("input")));
        String[] args = Stream.concat(Stream.of("import", input.toString()), Stream.of(c.extraArgs())).toArray(String[]::new);

        Cli.Result r = Cli.run(store, args);

        assertEquals(1, r.code(), r.toString());
        String err = r.err();
        assertEquals(1, err.lines().count(), "one line: " + err);
        assertTrue(err.startsWith("oci: import " + input + ": "), err);
        if (c.entry() != null) assertTrue(err.contains("entry \"" + c.entry()), "names the entry " + c.entry() + ": " + err);
        assertTrue(err.contains(c.cause()), "says " + c.cause() + ": " + err);
        Map<String, byte[]> after = ImportCommandTest.snapshot(store);
        assertEquals(before.keySet(), after.keySet(), "no blob or file added or removed");
        for (String k : before.keySet()) assertTrue(Arrays.equals(before.get(k), after.get(k)), k + " unchanged");
        if (Files.isDirectory(store.resolve(".tmp"))) {
            try (Stream<Path> s = Files.list(store.resolve(".tmp"))) {
                assertEquals(List.of(), s.filter(p -> p.getFileName().toString().startsWith("import-")).toList(), "scratch removed");
            }
        }
    }
}
