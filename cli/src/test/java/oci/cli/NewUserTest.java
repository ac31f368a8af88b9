package oci.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;
import oci.image.Descriptor;
import oci.image.Digest;
import oci.image.Index;
import oci.image.Json;
import oci.image.MediaType;
import oci.image.Platform;
import oci.image.store.Store;
import oci.testdata.DockerArchive;
import oci.testdata.Tar;
import oci.testdata.TestImage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a new user trips over (issue 13): `oci pull IMAGE && oci bundle && oci run` in an empty
 * directory, a terminal bundle run without a terminal, names that are near but not right, images
 * for another platform.
 */
class NewUserTest {
    @TempDir Path tmp;
    Path storeDir;
    Path state;

    record Result(int code, String out, String err) {}

    /** As root, bundles are overlay mounts: none outlives its test (the temporary directory could not be removed). */
    @AfterEach
    void unmountBundles() throws Exception {
        oci.testdata.Mounts.unmountAllUnder(tmp);
    }

    @BeforeEach
    void store() {
        storeDir = tmp.resolve("store");
        state = tmp.resolve("state");
        TestImage.create().layer(TestImage.busyboxLayer()).cmd("sh", "-c", "echo hello from busybox").into(Store.open(storeDir), "example.com/busybox:1");
    }

    /** In-process, as the tests of the other commands. */
    Result oci(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        List<String> all = new ArrayList<>(List.of("--store", storeDir.toString(), "--root", state.toString()));
        all.addAll(List.of(args));
        int code = Main.run(all.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
    }

    /** In a JVM of its own whose working directory is {@code cwd}, stdin empty: what `oci ...` typed in cwd does. */
    Result ociIn(Path cwd, String... args) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "oci.cli.Main", "--store", storeDir.toString(), "--root", state.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(tmp.resolve("sub.out").toFile()).redirectError(tmp.resolve("sub.err").toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "timed out: " + args[0]);
        return new Result(p.exitValue(), Files.readString(tmp.resolve("sub.out")), Files.readString(tmp.resolve("sub.err")));
    }

    static boolean root() {
        return oci.bundle.ConfigGenerator.Host.current().uid() == 0;
    }

    @Test
    void bundleWithoutAnImageTakesTheLastImportedIntoTheCurrentDirectoryAndRunRunsIt() throws Exception {
        // an import after the image the store had: it is the one bundled
        byte[] layer = TestImage.busyboxLayer();
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("architecture", Platform.host().architecture());
        cfg.put("os", "linux");
        cfg.put("config", Map.of("Cmd", List.of("sh", "-c", "echo hello from the last image"), "Env", List.of("PATH=/bin")));
        cfg.put("rootfs", Map.of("type", "layers", "diff_ids", List.of(Digest.sha256(layer).toString())));
        Path archive = tmp.resolve("last.tar");
        DockerArchive.create().image(List.of("example.com/last:2"), Json.write(cfg), List.of(layer)).write(archive);
        assertEquals(0, oci("import", archive.toString()).code());

        String id = "newuser-" + ProcessHandle.current().pid();
        Path empty = Files.createDirectory(tmp.resolve(id));
        Result b = ociIn(empty, "bundle");
        assertEquals(0, b.code(), b.err());
        assertEquals("oci: bundling example.com/last:2, the image pulled or imported last\n", b.err());
        assertTrue(Files.isRegularFile(empty.resolve("config.json")));
        assertTrue(Files.isRegularFile(empty.resolve("rootfs/bin/busybox")));
        if (!root()) return; // the run needs root (namespaces, cgroups); the bundle part is checked above
        try {
            Result r = ociIn(empty, "run");
            assertEquals(0, r.code(), r.err());
            assertEquals("hello from the last image\n", r.out());
        } finally {
            oci("delete", "--force", id);
        }
    }

    @Test
    void bundleWithoutAnImageOnAnEmptyStoreSaysWhatToDo() throws Exception {
        storeDir = tmp.resolve("empty-store");
        Result r = ociIn(Files.createDirectory(tmp.resolve("empty")), "bundle");
        assertEquals(Main.EXIT_USAGE, r.code());
        assertEquals("oci: bundle: which image? the store " + storeDir + " is empty: `oci pull IMAGE` or `oci import FILE` first, "
                + "or `oci bundle --rootfs-tar FILE -- CMD`\n", r.err());
    }

    @Test
    void aMissingImageSuggestsTheNearNames() {
        // the store alone (--pull never, podman's "image not known"): the near names
        Result r = oci("bundle", "--pull", "never", "busybox", tmp.resolve("b").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("did you mean example.com/busybox:1?"), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertFalse(Files.exists(tmp.resolve("b")));
        // by default a missing image is pulled; when its registry has none, the hint still follows the pull's failure
        Result pulled = oci("bundle", "127.0.0.1:1/busybox", tmp.resolve("p").toString());
        assertEquals(1, pulled.code());
        assertTrue(pulled.err().contains("did you mean example.com/busybox:1?"), pulled.err());
        assertEquals(1, pulled.err().lines().count(), pulled.err());
        assertFalse(Files.exists(tmp.resolve("p")));
        assertFalse(oci("unpack", "nosuchimage", tmp.resolve("u").toString()).err().contains("did you mean"));
    }

    @Test
    void aTerminalBundleRunWithoutATerminalIsRefusedNotHung() {
        Path dir = tmp.resolve("tty");
        assertEquals(0, oci("bundle", "-t", "example.com/busybox:1", dir.toString(), "--", "sh").code());
        // the test JVM's stdin is a pipe, not a terminal: sh would wait at its prompt for ever
        Result r = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> oci("run", "-b", dir.toString(), "tty-" + ProcessHandle.current().pid()));
        assertEquals(1, r.code(), r.err());
        assertEquals("oci: the input device is not a TTY: " + dir.resolve("config.json") + " asks for a terminal (process.terminal, "
                + "`oci bundle -t`); run it from a terminal, or bundle without -t\n", r.err());
        assertEquals("", oci("list", "-q").out());
    }

