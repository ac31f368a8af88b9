package oci.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import oci.bundle.spec.RuntimeSpec;
import oci.linux.ProcessCalls;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * runc's update and events against real containers: what update writes is read back from the
 * container's cgroup files, stats are compared with those files, and an OOM kill is seen as an
 * event. Needs root and a cgroup v1 memory/cpu/pids hierarchy (these machines: hybrid).
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class VerbsTest {
    @TempDir
    static Path tmp;
    static Runner runner;
    static TestBundle bundle;

    @BeforeAll
    static void setUp() throws Exception {
        assumeTrue(ProcessCalls.geteuid() == 0, "real containers need root (CI runs as root)");
        assumeTrue(TestBundle.toolsPresent(), "needs Debian's busybox-static and runc (installed by .ci/run)");
        Cgroups cg = Cgroups.detect();
        assumeTrue(cg.version("memory") == 1 && cg.version("cpu") == 1 && cg.version("pids") == 1,
                "these tests read cgroup v1 memory, cpu and pids files (the hybrid machines CI runs on)");
        Files.createDirectories(tmp.resolve("io"));
        runner = new Runner(tmp.resolve("state"), tmp.resolve("io"));
        bundle = TestBundle.create(Files.createDirectories(tmp.resolve("bundle")), "true");
    }

    @BeforeEach
    void reset() throws IOException {
        bundle.restore();
    }

    @AfterAll
    static void nothingLeft() {
        if (runner != null) assertEquals(List.of(), runner.containers.list(), "containers left in the state root");
    }

    private static Path cg(String controller, String id) {
        return Path.of("/sys/fs/cgroup", controller, "oci", id);
    }

    private static String read(String controller, String id, String file) throws IOException {
        return Cgroups.readVirtual(cg(controller, id).resolve(file));
    }

    private static String started(long limit, long swap, String script) throws IOException {
        RuntimeSpec.Resources res = bundle.spec.linux.resources;
        res.memory = new RuntimeSpec.Memory();
        res.memory.limit = limit;
        res.memory.swap = swap;
        bundle.sh(script);
        String id = runner.newId("u");
        runner.containers.create(id, bundle.dir, runner.stdio(id), null, null);
        runner.containers.start(id);
        return id;
    }

    @Test
    void updateWritesTheCgroupFilesAndKeepsTheResources() throws Exception {
        String id = started(64L << 20, 64L << 20, "sleep 60");
        try {
            // memory+swap rises above the current memory limit: v1 needs memsw written first (runc's order).
            ResourceUpdate.update(runner.containers, id, ResourceUpdate.parse(
                    "{\"memory\":{\"limit\":134217728,\"swap\":268435456},\"cpu\":{\"shares\":512,\"quota\":50000,\"period\":100000},"
                            + "\"pids\":{\"limit\":20}}", "test"), w -> {});
            assertEquals("134217728", read("memory", id, "memory.limit_in_bytes"));
            assertEquals("268435456", read("memory", id, "memory.memsw.limit_in_bytes"));
            assertEquals("512", read("cpu", id, "cpu.shares"));
            assertEquals("50000", read("cpu", id, "cpu.cfs_quota_us"));
            assertEquals("20", read("pids", id, "pids.max"));

            // A new period alone keeps the quota (runc); 0s are "unchanged", as runc's flags send them.
            ResourceUpdate.update(runner.containers, id, ResourceUpdate.parse(
                    "{\"cpu\":{\"period\":200000,\"shares\":0},\"memory\":{\"limit\":0}}", "test"), w -> {});
            assertEquals("200000", read("cpu", id, "cpu.cfs_period_us"));
            assertEquals("50000", read("cpu", id, "cpu.cfs_quota_us"));
            assertEquals("512", read("cpu", id, "cpu.shares"));
            assertEquals("134217728", read("memory", id, "memory.limit_in_bytes"));

            // Lower again: memory first this time (memsw may not go below the memory limit).
            ResourceUpdate.update(runner.containers, id, ResourceUpdate.parse("{\"memory\":{\"limit\":33554432,\"swap\":33554432}}", "t"), w -> {});
            assertEquals("33554432", read("memory", id, "memory.limit_in_bytes"));
            assertEquals("33554432", read("memory", id, "memory.memsw.limit_in_bytes"));

            // The saved config.json has the merged resources: a later update merges with them.
            RuntimeSpec saved = RuntimeSpec.read(runner.root.resolve(id).resolve("config.json"));
            assertEquals(33554432L, saved.linux.resources.memory.limit);
            assertEquals(200000L, saved.linux.resources.cpu.period);
            assertEquals(50000L, saved.linux.resources.cpu.quota);
            assertEquals(20L, saved.linux.resources.pids.limit);
            assertEquals(bundle.spec.linux.resources.devices.size(), saved.linux.resources.devices.size(), "device rules kept");

            // Kernel memory is ignored with a warning, as runc; device rules cannot change.
            List<String> warnings = new ArrayList<>();
            ResourceUpdate.update(runner.containers, id, ResourceUpdate.parse("{\"memory\":{\"kernel\":1048576}}", "t"), warnings::add);
            assertEquals(1, warnings.size(), warnings.toString());
            ContainerException devices = assertThrows(ContainerException.class, () -> ResourceUpdate.update(runner.containers, id,
                    ResourceUpdate.parse("{\"devices\":[{\"allow\":true,\"access\":\"rwm\"}]}", "t"), w -> {}));
            assertTrue(devices.getMessage().startsWith("update container " + id + ": resources.devices"), devices.getMessage());
            ContainerException unknown = assertThrows(ContainerException.class, () -> ResourceUpdate.update(runner.containers, id,
                    ResourceUpdate.parse("{\"memroy\":{}}", "t"), w -> {}));
            assertTrue(unknown.getMessage().contains("unknown field \"memroy\""), unknown.getMessage());

            // A limit the kernel refuses leaves the previous values (runc's Set puts them back).
            assertThrows(ContainerException.class, () -> ResourceUpdate.update(runner.containers, id,
                    ResourceUpdate.parse("{\"cpu\":{\"cpus\":\"4096\"}}", "t"), w -> {}));
            assertEquals("33554432", read("memory", id, "memory.limit_in_bytes"));
            assertFalse(Files.readString(runner.root.resolve(id).resolve("config.json")).contains("4096\""), "a failed update is not saved");

            runner.containers.kill(id, 9, false);
            waitStopped(id);
            ContainerException stopped = assertThrows(ContainerException.class, () -> ResourceUpdate.update(runner.containers, id,
                    ResourceUpdate.parse("{\"pids\":{\"limit\":5}}", "t"), w -> {}));
            assertEquals("update container " + id + ": it is stopped", stopped.getMessage());
            ContainerException noStats = assertThrows(ContainerException.class, () -> ContainerStats.statsEvent(runner.containers, id));
            assertEquals("events container " + id + ": container with id " + id + " is not running", noStats.getMessage());
        } finally {
            runner.containers.delete(id, true);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void statsAreWhatTheCgroupFilesSay() throws Exception {
        bundle.spec.linux.resources.pids = new RuntimeSpec.Pids();
        bundle.spec.linux.resources.pids.limit = 30;
        String id = started(48L << 20, 48L << 20, "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; sleep 60");
        try {
            Thread.sleep(500);
            String line = ContainerStats.statsEvent(runner.containers, id);
            Map<String, Object> event = (Map<String, Object>) Json.parse(line, "stats");
            assertEquals("stats", event.get("type"));
            assertEquals(id, event.get("id"));
            Map<String, Object> data = (Map<String, Object>) event.get("data");
            Map<String, Object> memory = (Map<String, Object>) data.get("memory");
            Map<String, Object> usage = (Map<String, Object>) memory.get("usage");
            assertEquals(48L << 20, ((Number) usage.get("limit")).longValue());
            long used = ((Number) usage.get("usage")).longValue();
            long after = Long.parseLong(read("memory", id, "memory.usage_in_bytes"));
            assertTrue(used > 0 && used <= (48L << 20) && Math.abs(after - used) < (8L << 20), used + " vs " + after);
            assertTrue(((Map<String, Object>) memory.get("raw")).containsKey("total_rss"), "memory.stat as raw");
            Map<String, Object> pids = (Map<String, Object>) data.get("pids");
            assertEquals(30L, ((Number) pids.get("limit")).longValue());
            assertEquals(Long.parseLong(read("pids", id, "pids.current")), ((Number) pids.get("current")).longValue());
            Map<String, Object> cpu = (Map<String, Object>) ((Map<String, Object>) data.get("cpu")).get("usage");
            long total = ((Number) cpu.get("total")).longValue();
            assertTrue(total > 1_000_000 && total <= Long.parseLong(read("cpuacct", id, "cpuacct.usage")), "cpu total " + total + " ns");
            assertEquals(Runtime.getRuntime().availableProcessors(), ((List<?>) cpu.get("percpu")).size());
            for (String k : List.of("cpuset", "blkio", "hugetlb", "intel_rdt")) assertTrue(data.get(k) instanceof Map, k + " in " + line);
            assertTrue(data.containsKey("network_interfaces"));
        } finally {
            runner.containers.delete(id, true);
        }
        ContainerException gone = assertThrows(ContainerException.class, () -> ContainerStats.statsEvent(runner.containers, id));
        assertTrue(gone.getMessage().contains("does not exist"), gone.getMessage());
    }

    @Test
    void theStreamReportsAnOomKillAndEndsWhenTheContainerStops() throws Exception {
        // dd's 64 MiB buffer in a 16 MiB cgroup: the OOM killer takes dd; the shell goes on, then exits.
        String id = started(16L << 20, 16L << 20, "sleep 1; dd if=/dev/zero of=/dev/null bs=64M count=1; sleep 1");
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        try {
            long t0 = System.nanoTime();
            ContainerStats.stream(runner.containers, id, Duration.ofMillis(300), lines::add, w -> {});
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(lines.contains("{\"type\":\"oom\",\"id\":\"" + id + "\"}"), lines.toString());
            assertEquals("stopped", runner.containers.state(id).status(), "the stream ended with the container");
            assertTrue(lines.stream().filter(l -> l.startsWith("{\"type\":\"stats\"")).count() >= 3, "stats every 300 ms for " + ms + " ms");
            assertTrue(read("memory", id, "memory.oom_control").matches("(?s).*oom_kill [1-9].*"));
        } finally {
            runner.containers.delete(id, true);
        }
        ContainerException stopped = assertThrows(ContainerException.class,
                () -> ContainerStats.stream(runner.containers, id, Duration.ofSeconds(1), l -> {}, w -> {}));
        assertTrue(stopped.getMessage().contains("does not exist"), stopped.getMessage());
    }

    @Test
    @SuppressWarnings("unchecked")
    void theUnifiedHierarchyIsReadAndWrittenInItsOwnForm() throws Exception {
        // These machines' cgroup2 at /sys/fs/cgroup/unified offers hugetlb only: update writes its v2
        // file there, and the v2 stats reader (cpu.stat in microseconds, pids from cgroup.procs) is
        // checked on the container's unified directory.
        Cgroups cg = Cgroups.detect();
        boolean huge = cg.version("hugetlb") == 2 && Files.isDirectory(Path.of("/sys/kernel/mm/hugepages/hugepages-2048kB"));
        assumeTrue(Cgroups.HYBRID_UNIFIED.equals(cg.unifiedRoot()) && !cg.unifiedOnly(), "not a hybrid cgroup machine");
        String id = started(64L << 20, 64L << 20, "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; sleep 60");
        Path dir = Cgroups.HYBRID_UNIFIED.resolve("oci").resolve(id);
        try {
            if (huge) {
                ResourceUpdate.update(runner.containers, id, ResourceUpdate.parse(
                        "{\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":4194304}]}", "t"), w -> {});
                assertEquals("4194304", Cgroups.readVirtual(dir.resolve("hugetlb.2MB.max")));
                Map<String, Object> h = (Map<String, Object>) ContainerStats.stats(cg, List.of(dir.toString())).get("hugetlb");
                assertTrue(h.containsKey("2MB"), h.toString());
            }
            Thread.sleep(300);
            Map<String, Object> s = ContainerStats.stats(Cgroups.unified(Cgroups.HYBRID_UNIFIED), List.of(dir.toString()));
            Map<String, Object> usage = (Map<String, Object>) ((Map<String, Object>) s.get("cpu")).get("usage");
            long usec = 0;
            for (String l : Files.readAllLines(dir.resolve("cpu.stat"))) if (l.startsWith("usage_usec ")) usec = Long.parseLong(l.substring(11));
            long total = ((Number) usage.get("total")).longValue();
            assertTrue(total > 0 && total <= usec * 1000, total + " ns vs " + usec + " us");
            assertEquals(1L, ((Number) ((Map<String, Object>) s.get("pids")).get("current")).longValue());
        } finally {
            runner.containers.delete(id, true);
        }
    }

    private static void waitStopped(String id) throws InterruptedException {
        for (int i = 0; i < 500 && !runner.containers.state(id).status().equals("stopped"); i++) Thread.sleep(10);
    }
}
