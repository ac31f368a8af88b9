package oci.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import oci.linux.ProcessCalls;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A container's state is its owner's alone (config.json holds its environment): the modes runc
 * uses, and user nobody (setpriv) can neither list the state, read its files, nor start the
 * container through its exec fifo. The way to everything is left open to nobody, so only the
 * runtime's own modes stand in the way.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StatePrivacyTest {
    @TempDir
    static Path tmp;
    static TestBundle bundle;
    static Runner runner;

    @BeforeAll
    static void setUp() throws Exception {
        assumeTrue(ProcessCalls.geteuid() == 0, "real containers and switching to user nobody need root (CI runs as root)");
        assumeTrue(TestBundle.toolsPresent(), "needs Debian's busybox-static and runc (installed by .ci/run)");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "setpriv (util-linux) is missing");
        bundle = TestBundle.create(Files.createDirectories(tmp.resolve("bundle")), "true");
        Files.createDirectories(tmp.resolve("io"));
        RootlessContainerTest.openUp(tmp);
        runner = new Runner(tmp.resolve("state"), tmp.resolve("io"));
    }

    static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, java.nio.file.LinkOption.NOFOLLOW_LINKS));
    }

    /** A shell command line run as nobody; its exit code and output. */
    static String asNobody(String script) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "/bin/sh", "-c", script));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return out + "exit " + p.exitValue();
    }

    @Test
    void stateIsTheOwnersAlone() throws Exception {
        bundle.spec.process.env = new ArrayList<>(bundle.spec.process.env);
        bundle.spec.process.env.add("DB_PASSWORD=hunter2");
        bundle.args("true");
        String id = runner.newId("p");
        runner.containers.create(id, bundle.dir, runner.stdio(id), null, null);
        try {
            Path dir = runner.root.resolve(id);
            assertEquals("rwx--x--x", mode(runner.root));
            assertEquals("rwx--x--x", mode(dir));
            assertEquals("rw-------", mode(dir.resolve("config.json")));
            assertEquals("rw-------", mode(dir.resolve("state.json")));
            assertEquals("rw-------", mode(dir.resolve("lock")));
            // The container's process (root, group root) writes it once started; only the owner reads it.
            assertEquals("rw--w----", mode(dir.resolve("exec.fifo")));
            assertEquals(0, (int) Files.getAttribute(dir.resolve("exec.fifo"), "unix:gid"));

            String out = asNobody("ls " + runner.root + "; cat " + dir.resolve("config.json") + "; cat " + dir.resolve("state.json")
                    + "; timeout 5 cat " + dir.resolve("exec.fifo") + "; echo read $?; timeout 5 sh -c 'echo X > " + dir.resolve("exec.fifo")
                    + "'; echo write $?");
            assertTrue(!out.contains("hunter2") && !out.contains("\"pid\""), out);
            assertEquals(5, out.split("Permission denied", -1).length - 1, "ls, both cats, the fifo read and write: " + out);
            assertTrue(out.contains("read 1\n"), "nobody cannot start it: " + out);
            assertTrue(out.matches("(?s).*write [12]\n.*"), "nor write to its fifo (124: the open went through): " + out);
            assertEquals("created", runner.containers.state(id).status(), out);

            runner.containers.start(id);
            for (int i = 0; i < 500 && !runner.containers.state(id).status().equals("stopped"); i++) Thread.sleep(10);
            assertEquals("stopped", runner.containers.state(id).status());
            try (var files = Files.list(dir)) { // what the run left (plan, hook state): still the owner's alone
                for (Path f : files.filter(Files::isRegularFile).toList()) assertEquals("rw-------", mode(f), f.toString());
            }
            assertEquals(1, runner.containers.list().stream().filter(s -> s.id().equals(id)).count(), "oci list for the owner");
        } finally {
            runner.containers.delete(id, true);
        }
    }

    @Test
    void theRunCacheIsTheOwnersAlone() throws Exception {
        bundle.args("true");
        runner.containers.prepareRun(bundle.dir); // as `oci bundle` does; it holds the config, environment included
        Path cache = runner.root.resolve(".fastrun");
        assertEquals("rwx------", mode(cache));
        try (var s = Files.list(cache)) {
            List<Path> entries = s.toList();
            assertTrue(!entries.isEmpty());
            for (Path e : entries) assertEquals("rw-------", mode(e), e.toString());
        }
        String out = asNobody("ls " + cache + "; cat " + RunCache.file(runner.root, bundle.dir.toAbsolutePath().normalize()));
        assertEquals(2, out.split("Permission denied", -1).length - 1, out);
    }
}
