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

    /** Bundles have overlay rootfs mounts: none outlives its test (nor a container a failed assertion left). */
    @AfterEach
    void unmountBundles() throws Exception {
        if (root != null) {
            for (int i = 1; i <= 4; i++) oci("delete", "-f", "early-" + i);
        }
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

    /**
     * A jar holding only a manifest: Main-Class oci.cli.Main and this test's class path, where the
     * runtime's classes directory is replaced by a jar of it (beside {@code file}): the init is then
     * run as an installed oci runs it, extracted into the state root, where the front end finds it
     * to start it early (fastrun.c's prespawn).
     */
    static Path classPathJar(Path file) throws IOException {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(Attributes.Name.MAIN_CLASS, Main.class.getName());
        List<String> entries = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(e);
            if (Files.isDirectory(p) && Files.exists(p.resolve("oci/runtime/oci-init"))) p = jarOf(p, file.resolveSibling("oci-runtime.jar"));
            entries.add(p.toUri().toString());
        }
        m.getMainAttributes().put(Attributes.Name.CLASS_PATH, String.join(" ", entries));
        try (OutputStream out = Files.newOutputStream(file); JarOutputStream j = new JarOutputStream(out, m)) {
            // the manifest is all
        }
        return file;
    }

    private static Path jarOf(Path classes, Path jar) throws IOException {
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out);
             java.util.stream.Stream<Path> files = Files.walk(classes)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
                j.putNextEntry(new java.util.jar.JarEntry(classes.relativize(f).toString().replace(File.separatorChar, '/')));
                Files.copy(f, j);
                j.closeEntry();
            }
        }
        return jar;
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

    /** `oci --debug --root ROOT create -b BUNDLE ID` as the launcher starts it (detached: returns once created). */
    Result launchCreate(String id, String... env) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(FASTRUN.toString(), java.toString(), "--enable-native-access=ALL-UNNAMED",
                "-jar", jar.toString(), "--", "--debug", "--root", root.toString(), "create", "-b", bundle.toString(), id));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(tmp.resolve("out").toFile()).redirectError(tmp.resolve("err").toFile());
        for (int i = 0; i + 1 < env.length; i += 2) pb.environment().put(env[i], env[i + 1]);
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "oci create did not finish");
        return new Result(p.exitValue(), Files.readString(tmp.resolve("out")), Files.readString(tmp.resolve("err")));
    }

    /** Inits of this state root still waiting for a plan. */
    List<Long> waitingInits() {
        String prefix = root.resolve(".oci-init-").toString();
        return ProcessHandle.allProcesses().filter(h -> {
            try {
                String cmdline = Files.readString(Path.of("/proc", Long.toString(h.pid()), "cmdline"));
                return cmdline.startsWith(prefix) && cmdline.contains("\0--await-plan\0");
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }).map(ProcessHandle::pid).toList();
    }

    @Test
    void theFrontEndStartsTheInitOfACreateAndTheJvmAdoptsIt() throws Exception {
        assertEquals(0, oci("bundle", "example.com/busybox:1", bundle.toString()).code());
        // The first create in a state root extracts the init there: nothing to start early yet. (The
        // bundle above may have extracted it already, for its run-cache entry, where the runtime's
        // classes come from a jar, as under `mvn verify`.)
        try (var inits = Files.newDirectoryStream(root, ".oci-init-*")) {
            for (Path init : inits) Files.delete(init);
        }
        Result first = launchCreate("early-1");
        assertEquals(0, first.code(), first.err());
        assertFalse(first.err().contains("(started early)"), first.err());
        assertEquals(0, oci("delete", "-f", "early-1").code());

        Result early = launchCreate("early-2");
        assertEquals(0, early.code(), early.err());
        assertTrue(early.err().contains("(started early)"), early.err());
        Result state = oci("state", "early-2");
        assertTrue(state.out().contains("\"created\""), state.out());
        assertEquals(0, oci("start", "early-2").code());
        for (int i = 0; i < 200 && !oci("state", "early-2").out().contains("\"stopped\""); i++) Thread.sleep(20);
        assertTrue(oci("state", "early-2").out().contains("\"stopped\""), "the container ran");
        assertEquals(0, oci("delete", "early-2").code());

        Result off = launchCreate("early-3", "OCI_PRESPAWN", "0");
        assertEquals(0, off.code(), off.err());
        assertFalse(off.err().contains("(started early)"), off.err());
        assertEquals(0, oci("delete", "-f", "early-3").code());

        // A create the JVM refuses: the init it was not given a plan exits by itself.
        Files.writeString(bundle.resolve("config.json"), "{\"ociVersion\": \"1.0.2\", \"process\": {\"args\": [\"true\"], \"cwd\": \"/\"}, "
                + "\"root\": {\"path\": \"rootfs\"}, \"linux\": {\"namespaces\": [{\"type\": \"bogus\"}]}}");
        Result refused = launchCreate("early-4");
        assertEquals(1, refused.code(), refused.err());
        for (int i = 0; i < 100 && !waitingInits().isEmpty(); i++) Thread.sleep(20);
        assertEquals(List.of(), waitingInits(), "no init left waiting");
        assertFalse(Files.exists(root.resolve("early-4")));
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
