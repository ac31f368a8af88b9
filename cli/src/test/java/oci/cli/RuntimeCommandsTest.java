package oci.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import oci.bundle.spec.RuntimeSpec;
import oci.linux.ProcessCalls;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** runc's command line on real containers: a busybox rootfs and Debian's `runc spec` config. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RuntimeCommandsTest {
    @TempDir
    static Path tmp;
    static Path bundle, root;

    @BeforeAll
    static void setUp() throws Exception {
        assumeTrue(ProcessCalls.geteuid() == 0, "real containers need root (CI runs as root)");
        assumeTrue(Files.isExecutable(Path.of("/bin/busybox")) && Files.isExecutable(Path.of("/usr/sbin/runc")),
                "needs Debian's busybox-static and runc (installed by .ci/run)");
        bundle = Files.createDirectories(tmp.resolve("bundle"));
        root = tmp.resolve("state");
        Path bin = Files.createDirectories(bundle.resolve("rootfs/bin"));
        for (String d : List.of("proc", "dev", "sys", "tmp")) Files.createDirectories(bundle.resolve("rootfs").resolve(d));
        Files.copy(Path.of("/bin/busybox"), bin.resolve("busybox"));
        for (String a : List.of("sh", "echo", "sleep", "true", "cat")) Files.createSymbolicLink(bin.resolve(a), Path.of("busybox"));
        Process p = new ProcessBuilder("runc", "spec").directory(bundle.toFile()).inheritIO().start();
        assertEquals(0, p.waitFor());
    }

    static void config(String script) throws Exception {
        RuntimeSpec s = RuntimeSpec.read(bundle.resolve("config.json"));
        s.process.terminal = false;
        s.process.args = new ArrayList<>(List.of("sh", "-c", script));
        Files.write(bundle.resolve("config.json"), s.toJson());
    }

    record Out(int code, String out, String err) {}

    /** Ids unique to this test run: the cgroup path is /oci/ID, shared by every run on the machine. */
    static final String SUFFIX = "-" + ProcessHandle.current().pid();

    static Out oci(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        List<String> all = new ArrayList<>(List.of("--root", root.toString()));
        all.addAll(List.of(args));
        int code = Main.run(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
        return new Out(code, out.toString(), err.toString());
    }

    @Test
    void runReturnsTheContainersExitCode() throws Exception {
        config("exit 5");
        assertEquals(5, oci("run", "--rm", "-b", bundle.toString(), "exit5" + SUFFIX).code());
        assertEquals("", oci("list", "-q").out());
    }

    @Test
    void detachedLifecycleThroughTheCommands() throws Exception {
        config("sleep 30");
        assertEquals(0, oci("create", "-b", bundle.toString(), "--pid-file", tmp.resolve("pid").toString(), "d1" + SUFFIX).code());
        Out state = oci("state", "d1" + SUFFIX);
        assertTrue(state.out().replaceAll("\\s", "").contains("\"status\":\"created\""), state.out());
        assertEquals(0, oci("start", "d1" + SUFFIX).code());
        Out list = oci("list", "--format", "json");
        assertTrue(list.out().contains("\"id\":\"d1" + SUFFIX + "\"") && list.out().contains("\"status\":\"running\""), list.out());
        Out ps = oci("ps", "--format", "json", "d1" + SUFFIX);
        assertEquals("[" + Files.readString(tmp.resolve("pid")).trim() + "]\n", ps.out());
        // the table is ps -ef's rows of the container's processes, as runc prints it; ps options pass through
        List<String> rows = oci("ps", "d1" + SUFFIX).out().lines().toList();
        assertTrue(rows.get(0).startsWith("UID") && rows.get(0).contains("PID") && rows.get(0).contains("CMD"), rows.toString());
        assertEquals(2, rows.size(), rows.toString());
        assertTrue(rows.get(1).contains(" " + Files.readString(tmp.resolve("pid")).trim() + " ") && rows.get(1).contains("sleep 30"), rows.toString());
        List<String> custom = oci("ps", "d1" + SUFFIX, "-o", "pid,comm").out().lines().map(String::trim).toList();
        assertEquals(List.of("PID COMMAND", Files.readString(tmp.resolve("pid")).trim() + " sleep"), custom);
        // exec: what follows the id is the command, its options included
        assertEquals(9, oci("exec", "d1" + SUFFIX, "sh", "-c", "exit 9").code());
        Out table = oci("list");
        assertTrue(table.out().startsWith("ID ") && table.out().contains("d1" + SUFFIX), table.out());
        Out busy = oci("delete", "d1" + SUFFIX);
        assertEquals(1, busy.code());
        assertTrue(busy.err().startsWith("oci: delete container d1" + SUFFIX + ": cannot delete container d1" + SUFFIX
                + " that is not stopped: running"), busy.err());
        assertEquals(0, oci("kill", "d1" + SUFFIX, "SIGKILL").code());
        long pid = Long.parseLong(Files.readString(tmp.resolve("pid")).trim());
        for (int i = 0; i < 500 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false); i++) Thread.sleep(10);
        assertTrue(oci("state", "d1" + SUFFIX).out().contains("stopped"));
        assertEquals(0, oci("delete", "d1" + SUFFIX).code());
        Out gone = oci("state", "d1" + SUFFIX);
        assertEquals(1, gone.code());
        assertTrue(gone.err().startsWith("oci: container does not exist: d1" + SUFFIX), gone.err());
    }

    @Test
    void runcsTextsAndCodesWhereEnginesMatchThem() throws Exception {
        // containerd's shim and conmon match runc's error texts (checkKillError: "container not
        // running", "does not exist") and rely on its exit codes for these cases.
        config("true");
        String id = "e1" + SUFFIX;
        assertEquals(0, oci("create", "-b", bundle.toString(), id).code());
        assertEquals(0, oci("start", id).code());
        for (int i = 0; i < 500 && !oci("state", id).out().contains("stopped"); i++) Thread.sleep(10);
        Out kill = oci("kill", id, "KILL");
        assertEquals(new Out(1, "", "oci: kill container " + id + ": container not running\n"), kill);
        assertEquals(new Out(0, "", ""), oci("kill", "--all", id, "KILL"), "kill --all of a stopped container");
        assertEquals(new Out(1, "", "oci: start container " + id + ": cannot start a container that has stopped\n"), oci("start", id));
        assertEquals(0, oci("delete", id).code());
        String gone = "container does not exist: " + id + " (in " + root + ")";
        for (String verb : List.of("state", "start", "delete", "kill", "pause", "ps")) {
            assertEquals(new Out(1, "", "oci: " + gone + "\n"), oci(verb, id), verb);
        }
        assertEquals(new Out(0, "", ""), oci("delete", "--force", id), "delete --force of a container that does not exist");
    }

    @Test
    void bundleThenRunWithTheDefaultSeccompProfile() throws Exception {
        // The whole path: `oci bundle` makes config.json (docker-run defaults, the default seccomp
        // profile) from a rootfs tarball, `oci run` runs it.
        Path tar = tmp.resolve("rootfs.tar");
        Process t = new ProcessBuilder("tar", "-C", bundle.resolve("rootfs").toString(), "-cf", tar.toString(), ".")
                .inheritIO().start();
        assertEquals(0, t.waitFor());
        Path made = tmp.resolve("made");
        Out b = oci("bundle", "--rootfs-tar", tar.toString(), made.toString(), "--", "sh", "-c",
                "grep -c '^Seccomp:.*2' /proc/self/status; exit 6");
        assertEquals(0, b.code(), b.err());
        assertEquals(6, oci("run", "--rm", "-b", made.toString(), "made" + SUFFIX).code());
    }

    @Test
    void badSignalIsAUsageError() {
        Out o = oci("kill", "nope", "SIGNOPE");
        assertEquals(Main.EXIT_USAGE, o.code());
        assertTrue(o.err().contains("unknown signal \"SIGNOPE\""), o.err());
    }

    @Test
    void runForwardsSignalsAndExitsWithTheContainersCode() throws Exception {
        config("trap 'exit 42' TERM; echo ready; while true; do sleep 0.05; done");
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process p = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "oci.cli.Main", "--root", root.toString(), "run", "--rm", "-b", bundle.toString(), "fwd" + SUFFIX)
                .redirectError(tmp.resolve("fwd.err").toFile()).start();
        try {
            byte[] ready = p.getInputStream().readNBytes(6);
            assertEquals("ready\n", new String(ready));
            ProcessCalls.kill((int) p.pid(), 15);
            assertTrue(p.waitFor(20, TimeUnit.SECONDS));
            assertEquals(42, p.exitValue(), Files.readString(tmp.resolve("fwd.err")));
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly();
                oci("delete", "--force", "fwd" + SUFFIX);
            }
        }
        assertEquals("", oci("list", "-q").out());
    }
}
