package oci.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import oci.bundle.spec.RuntimeSpec;
import oci.linux.ProcessCalls;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The cgroup v2 code against a real cgroup2 mount: these machines are hybrid, with the unified
 * hierarchy at /sys/fs/cgroup/unified (offering hugetlb only), so {@link Cgroups#unified} is
 * pointed there. Every cgroup a test makes is under /oci-v2test-PID and removed after it; every
 * process it starts is ended by its PID.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CgroupsV2Test {
    static final Path UNIFIED = Cgroups.HYBRID_UNIFIED;
    static final String BASE = "oci-v2test-" + ProcessHandle.current().pid();
    static String rootSubtreeBefore;
    final List<Process> started = new ArrayList<>();

    @BeforeAll
    static void needsTheUnifiedHierarchy() throws IOException {
        assumeTrue(ProcessCalls.geteuid() == 0, "cgroups need root (CI runs as root)");
        assumeTrue(Files.exists(UNIFIED.resolve("cgroup.controllers")), "no cgroup2 hierarchy at " + UNIFIED);
        rootSubtreeBefore = Cgroups.readVirtual(UNIFIED.resolve("cgroup.subtree_control"));
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (Process p : started) {
            p.destroyForcibly(); // SIGKILL to this child by its pid
            p.waitFor(5, TimeUnit.SECONDS);
        }
        Path base = UNIFIED.resolve(BASE);
        if (Files.isDirectory(base)) {
            try (Stream<Path> s = Files.walk(base)) {
                List<Path> dirs = s.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).toList();
                Cgroups.remove(dirs);
            }
        }
    }

    @AfterAll
    static void restoreTheRoot() throws IOException {
        if (rootSubtreeBefore == null) return;
        // The hugetlb test enables hugetlb for the root's children; undo that if it was not on before.
        if (!List.of(rootSubtreeBefore.split(" ")).contains("hugetlb")) {
            try {
                Files.writeString(UNIFIED.resolve("cgroup.subtree_control"), "-hugetlb");
            } catch (IOException busy) {
                // another cgroup of the root uses it now: leave it on
            }
        }
    }

    private Process sleeper() throws IOException {
        Process p = new ProcessBuilder("sleep", "60").start();
        started.add(p);
        return p;
    }

    private static String cgroupOf(long pid) throws IOException {
        for (String l : Cgroups.readVirtual(Path.of("/proc", Long.toString(pid), "cgroup")).split("\n")) {
            if (l.startsWith("0::")) return l.substring(3);
        }
        return null;
    }

    @Test
    void createJoinFreezeThawKillRemove() throws Exception {
        Cgroups cg = Cgroups.unified(UNIFIED);
        assertTrue(cg.unifiedOnly());
        String path = "/" + BASE + "/c1";
        Path dir = UNIFIED.resolve(BASE + "/c1");
        assertEquals(List.of(dir), cg.dirs(path));
        cg.create(path, List.of());
        assertTrue(Files.isDirectory(dir));
        Process p = sleeper();
        Cgroups.join(cg.dirs(path), p.pid());
        assertEquals(path, cgroupOf(p.pid()));
        assertEquals(List.of((int) p.pid()), Cgroups.pids(List.of(dir)));

        assertEquals(dir, Cgroups.freezer(List.of(dir.toString())));
        assertFalse(Cgroups.frozen(dir));
        Cgroups.setFrozen(dir, true);
        assertTrue(Cgroups.frozen(dir));
        assertTrue(Cgroups.readVirtual(dir.resolve("cgroup.events")).contains("frozen 1"));
        Cgroups.setFrozen(dir, false);
        assertFalse(Cgroups.frozen(dir));
        assertTrue(Cgroups.readVirtual(dir.resolve("cgroup.events")).contains("frozen 0"));

        // cgroup.kill: every process of the cgroup, frozen or not, at once.
        assumeTrue(Files.exists(dir.resolve("cgroup.kill")), "this kernel has no cgroup.kill (Linux < 5.14)");
        Cgroups.setFrozen(dir, true);
        assertTrue(Cgroups.kill(List.of(dir)));
        assertTrue(p.waitFor(10, TimeUnit.SECONDS), "the process survived cgroup.kill");
        assertEquals(128 + 9, p.exitValue()); // killed by SIGKILL
        Cgroups.remove(List.of(dir));
        assertFalse(Files.exists(dir));
    }

    @Test
    void hugetlbLimitsGoToTheV2FilesWithTheControllerEnabledInTheParents() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/sys/kernel/mm/hugepages/hugepages-2048kB")), "no 2 MB huge pages on this kernel");
        Cgroups cg = Cgroups.unified(UNIFIED);
        assumeTrue(cg.version("hugetlb") == 2, "the unified hierarchy does not offer hugetlb");
        RuntimeSpec.Resources r = new RuntimeSpec.Resources();
        RuntimeSpec.HugepageLimit h = new RuntimeSpec.HugepageLimit();
        h.pageSize = "2MB";
        h.limit = 4L << 20;
        r.hugepageLimits = List.of(h);
        r.unified = Map.of("hugetlb.2MB.rsvd.max", Long.toString(2L << 20));
        List<Cgroups.Setting> settings = CgroupSettings.of(r, List.of(), cg);
        String path = "/" + BASE + "/huge";
        cg.create(path, settings);
        Path dir = UNIFIED.resolve(BASE + "/huge");
        assertEquals(Long.toString(4L << 20), Cgroups.readVirtual(dir.resolve("hugetlb.2MB.max")));
        assertEquals(Long.toString(2L << 20), Cgroups.readVirtual(dir.resolve("hugetlb.2MB.rsvd.max")));
        assertTrue(Cgroups.readVirtual(UNIFIED.resolve(BASE + "/cgroup.subtree_control")).contains("hugetlb"));
        Cgroups.remove(List.of(dir));
        assertFalse(Files.exists(dir));
    }

    @Test
    void aLimitWhoseControllerTheHierarchyDoesNotOfferIsRefusedByName() throws Exception {
        Cgroups cg = Cgroups.unified(UNIFIED);
        assumeTrue(cg.version("memory") == 0, "this unified hierarchy offers memory");
        RuntimeSpec.Resources r = new RuntimeSpec.Resources();
        r.memory = new RuntimeSpec.Memory();
        r.memory.limit = 1L << 20;
        String msg = assertThrows(ContainerException.class, () -> CgroupSettings.of(r, List.of(), cg)).getMessage();
        assertTrue(msg.contains("linux.resources.memory") && msg.contains("memory controller is not available") && msg.contains(UNIFIED.toString()), msg);
        // A v2 file the kernel does not have: named in the error.
        String path = "/" + BASE + "/nofile";
        ContainerException e = assertThrows(ContainerException.class,
                () -> cg.create(path, List.of(Cgroups.Setting.v2("hugetlb", "hugetlb.3MB.max", "1"))));
        assertTrue(e.getMessage().contains("hugetlb.3MB.max"), e.getMessage());
        Cgroups.remove(List.of(UNIFIED.resolve(BASE + "/nofile")));
    }

    @Test
    void deviceRulesBecomeAnEbpfProgramThatTheKernelApplies() throws Exception {
        assumeTrue(Files.exists(Path.of("/dev/kmsg")), "no /dev/kmsg to be denied");
        Cgroups cg = Cgroups.unified(UNIFIED);
        // runc spec's rules: deny everything but runc's default list (null, zero, full, tty, ...); kmsg (1:11) is not in it.
        RuntimeSpec.Resources r = new RuntimeSpec.Resources();
        r.devices = List.of(new RuntimeSpec.DeviceCgroup(false, null, null, null, "rwm"));
        String path = "/" + BASE + "/dev";
        Path dir = UNIFIED.resolve(BASE + "/dev");
        cg.create(path, CgroupSettings.of(r, List.of(), cg));
        // The shell moves itself into the cgroup, then opens device nodes.
        Process p = new ProcessBuilder("sh", "-c", "echo $$ > " + dir.resolve("cgroup.procs")
                + "; (exec 3</dev/null) && echo null-ok; (exec 3</dev/kmsg) 2>&1 || echo kmsg-denied; (exec 3</dev/zero) && echo zero-ok")
                .redirectErrorStream(true).start();
        started.add(p);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        assertTrue(out.contains("null-ok") && out.contains("zero-ok"), out);
        assertTrue(out.contains("Operation not permitted") && out.contains("kmsg-denied"), out);
        Cgroups.remove(List.of(dir));
        // Outside the cgroup the same open works.
        Process q = new ProcessBuilder("sh", "-c", "(exec 3</dev/kmsg) && echo kmsg-ok").redirectErrorStream(true).start();
        started.add(q);
        assertEquals("kmsg-ok\n", new String(q.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void detectSeesThisMachinesShape() throws IOException {
        Cgroups cg = Cgroups.detect();
        String mountinfo = new String(Files.readAllBytes(Path.of("/proc/self/mountinfo")), StandardCharsets.UTF_8);
        if (mountinfo.contains(" /sys/fs/cgroup/unified ") && !cg.controllers().isEmpty()) {
            assertFalse(cg.unifiedOnly());
            assertEquals(UNIFIED, cg.unifiedRoot());
            assertEquals(UNIFIED.resolve("oci/x"), cg.dirs("/oci/x").getLast());
        }
    }
}