    @Test
    void runOfABundleDirectoryThatDoesNotExistSaysSo() {
        Path nowhere = tmp.resolve("nowhere");
        Result r = oci("run", "-b", nowhere.toString(), "x");
        assertEquals(1, r.code());
        assertEquals("oci: bundle " + nowhere + " does not exist (make one with `oci bundle IMAGE DIR` or `oci spec`)\n", r.err());
    }

    /** An architecture this host does not run, and the zstd-jni library built for it: a real ELF file of that machine. */
    static String foreignArch() {
        return Platform.host().architecture().equals("arm64") ? "amd64" : "arm64";
    }

    static byte[] foreignElf() throws Exception {
        String dir = foreignArch().equals("arm64") ? "linux/aarch64/" : "linux/amd64/";
        Path jar = Path.of(com.github.luben.zstd.Zstd.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        try (ZipFile z = new ZipFile(jar.toFile())) {
            var e = z.stream().filter(x -> x.getName().startsWith(dir) && x.getName().endsWith(".so")).findFirst().orElseThrow();
            return z.getInputStream(e).readAllBytes();
        }
    }

    /** A multi-platform image: this host's and the foreign one, told apart by the file /arch. */
    void multiPlatform(String name) {
        Store s = Store.open(storeDir);
        Descriptor here = TestImage.create().layer(Tar.build().file("arch", Platform.host().architecture() + "\n").bytes())
                .platform("linux", Platform.host().architecture()).into(s, null).withPlatform(Platform.of("linux", Platform.host().architecture(), null));
        Descriptor there = TestImage.create().layer(Tar.build().file("arch", foreignArch() + "\n").bytes())
                .platform("linux", foreignArch()).into(s, null).withPlatform(Platform.of("linux", foreignArch(), null));
        s.tag(s.putBlob(MediaType.OCI_INDEX, Json.write(Index.of(List.of(here, there)))), name);
    }

    @Test
    void bundleAndUnpackTakeAPlatformAndRefuseASingleImageOfAnother() throws Exception {
        String other = "linux/" + foreignArch();
        // a single-platform image is not taken for another platform, as pull --platform refuses it
        for (String cmd : List.of("bundle", "unpack")) {
            Result r = oci(cmd, "--platform", other, "example.com/busybox:1", tmp.resolve(cmd).toString());
            assertEquals(1, r.code(), cmd);
            assertEquals("oci: image example.com/busybox:1 is for linux/" + Platform.host().architecture() + ", not the requested " + other
                    + " (it is a single-platform image, not an index)\n", r.err(), cmd);
            assertFalse(Files.exists(tmp.resolve(cmd)), cmd);
        }
        // from an index, the platform asked for; bundling one this host does not run warns
        multiPlatform("example.com/multi:1");
        Result b = oci("bundle", "--platform", other, "example.com/multi:1", tmp.resolve("b").toString(), "--", "/arch");
        assertEquals(0, b.code(), b.err());
        assertEquals(foreignArch() + "\n", Files.readString(tmp.resolve("b/rootfs/arch")));
        assertTrue(b.err().startsWith("oci: warning: example.com/multi:1 is for " + other + ", this host is linux/" + Platform.host().architecture()
                + ": its programs will fail to start (ENOEXEC) unless binfmt_misc runs them in an emulator"), b.err());
        Result here = oci("bundle", "example.com/multi:1", tmp.resolve("h").toString(), "--", "/arch");
        assertEquals("", here.err());
        assertEquals(Platform.host().architecture() + "\n", Files.readString(tmp.resolve("h/rootfs/arch")));
        assertEquals(0, oci("unpack", "--platform", other, "example.com/multi:1", tmp.resolve("u").toString()).code());
        assertEquals(foreignArch() + "\n", Files.readString(tmp.resolve("u/arch")));
    }

    @Test
    void aRunOfAnotherMachinesProgramNamesBothPlatformsInOneLine() throws Exception {
        byte[] elf = foreignElf();
        byte[] layer = Tar.build().dir("bin").file("bin/echo", elf, 0755).bytes();
        TestImage.create().layer(layer).platform("linux", foreignArch()).cmd("echo", "hi").env("PATH=/bin").into(Store.open(storeDir), "example.com/foreign:1");
        Path dir = tmp.resolve("foreign");
        Result b = oci("bundle", "example.com/foreign:1", dir.toString());
        assertEquals(0, b.code(), b.err());
        assertTrue(b.err().contains("is for linux/" + foreignArch()), b.err());
        assumeTrue(oci.bundle.ProgramPlatform.foreign(dir, "rootfs", "echo", java.util.List.of("PATH=/bin"), "/") != null,
                "a binfmt_misc emulator on this host runs " + foreignArch() + " programs: no ENOEXEC to explain");
        Result r = oci("run", "-b", dir.toString(), "foreign-" + ProcessHandle.current().pid());
        assertEquals(1, r.code(), r.err());
        assertEquals("oci: exec \"echo\": ENOEXEC (Exec format error): the image is for linux/" + foreignArch() + ", this host is linux/"
                + Platform.host().architecture() + " (no binfmt_misc emulator is registered for it; bundle the image for linux/"
                + Platform.host().architecture() + ", e.g. `oci bundle --platform linux/" + Platform.host().architecture() + " IMAGE`)\n", r.err());
        assertEquals("", oci("list", "-q").out());
    }
}
