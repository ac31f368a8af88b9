package oci.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import oci.bundle.spec.RuntimeSpec;
import oci.linux.ProcessCalls;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The native `oci run` front end (src/native/fastrun.c) replaying what {@link RunCache} recorded,
 * with real containers as root. The JVM the front end falls back to is stood in for by
 * /bin/echo, so a test sees whether the front end ran the container itself or handed over.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FastRunTest {
    static final Path FASTRUN = Path.of("target/oci-fastrun").toAbsolutePath();
    /** What the front end execs on a miss: echo prints the JVM command line it was given. */
    static final List<String> JVM = List.of("/bin/echo", "JVM", "-jar", "oci-cli.jar", "--");

    @TempDir
    static Path tmp;
    static Path root;
    static TestBundle bundle;
    static Containers containers;

    @BeforeAll
    static void setUp() throws Exception {
        assumeTrue(ProcessCalls.geteuid() == 0, "real containers need root (CI runs as root)");
        assumeTrue(TestBundle.toolsPresent(), "needs Debian's busybox-static and runc (installed by .ci/run)");
        assumeTrue(Files.isExecutable(FASTRUN), "the build makes target/oci-fastrun (gcc)");
        root = tmp.resolve("state");
        containers = new Containers(root, null);
        bundle = TestBundle.create(Files.createDirectories(tmp.resolve("bundle")), "true");
    }

    @BeforeEach
    void reset() throws IOException {
        bundle.restore();
    }

    @AfterAll
    static void nothingLeft() throws IOException {
        if (containers == null) return;
        assertEquals(List.of(), containers.list(), "containers left in the state root");
        for (String ctrl : List.of("memory", "pids", "cpu", "cpuset")) {
            Path oci = Path.of("/sys/fs/cgroup", ctrl, "oci");
            if (!Files.isDirectory(oci)) continue;
            try (var s = Files.list(oci)) {
                assertEquals(List.of(), s.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                        .filter(n -> n.startsWith("f-" + ProcessHandle.current().pid() + "-")).toList(), "cgroups left in " + oci);
            }
        }
    }

    private static int seq;

    static String newId() {
        return "f-" + ProcessHandle.current().pid() + "-" + seq++;
    }

    record Result(int exit, String out, String err) {
        boolean handedToJvm() {
            return out.startsWith("JVM -jar oci-cli.jar ");
        }
    }

    /** The Java path, as `oci run` takes it: create attached, start, wait, and with rm delete. */
    static int runInJava(String id, boolean rm) throws Exception {
        Containers.Created c = containers.create(id, bundle.dir, Containers.Stdio.inherit(), null, null, true);
        containers.start(id);
        int code = c.waitFor();
        if (rm) containers.delete(id, true);
        return code;
    }

    static Process startFast(String... ociArgs) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(FASTRUN.toString());
        cmd.addAll(JVM);
        cmd.addAll(List.of(ociArgs));
        return new ProcessBuilder(cmd).redirectOutput(tmp.resolve("out").toFile()).redirectError(tmp.resolve("err").toFile()).start();
    }

    /** A first run in Java of a container that runs until killed: killed from outside, as a test cannot signal Java's own run. */
    static void recordWithAKilledRun(String id) throws Exception {
        Containers.Created c = containers.create(id, bundle.dir, Containers.Stdio.inherit(), null, null, true);
        containers.start(id);
        containers.kill(id, 9, false);
        c.waitFor();
        containers.delete(id, true);
    }

    /** Starts `run --rm` of the bundle through the front end and waits until the container printed "up". */
    static Process startFastUntilUp(String id) throws Exception {
        Process p = startFast("--root", root.toString(), "run", "--rm", "-b", bundle.dir.toString(), id);
        for (int i = 0; i < 500 && !Files.readString(tmp.resolve("out")).contains("up"); i++) Thread.sleep(10);
        return p;
    }

    static Result fast(String... ociArgs) throws Exception {
        Process p = startFast(ociArgs);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "fastrun did not finish");
        return new Result(p.exitValue(), Files.readString(tmp.resolve("out")), Files.readString(tmp.resolve("err")));
    }

    static Result fastRun(String id, String... extra) throws Exception {
        List<String> a = new ArrayList<>(List.of("--root", root.toString(), "run"));
        a.addAll(List.of(extra));
        a.addAll(List.of("-b", bundle.dir.toString(), id));
        return fast(a.toArray(String[]::new));
    }

    static List<Path> cgroupDirs(String id) {
        return Cgroups.detect().dirs("/oci/" + id).stream().filter(Files::isDirectory).toList();
    }

    @Test
    void replaysWhatJavaDecidedWithoutTheJvm() throws Exception {
        bundle.sh("echo hello from $(hostname); exit 3");
        String id = newId();
        assertEquals(3, runInJava(id, true));
        Path entry = RunCache.file(root, bundle.dir);
        assertTrue(Files.isRegularFile(entry), "a foreground run leaves its entry");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(entry)));

        Result r = fastRun(id, "--rm");
        assertFalse(r.handedToJvm(), r.out());
        assertEquals(3, r.exit(), r.err());
        assertEquals("hello from runc\n", r.out());
        assertEquals("", r.err());
        assertFalse(Files.exists(root.resolve(id)), "--rm removes the state directory");
        assertEquals(List.of(), cgroupDirs(id), "--rm removes the cgroups");
    }

    @Test
    void aStoppedContainerItLeavesIsJavasToDelete() throws Exception {
        bundle.sh("exit 0");
        String id = newId();
        runInJava(id, true);
        Result r = fastRun(id, "--keep");
        assertFalse(r.handedToJvm(), r.out());
        assertEquals(0, r.exit(), r.err());
        ContainerState s = containers.state(id);
        assertEquals("stopped", s.status());
        assertEquals(bundle.dir.toString(), s.bundle());
        containers.delete(id, false);
        assertEquals(List.of(), cgroupDirs(id));
    }

    @Test
    void withoutKeepTheRunDeletesItsContainerAsRuncsDoes() throws Exception {
        bundle.sh("exit 0");
        String id = newId();
        runInJava(id, true);
        Result r = fastRun(id);
        assertFalse(r.handedToJvm(), r.out());
        assertEquals(0, r.exit(), r.err());
        assertFalse(Files.exists(root.resolve(id)), "a foreground run without --keep removes its state directory");
        assertEquals(List.of(), cgroupDirs(id));
        assertEquals(0, fastRun(id).exit(), "the same id runs again");
    }

    @Test
    void javaSeesTheRunningContainerAndSignalsAreForwarded() throws Exception {
        bundle.sh("trap 'echo got TERM; exit 42' TERM; echo up; while true; do sleep 0.05; done");
        String id = newId();
        recordWithAKilledRun(id);
        Process p = startFastUntilUp(id);
        ContainerState s = containers.state(id);
        assertEquals("running", s.status());
        assertTrue(s.pid() > 0);
        assertFalse(cgroupDirs(id).isEmpty(), "the container is in its cgroups");
        ProcessCalls.kill((int) p.pid(), 15);
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        assertEquals(42, p.exitValue(), Files.readString(tmp.resolve("err")));
        assertEquals("up\ngot TERM\n", Files.readString(tmp.resolve("out")));
        assertFalse(Files.exists(root.resolve(id)));
    }

    @Test
    void anyChangedInputHandsOverToTheJvm() throws Exception {
        bundle.sh("exit 5");
        String id = newId();
        runInJava(id, true);
        // The same run again is replayed: the baseline for every miss below.
        assertFalse(fastRun(id, "--rm").handedToJvm());

        bundle.sh("exit 6");
        assertTrue(fastRun(id, "--rm").handedToJvm(), "config.json changed");
        bundle.sh("exit 5");

        for (String option : List.of("-d", "--pid-file=/tmp/x", "--console-socket=/tmp/s")) {
            assertTrue(fastRun(id, option).handedToJvm(), option);
        }
        assertTrue(fast("--root", root.toString(), "--debug", "run", "-b", bundle.dir.toString(), id).handedToJvm(), "--debug");
        assertTrue(fast("--root", root.resolve("other").toString(), "run", "-b", bundle.dir.toString(), id).handedToJvm(), "another root");

        // The runtime code that made the entry (here target/classes) changed: a new build.
        Path code = Path.of(RunCache.codeIdentity().lines().findFirst().orElseThrow());
        var built = Files.getLastModifiedTime(code);
        Files.setLastModifiedTime(code, java.nio.file.attribute.FileTime.fromMillis(built.toMillis() + 1000));
        try {
            assertTrue(fastRun(id, "--rm").handedToJvm(), "another build of the runtime");
        } finally {
            Files.setLastModifiedTime(code, built);
        }

        Path entry = RunCache.file(root, bundle.dir);
        Files.setPosixFilePermissions(entry, PosixFilePermissions.fromString("rw-rw-r--"));
        assertTrue(fastRun(id, "--rm").handedToJvm(), "an entry others could have written is not trusted");
        Files.setPosixFilePermissions(entry, PosixFilePermissions.fromString("rw-------"));
        Files.setPosixFilePermissions(entry.getParent(), PosixFilePermissions.fromString("rwxrwxrwx"));
        assertTrue(fastRun(id, "--rm").handedToJvm(), "nor one in a directory others could write");
        Files.setPosixFilePermissions(entry.getParent(), PosixFilePermissions.fromString("rwx------"));
        assertFalse(fastRun(id, "--rm").handedToJvm());
        assertFalse(Files.exists(root.resolve(id)));
    }

    @Test
    void oneEntryServesAnyIdWithItsOwnStateAndCgroups() throws Exception {
        bundle.sh("trap 'exit 9' TERM; echo up; while true; do sleep 0.05; done");
        String second = newId();
        recordWithAKilledRun(newId());
        Process p = startFastUntilUp(second);
        assertEquals(second, containers.state(second).id());
        assertEquals(Cgroups.detect().dirs("/oci/" + second).stream().map(Path::toString).toList(),
                Saved.fromJson(Files.readString(root.resolve(second).resolve("state.json")), "state").cgroupDirs());
        assertFalse(cgroupDirs(second).isEmpty(), "its own cgroups, named by its id");
        ProcessCalls.kill((int) p.pid(), 15);
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        assertEquals(9, p.exitValue(), Files.readString(tmp.resolve("err")));
        assertFalse(Files.exists(root.resolve(second)));
        assertEquals(List.of(), cgroupDirs(second));
    }

    @Test
    void aBundlePreparedAheadRunsWithoutTheJvmTheFirstTime() throws Exception {
        bundle.sh("echo prepared; exit 4");
        containers.prepareRun(bundle.dir);
        Result r = fastRun(newId(), "--rm");
        assertFalse(r.handedToJvm(), r.out());
        assertEquals(4, r.exit(), r.err());
        assertEquals("prepared\n", r.out());
    }

    @Test
    void aBundleWithHooksIsNotPrepared() throws Exception {
        RuntimeSpec.Hook h = new RuntimeSpec.Hook();
        h.path = "/bin/true";
        bundle.spec.hooks = new RuntimeSpec.Hooks();
        bundle.spec.hooks.poststart = List.of(h);
        bundle.save();
        Files.deleteIfExists(RunCache.file(root, bundle.dir));
        assertThrows(ContainerException.class, () -> containers.prepareRun(bundle.dir));
        assertFalse(Files.exists(RunCache.file(root, bundle.dir)));
    }

    @Test
    void theJvmCommandGetsTheArgumentsUnchanged() throws Exception {
        Result r = fast("--root", root.toString(), "run", "--detach", "-b", "some dir", "x");
        assertEquals("JVM -jar oci-cli.jar --root " + root + " run --detach -b some dir x\n", r.out());
    }

    @Test
    void runsWithHooksAreNeverRecorded() throws Exception {
        bundle.sh("exit 0");
        String id = newId();
        runInJava(id, true);
        assertTrue(Files.exists(RunCache.file(root, bundle.dir)));
        RuntimeSpec.Hook h = new RuntimeSpec.Hook();
        h.path = "/bin/true";
        bundle.spec.hooks = new RuntimeSpec.Hooks();
        bundle.spec.hooks.poststop = List.of(h);
        bundle.save();
        runInJava(id, true);
        assertFalse(Files.exists(RunCache.file(root, bundle.dir)), "a run that cannot be replayed removes the older entry");
        assertTrue(fastRun(id, "--rm").handedToJvm());
    }

    @Test
    void anExistingIdIsOneLineAndLeftAlone() throws Exception {
        bundle.sh("exit 0");
        String id = newId();
        runInJava(id, false);
        byte[] state = Files.readAllBytes(root.resolve(id).resolve("state.json"));
        Result r = fastRun(id);
        assertEquals(1, r.exit());
        assertEquals("oci: create container " + id + ": a container with this id already exists in " + root + "\n", r.err());
        assertEquals(new String(state), Files.readString(root.resolve(id).resolve("state.json")));
        containers.delete(id, false);
    }

    @Test
    void aFailingCreateIsOneLineAndLeavesNothing() throws Exception {
        bundle.sh("exit 0");
        String id = newId();
        runInJava(id, true);
        Path rootfs = bundle.dir.resolve("rootfs"), moved = bundle.dir.resolve("rootfs.moved");
        Files.move(rootfs, moved);
        try {
            Result r = fastRun(id, "--rm");
            assertFalse(r.handedToJvm());
            assertEquals(1, r.exit());
            assertTrue(r.err().startsWith("oci: create container " + id + ": ") && r.err().indexOf('\n') == r.err().length() - 1, r.err());
            assertTrue(r.err().contains("rootfs"), r.err());
        } finally {
            Files.move(moved, rootfs);
        }
        assertFalse(Files.exists(root.resolve(id)), "no state directory");
        assertEquals(List.of(), cgroupDirs(id), "no cgroup");
    }
}
