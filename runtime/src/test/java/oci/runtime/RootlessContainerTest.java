package oci.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import oci.bundle.spec.RuntimeSpec;
import oci.linux.ProcessCalls;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rootless containers for real: the runtime runs as user nobody (setpriv), in a JVM of its own
 * ({@link RootlessChild}), on the bundle `runc spec --rootless` writes, mapping root in the
 * container to nobody outside.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RootlessContainerTest {
    static final int NOBODY = 65534;

    @TempDir
    static Path tmp;
    static Path cp, root;
    static TestBundle bundle;

    @BeforeAll
    static void setUp() throws Exception {
        assumeTrue(ProcessCalls.geteuid() == 0, "switching to user nobody needs root (CI runs as root)");
        assumeTrue(TestBundle.toolsPresent(), "needs Debian's busybox-static and runc (installed by .ci/run)");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "setpriv (util-linux) is missing");
        bundle = TestBundle.createRootless(Files.createDirectories(tmp.resolve("bundle")), NOBODY, NOBODY, "true");
        root = tmp.resolve("state");
        Files.createDirectories(root);
        Files.setOwner(root, root.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        cp = copyClassPath(tmp.resolve("cp"));
        openUp(tmp);
    }

    @BeforeEach
    void reset() throws IOException {
        bundle.restore();
    }

    /** The test class path, copied where nobody can read it (~/.m2 is root's); the init stays executable. */
    static Path copyClassPath(Path dir) throws IOException {
        List<String> entries = new ArrayList<>();
        int i = 0;
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path src = Path.of(e);
            if (!Files.exists(src)) continue;
            Path dst = dir.resolve(i++ + "-" + src.getFileName());
            try (var s = Files.walk(src)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    Path d = Files.isDirectory(src) ? dst.resolve(src.relativize(p).toString()) : dst;
                    if (Files.isDirectory(p)) Files.createDirectories(d);
                    else Files.copy(p, d, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
            entries.add(dst.toString());
        }
        Path file = dir.resolve("path");
        Files.writeString(file, String.join(File.pathSeparator, entries));
        return file;
    }

    static void openUp(Path top) throws IOException {
        try (var s = Files.walk(top)) {
            s.forEach(p -> {
                p.toFile().setReadable(true, false);
                if (Files.isDirectory(p)) p.toFile().setExecutable(true, false);
            });
        }
    }

    record Result(int exit, String out) {}

    static Result asNobody(List<String> command) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups"));
        cmd.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("HOME", tmp.toString());
        pb.environment().remove("XDG_RUNTIME_DIR");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Result(p.exitValue(), out);
    }

    static String runInJava(String id) throws Exception {
        return asNobody(List.of(ProcessHandle.current().info().command().orElseThrow(), "--enable-native-access=ALL-UNNAMED",
                "-cp", Files.readString(cp), RootlessChild.class.getName(), root.toString(), bundle.dir.toString(), id)).out();
    }

    @Test
    void runsAsRootInsideAndNobodyOutside() throws Exception {
        bundle.sh("id; cat /proc/self/uid_map; cat /proc/self/status | grep ^NoNewPrivs; echo pid $$; exit 3");
        String out = runInJava("rl-basic");
        assertTrue(out.contains("uid=0(root) gid=0(root)"), out);
        assertTrue(out.replaceAll(" +", " ").contains(" 0 65534 1"), out);
        assertTrue(out.contains("pid 1\n"), "its own pid namespace: " + out);
        assertTrue(out.contains("state stopped\nexit 3\n"), out);
        assertFalse(Files.exists(root.resolve("rl-basic")), "deleted");
    }

    @Test
    void filesItWritesBelongToTheUserOutside() throws Exception {
        Path shared = Files.createDirectories(tmp.resolve("shared"));
        Files.setOwner(shared, shared.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        // The mount point must exist: the rootfs belongs to root, whom the container cannot act as.
        Files.createDirectories(bundle.dir.resolve("rootfs/shared"));
        RuntimeSpec.Mount m = new RuntimeSpec.Mount();
        m.destination = "/shared";
        m.type = "bind";
        m.source = shared.toString();
        m.options = List.of("rbind", "rw");
        bundle.spec.mounts = new ArrayList<>(bundle.spec.mounts);
        bundle.spec.mounts.add(m);
        bundle.sh("echo hi > /shared/made-inside");
        try {
            String out = runInJava("rl-owner");
            assertTrue(out.contains("exit 0"), out);
            assertEquals(NOBODY, (int) Files.getAttribute(shared.resolve("made-inside"), "unix:uid"));
        } finally {
            bundle.restore();
        }
    }

    @Test
    void cgroupLimitsAreRefusedByName() throws Exception {
        bundle.spec.linux.resources = new RuntimeSpec.Resources();
        bundle.spec.linux.resources.pids = new RuntimeSpec.Pids();
        bundle.spec.linux.resources.pids.limit = 10;
        bundle.save();
        String out = runInJava("rl-limits");
        assertTrue(out.startsWith("error create container rl-limits: linux.resources: a container run without root"), out);
        assertFalse(Files.exists(root.resolve("rl-limits")));
    }

    @Test
    void aUserNamespaceIsRequired() throws Exception {
        bundle.spec.linux.namespaces = bundle.spec.linux.namespaces.stream().filter(n -> !n.type.equals("user")).toList();
        bundle.spec.linux.uidMappings = null;
        bundle.spec.linux.gidMappings = null;
        bundle.save();
        String out = runInJava("rl-nouserns");
        assertTrue(out.startsWith("error create container rl-nouserns: running without root needs a new user namespace"), out);
    }

    @Test
    void onlyTheUsersOwnIdsCanBeMapped() throws Exception {
        bundle.spec.linux.uidMappings.get(0).hostID = 0;
        bundle.save();
        String out = runInJava("rl-map");
        assertTrue(out.startsWith("error create container rl-map: write the user namespace's id maps"), out);
        assertTrue(out.contains("own uid 65534"), out);
        assertFalse(Files.exists(root.resolve("rl-map")), "nothing left: " + out);
    }

    @Test
    void additionalGidsFailClearly() throws Exception {
        bundle.spec.process.user.additionalGids = List.of(5L);
        bundle.save();
        String out = runInJava("rl-gids");
        assertTrue(out.startsWith("error create container rl-gids: "), out);
        assertTrue(out.contains("setgroups is denied"), out);
    }

    @Test
    void theNativeFrontEndReplaysARootlessRun() throws Exception {
        bundle.sh("echo replayed as $(id -u); exit 6");
        assertTrue(runInJava("rl-fast").contains("exit 6"));
        Result r = asNobody(List.of(FastRunTest.FASTRUN.toString(), "/bin/echo", "JVM", "-jar", "x", "--",
                "--root", root.toString(), "run", "--rm", "-b", bundle.dir.toString(), "rl-fast"));
        assertEquals("replayed as 0\n", r.out());
        assertEquals(6, r.exit());
        assertFalse(Files.exists(root.resolve("rl-fast")));
    }
}
