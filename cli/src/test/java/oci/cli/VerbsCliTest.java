package oci.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import oci.bundle.spec.RuntimeSpec;
import oci.linux.ProcessCalls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * update, events, features, checkpoint and restore through runc's command line: every option runc
 * has is accepted, what they change is read back from the container's cgroup files.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class VerbsCliTest {
    @TempDir
    static Path tmp;
    static final ObjectMapper JSON = new ObjectMapper();
    static final String SUFFIX = "-" + ProcessHandle.current().pid();

    static RuntimeCommandsTest.Out oci(Path root, String... args) {
        java.io.StringWriter out = new java.io.StringWriter(), err = new java.io.StringWriter();
        List<String> all = new ArrayList<>(List.of("--root", root.toString()));
        all.addAll(List.of(args));
        int code = Main.run(all.toArray(String[]::new), new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true));
        return new RuntimeCommandsTest.Out(code, out.toString(), err.toString());
    }

    @Test
    void featuresIsTheSpecsJsonOfWhatIsImplemented() throws Exception {
        RuntimeCommandsTest.Out o = oci(tmp.resolve("state"), "features");
        assertEquals(0, o.code(), o.err());
        JsonNode f = JSON.readTree(o.out());
        assertEquals("1.0.0", f.path("ociVersionMin").asText());
        assertEquals(RuntimeSpec.VERSION, f.path("ociVersionMax").asText());
        assertTrue(f.path("hooks").toString().contains("\"createContainer\""));
        assertTrue(f.path("mountOptions").toString().contains("\"rslave\""));
        assertTrue(f.path("linux").path("namespaces").toString().contains("\"cgroup\""));
        assertTrue(f.path("linux").path("capabilities").toString().contains("\"CAP_SYS_ADMIN\""));
        assertTrue(f.path("linux").path("seccomp").path("enabled").asBoolean());
        assertTrue(f.path("linux").path("seccomp").path("archs").toString().contains("\"SCMP_ARCH_X86_64\""));
        assertEquals(false, f.path("linux").path("apparmor").path("enabled").asBoolean(true));
        assertEquals(false, f.path("linux").path("selinux").path("enabled").asBoolean(true));
        assertEquals(false, f.path("linux").path("cgroup").path("systemd").asBoolean(true));
    }

    @Test
    void runcFlagValues() {
        assertEquals(64L << 20, UpdateCommand.ramInBytes("64m"));
        assertEquals(3L << 29, UpdateCommand.ramInBytes("1.5GB"));
        assertEquals(512, UpdateCommand.ramInBytes("512"));
        assertEquals(1L << 10, UpdateCommand.ramInBytes("1KiB"));
        assertThrows(IllegalArgumentException.class, () -> UpdateCommand.ramInBytes("12x"));
        assertEquals(Duration.ofSeconds(5), EventsCommand.goDuration("5s"));
        assertEquals(Duration.ofMillis(90_500), EventsCommand.goDuration("1m30.5s"));
        assertEquals(Duration.ofMillis(250), EventsCommand.goDuration("250ms"));
        assertEquals(Duration.ZERO, EventsCommand.goDuration("0"));
        assertThrows(OciException.class, () -> EventsCommand.goDuration("5"));
    }

    @Test
    void helpListsTheVerbs() {
        RuntimeCommandsTest.Out o = oci(tmp.resolve("state"), "--help");
        for (String v : List.of("update", "events", "features", "checkpoint", "restore")) {
            assertTrue(o.out().matches("(?s).*\\n\\s+" + v + "\\s.*"), v + " in\n" + o.out());
        }
    }

    @Test
    void restoreIsRefusedForCriusReasonWithRuncsOptions() {
        RuntimeCommandsTest.Out o = oci(tmp.resolve("state"), "restore", "--console-socket", "/tmp/x.sock", "--image-path", "/tmp/img",
                "--work-path", "/tmp/w", "--tcp-established", "--ext-unix-sk", "--shell-job", "--file-locks", "--manage-cgroups-mode", "soft",
                "-b", tmp.toString(), "-d", "--pid-file", "/tmp/p", "--no-subreaper", "--no-pivot", "--empty-ns", "network",
                "--auto-dedup", "--lazy-pages", "--lsm-profile", "apparmor:x", "--lsm-mount-context", "ctx", "r1");
        assertEquals(1, o.code(), o.err());
        assertCriuReason(o.err(), "oci: restore container r1: ");
    }

    /** The reason this host gives: criu missing, `criu check` failing (Debian 12's criu on these kernels), or not implemented. */
    static void assertCriuReason(String err, String prefix) {
        assertTrue(err.startsWith(prefix + "checkpoint and restore "), err);
        boolean installed = Files.isExecutable(Path.of("/usr/sbin/criu")) || Files.isExecutable(Path.of("/usr/bin/criu"));
        if (!installed) {
            assertTrue(err.contains("criu is not installed"), err);
            return;
        }
        boolean checks;
        try {
            Process p = new ProcessBuilder("criu", "check").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            checks = p.waitFor() == 0;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        assertTrue(err.contains(checks ? "not implemented by oci" : "`criu check` fails: "), err);
        assertEquals(1, err.strip().lines().count(), "one line: " + err);
    }

    @Test
    void updateEventsAndCheckpointOnARealContainer() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(ProcessCalls.geteuid() == 0, "real containers need root (CI runs as root)");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/bin/busybox")) && Files.isExecutable(Path.of("/usr/sbin/runc")),
                "needs Debian's busybox-static and runc (installed by .ci/run)");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(Path.of("/sys/fs/cgroup/memory")) && Files.isDirectory(Path.of("/sys/fs/cgroup/cpu")),
                "reads cgroup v1 memory and cpu files (the hybrid machines CI runs on)");
        Path bundle = Files.createDirectories(tmp.resolve("bundle")), root = tmp.resolve("state");
        Path bin = Files.createDirectories(bundle.resolve("rootfs/bin"));
        for (String d : List.of("proc", "dev", "sys", "tmp")) Files.createDirectories(bundle.resolve("rootfs").resolve(d));
        Files.copy(Path.of("/bin/busybox"), bin.resolve("busybox"));
        for (String a : List.of("sh", "sleep")) Files.createSymbolicLink(bin.resolve(a), Path.of("busybox"));
        assertEquals(0, new ProcessBuilder("runc", "spec").directory(bundle.toFile()).inheritIO().start().waitFor());
        RuntimeSpec s = RuntimeSpec.read(bundle.resolve("config.json"));
        s.process.terminal = false;
        s.process.args = new ArrayList<>(List.of("sleep", "60"));
        Files.write(bundle.resolve("config.json"), s.toJson());
        String id = "verbs" + SUFFIX;
        Path mem = Path.of("/sys/fs/cgroup/memory/oci", id), cpu = Path.of("/sys/fs/cgroup/cpu/oci", id);

        RuntimeCommandsTest.Out stopped = oci(root, "checkpoint", id);
        assertEquals(1, stopped.code());
        assertTrue(stopped.err().startsWith("oci: container does not exist: " + id), stopped.err()); // runc's text
        assertEquals(0, oci(root, "create", "-b", bundle.toString(), id).code());
        try {
            RuntimeCommandsTest.Out created = oci(root, "checkpoint", id);
            assertTrue(created.err().contains("cannot be checkpointed in created state"), created.err());
            assertEquals(0, oci(root, "start", id).code());

            RuntimeCommandsTest.Out u = oci(root, "update", "--memory", "64m", "--memory-swap", "128M", "--memory-reservation", "32m",
                    "--cpu-share", "256", "--cpu-period", "100000", "--cpu-quota", "25000", "--cpuset-cpus", "0", "--pids-limit", "10",
                    "--blkio-weight", "0", id);
            assertEquals(0, u.code(), u.err());
            assertEquals(String.valueOf(64L << 20), Files.readString(mem.resolve("memory.limit_in_bytes")).trim());
            assertEquals(String.valueOf(128L << 20), Files.readString(mem.resolve("memory.memsw.limit_in_bytes")).trim());
            assertEquals(String.valueOf(32L << 20), Files.readString(mem.resolve("memory.soft_limit_in_bytes")).trim());
            assertEquals("256", Files.readString(cpu.resolve("cpu.shares")).trim());
            assertEquals("25000", Files.readString(cpu.resolve("cpu.cfs_quota_us")).trim());
            assertEquals("10", Files.readString(Path.of("/sys/fs/cgroup/pids/oci", id, "pids.max")).trim());

            Path res = tmp.resolve("resources.json");
            Files.writeString(res, "{\"memory\":{\"limit\":100663296,\"swap\":201326592},\"cpu\":{\"quota\":-1}}");
            RuntimeCommandsTest.Out r = oci(root, "update", "--resources", res.toString(), "--memory", "1g", id);
            assertEquals(0, r.code(), r.err());
            assertTrue(r.err().contains("the other options are ignored"), r.err());
            assertEquals("100663296", Files.readString(mem.resolve("memory.limit_in_bytes")).trim());
            assertEquals("-1", Files.readString(cpu.resolve("cpu.cfs_quota_us")).trim());

            RuntimeCommandsTest.Out bad = oci(root, "update", "--memory", "12x", id);
            assertEquals(Main.EXIT_USAGE, bad.code());
            assertTrue(bad.err().startsWith("oci: update container " + id + ": invalid value for memory"), bad.err());
            RuntimeCommandsTest.Out rdt = oci(root, "update", "--l3-cache-schema", "L3:0=f", id);
            assertEquals(1, rdt.code());
            assertTrue(rdt.err().contains("Intel RDT is not implemented"), rdt.err());

            RuntimeCommandsTest.Out e = oci(root, "events", "--stats", id);
            assertEquals(0, e.code(), e.err());
            JsonNode ev = JSON.readTree(e.out());
            assertEquals("stats", ev.path("type").asText());
            assertEquals(id, ev.path("id").asText());
            assertEquals(100663296L, ev.path("data").path("memory").path("usage").path("limit").asLong());
            assertEquals(10, ev.path("data").path("pids").path("limit").asLong());
            assertEquals(1, ev.path("data").path("pids").path("current").asLong());
            assertEquals("[0]", ev.path("data").path("cpuset").path("cpus").toString());
            RuntimeCommandsTest.Out zero = oci(root, "events", "--interval", "0s", id);
            assertEquals(1, zero.code());
            assertTrue(zero.err().contains("duration interval must be greater than 0"), zero.err());

            RuntimeCommandsTest.Out c = oci(root, "checkpoint", "--image-path", tmp.resolve("img").toString(), "--work-path", "/tmp",
                    "--parent-path", "p", "--leave-running", "--tcp-established", "--tcp-skip-in-flight", "--link-remap", "--ext-unix-sk",
                    "--shell-job", "--lazy-pages", "--status-fd", "3", "--page-server", "127.0.0.1:9", "--file-locks", "--pre-dump",
                    "--manage-cgroups-mode", "full", "--empty-ns", "network", "--auto-dedup", id);
            assertEquals(1, c.code());
            assertCriuReason(c.err(), "oci: checkpoint container " + id + ": ");
            assertEquals("running", JSON.readTree(oci(root, "state", id).out()).path("status").asText(), "a refused checkpoint leaves it running");
        } finally {
            assertEquals(0, oci(root, "delete", "--force", id).code());
        }
    }
}
