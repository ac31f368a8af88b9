package oci.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import oci.image.store.Store;
import oci.testdata.TestImage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `oci bundle` then `oci run` as the launcher runs them: the run goes through the native front end
 * (runtime/target/oci-fastrun) with the real JVM command behind it, here `java -jar` of a jar that
 * names this test's class path, through a wrapper that records each JVM start.
 */
class FastRunCliTest {
    static final Path FASTRUN = Path.of("../runtime/target/oci-fastrun").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    /** Bundles have overlay rootfs mounts: none outlives its test. */
    @AfterEach
    void unmountBundles() throws Exception {
        oci.testdata.Mounts.unmountAllUnder(tmp);
    }
    Path store, root, bundle, jvmStarts, java, jar;

    @BeforeEach
    void setUp() throws IOException {
        assumeTrue(BundleCliTest.root(), "containers need root (CI runs as root)");
        assumeTrue(Files.isExecutable(FASTRUN), "the runtime build makes target/oci-fastrun (gcc)");
        store = tmp.resolve("store");
        root = tmp.resolve("state");
        bundle = tmp.resolve("bundle");
        TestImage.create().layer(TestImage.busyboxLayer()).cmd("sh", "-c", "echo hello; exit 3").into(Store.open(store), "example.com/busybox:1");
        // The JVM the front end falls back to, counting its starts.
        jvmStarts = tmp.resolve("jvm-starts");
        java = tmp.resolve("java");
        Files.writeString(java, "#!/bin/sh\necho started >> '" + jvmStarts + "'\nexec '"
                + ProcessHandle.current().info().command().orElseThrow() + "' \"$@\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwx------"));
        jar = classPathJar(tmp.resolve("oci.jar"));
    }

    /** A jar holding only a manifest: Main-Class oci.cli.Main and this test's class path. */
    static Path classPathJar(Path file) throws IOException {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(Attributes.Name.MAIN_CLASS, Main.class.getName());
        m.getMainAttributes().put(Attributes.Name.CLASS_PATH, List.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .stream().map(e -> Path.of(e).toUri().toString()).collect(Collectors.joining(" ")));
        try (OutputStream out = Files.newOutputStream(file); JarOutputStream j = new JarOutputStream(out, m)) {
            // the manifest is all
        }
        return file;
    }

    record Result(int code, String out, String err) {}

    Result oci(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        List<String> all = new ArrayList<>(List.of("--store", store.toString(), "--root", root.toString()));
        all.addAll(List.of(args));
        int code = Main.run(all.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
    }

    /** `oci --root ROOT run --rm -b BUNDLE ID` as the launcher starts it. */
    Result launch(String id) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(FASTRUN.toString(), java.toString(), "--enable-native-access=ALL-UNNAMED",
                "-jar", jar.toString(), "--", "--root", root.toString(), "run", "--rm", "-b", bundle.toString(), id));
        Process p = new ProcessBuilder(cmd).redirectOutput(tmp.resolve("out").toFile()).redirectError(tmp.resolve("err").toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "oci run did not finish");
        return new Result(p.exitValue(), Files.readString(tmp.resolve("out")), Files.readString(tmp.resolve("err")));
    }

    long jvmStarts() throws IOException {
        return Files.exists(jvmStarts) ? Files.readAllLines(jvmStarts).size() : 0;
    }

    @Test
    void aBundleRunsWithoutTheJvmAndAChangedOneWithIt() throws Exception {
        assertEquals(0, oci("bundle", "example.com/busybox:1", bundle.toString()).code());

        Result first = launch("c1");
        assertEquals(3, first.code(), first.err());
        assertEquals("hello\n", first.out());
        assertEquals(0, jvmStarts(), "the run oci bundle prepared needs no JVM");

        Path config = bundle.resolve("config.json");
        Files.writeString(config, Files.readString(config).replace("exit 3", "exit 4"));
        Result changed = launch("c2");
        assertEquals(4, changed.code(), changed.err());
        assertEquals("hello\n", changed.out());
        assertEquals(1, jvmStarts(), "a changed config.json is decided by the JVM");

        Result again = launch("c3");
        assertEquals(4, again.code(), again.err());
        assertEquals(1, jvmStarts(), "and replayed after that");
        assertFalse(Files.exists(root.resolve("c3")), "--rm");
    }
}
