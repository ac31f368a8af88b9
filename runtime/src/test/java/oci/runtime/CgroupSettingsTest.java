package oci.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import oci.bundle.spec.RuntimeSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * linux.resources to cgroup files as a pure table (STYLE.md §9: test the plan): for a described
 * machine (v1, hybrid like these machines, unified-only), which file gets which value, in order,
 * and which field is refused. Nothing is read from or written to /sys here.
 */
class CgroupSettingsTest {
    static Cgroups.Hierarchy h(String c) {
        return new Cgroups.Hierarchy(Path.of("/sys/fs/cgroup", c), List.of(c));
    }

    static final List<Cgroups.Hierarchy> V1_CONTROLLERS = Stream.of("cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids")
            .map(CgroupSettingsTest::h).toList();
    static final Cgroups V1 = Cgroups.of(V1_CONTROLLERS, null, Set.of());
    /** This machine's shape: v1 controllers, cgroup2 at /sys/fs/cgroup/unified offering only hugetlb. */
    static final Cgroups HYBRID = Cgroups.of(V1_CONTROLLERS, Path.of("/sys/fs/cgroup/unified"), Set.of("hugetlb"));
    static final Cgroups UNIFIED = Cgroups.of(List.of(), Path.of("/sys/fs/cgroup"), Set.of("cpuset", "cpu", "io", "memory", "hugetlb", "pids"));
    static final Cgroups UNIFIED_HUGETLB_ONLY = Cgroups.of(List.of(), Path.of("/sys/fs/cgroup/unified"), Set.of("hugetlb"));

    static RuntimeSpec.Resources resources(String json) throws IOException {
        String doc = "{\"ociVersion\":\"1.2.0\",\"linux\":{\"resources\":" + json.replace('\'', '"') + "}}";
        return RuntimeSpec.parse(doc.getBytes(StandardCharsets.UTF_8)).linux.resources;
    }

    static Cgroups.Setting v1(String c, String f, String v) {
        return new Cgroups.Setting(c, f, v);
    }

    static Cgroups.Setting v2(String c, String f, String v) {
        return Cgroups.Setting.v2(c, f, v);
    }

    record Row(String name, Cgroups machine, String resources, List<Cgroups.Setting> want) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Row> rows() {
        return List.of(
                new Row("v1 memory", V1, "{'memory':{'limit':1048576,'swap':2097152,'reservation':524288}}", List.of(
                        v1("memory", "memory.limit_in_bytes", "1048576"), v1("memory", "memory.memsw.limit_in_bytes", "2097152"),
                        v1("memory", "memory.soft_limit_in_bytes", "524288"))),
                new Row("v2 memory: swap.max is swap minus limit, written first", UNIFIED, "{'memory':{'limit':1048576,'swap':3145728,'reservation':524288}}", List.of(
                        v2("memory", "memory.swap.max", "2097152"), v2("memory", "memory.max", "1048576"), v2("memory", "memory.low", "524288"))),
                new Row("v2 memory unlimited: swap unlimited too", UNIFIED, "{'memory':{'limit':-1}}", List.of(
                        v2("memory", "memory.swap.max", "max"), v2("memory", "memory.max", "max"))),
                new Row("v2 memory: swap -1 is max", UNIFIED, "{'memory':{'limit':1048576,'swap':-1}}", List.of(
                        v2("memory", "memory.swap.max", "max"), v2("memory", "memory.max", "1048576"))),
                new Row("v2 memory: swap equal to limit means no swap", UNIFIED, "{'memory':{'limit':1048576,'swap':1048576}}", List.of(
                        v2("memory", "memory.max", "1048576"))),
                new Row("v1 cpu", V1, "{'cpu':{'shares':512,'quota':50000,'period':100000,'cpus':'0','mems':'0'}}", List.of(
                        v1("cpu", "cpu.shares", "512"), v1("cpu", "cpu.cfs_period_us", "100000"), v1("cpu", "cpu.cfs_quota_us", "50000"),
                        v1("cpuset", "cpuset.cpus", "0"), v1("cpuset", "cpuset.mems", "0"))),
                new Row("v2 cpu: weight from shares, cpu.max QUOTA PERIOD", UNIFIED, "{'cpu':{'shares':1024,'quota':50000,'period':200000,'burst':1000,'cpus':'0-1','mems':'0'}}", List.of(
                        v2("cpu", "cpu.weight", "100"), v2("cpu", "cpu.max", "50000 200000"), v2("cpu", "cpu.max.burst", "1000"),
                        v2("cpuset", "cpuset.cpus", "0-1"), v2("cpuset", "cpuset.mems", "0"))),
                new Row("v2 cpu: no quota is max, default period", UNIFIED, "{'cpu':{'quota':-1,'period':0,'shares':2}}", List.of(
                        v2("cpu", "cpu.weight", "1"), v2("cpu", "cpu.max", "max 100000"))),
                new Row("v2 cpu: a quota alone gets the default period; idle", UNIFIED, "{'cpu':{'quota':25000,'idle':true}}", List.of(
                        v2("cpu", "cpu.idle", "1"), v2("cpu", "cpu.max", "25000 100000"))),
                new Row("v1 and v2 pids", V1, "{'pids':{'limit':10}}", List.of(v1("pids", "pids.max", "10"))),
                new Row("v2 pids, 0 is max", UNIFIED, "{'pids':{'limit':0}}", List.of(v2("pids", "pids.max", "max"))),
                new Row("v1 blkio", V1, "{'blockIO':{'weight':500,'throttleReadBpsDevice':[{'major':8,'minor':0,'rate':1048576}]}}", List.of(
                        v1("blkio", "blkio.weight", "500"), v1("blkio", "blkio.throttle.read_bps_device", "8:0 1048576"))),
                new Row("v2 io: weight converted, io.max per key", UNIFIED, "{'blockIO':{'weight':500,'throttleReadBpsDevice':[{'major':8,'minor':0,'rate':1048576}],"
                        + "'throttleWriteIOPSDevice':[{'major':8,'minor':16,'rate':100}],'throttleWriteBpsDevice':[{'major':8,'minor':0,'rate':0}]}}", List.of(
                        v2("io", "io.weight", "4950"), v2("io", "io.max", "8:0 rbps=1048576"), v2("io", "io.max", "8:0 wbps=max"),
                        v2("io", "io.max", "8:16 wiops=100"))),
                new Row("hybrid: hugetlb has no v1 hierarchy here, so v2", HYBRID, "{'hugepageLimits':[{'pageSize':'2MB','limit':4194304}],'pids':{'limit':5}}", List.of(
                        v1("pids", "pids.max", "5"), v2("hugetlb", "hugetlb.2MB.max", "4194304"))),
                new Row("v1 hugetlb where the v1 hierarchy exists", Cgroups.of(List.of(h("hugetlb")), null, Set.of()), "{'hugepageLimits':[{'pageSize':'1GB','limit':0}]}", List.of(
                        v1("hugetlb", "hugetlb.1GB.limit_in_bytes", "0"))),
                new Row("hybrid: memory stays v1", HYBRID, "{'memory':{'limit':1048576}}", List.of(v1("memory", "memory.limit_in_bytes", "1048576"))),
                new Row("v2 unified map verbatim, sorted by key", UNIFIED, "{'unified':{'memory.high':'1048576','cgroup.max.depth':'3','pids.max':'7'}}", List.of(
                        v2("cgroup", "cgroup.max.depth", "3"), v2("memory", "memory.high", "1048576"), v2("pids", "pids.max", "7"))),
                new Row("hybrid unified map for a controller the unified hierarchy offers", HYBRID, "{'unified':{'hugetlb.2MB.max':'0'}}", List.of(
                        v2("hugetlb", "hugetlb.2MB.max", "0"))),
                new Row("v2 devices: the rules of an eBPF device program", UNIFIED, "{'devices':[{'allow':false,'access':'rwm'},{'allow':true,'type':'c','major':1,'minor':3,'access':'rw'}]}",
                        List.of(v2("devices", DeviceFilter.PSEUDO_FILE, "deny a\nallow c 1:3 rw\n"
                                + String.join("\n", CgroupSettings.DEFAULT_ALLOW.stream().map(a -> "allow " + a).toList())))),
                new Row("hybrid devices stay v1", HYBRID, "{'devices':[{'allow':false,'access':'rwm'}]}",
                        Stream.concat(Stream.of(v1("devices", "devices.deny", "a")),
                                CgroupSettings.DEFAULT_ALLOW.stream().map(a -> v1("devices", "devices.allow", a))).toList()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void resourcesToFiles(Row row) throws IOException {
        assertEquals(row.want(), CgroupSettings.of(resources(row.resources()), List.of(), row.machine()));
    }

    @Test
    void linuxDevicesAreAllowedButAFifoIsNoCgroupDevice() throws IOException {
        // runc's CanCgroup: "p" has no devices-cgroup rule (the kernel refuses "p 8:666 rwm").
        RuntimeSpec.Device fifo = new RuntimeSpec.Device(), chr = new RuntimeSpec.Device();
        fifo.type = "p";
        fifo.major = 8L;
        fifo.minor = 666L;
        chr.type = "c";
        chr.major = 10L;
        chr.minor = 229L;
        List<Cgroups.Setting> s = CgroupSettings.of(resources("{'devices':[{'allow':false,'access':'rwm'}]}"), List.of(fifo, chr), V1);
        assertEquals(v1("devices", "devices.allow", "c 10:229 rwm"), s.getLast());
        assertTrue(s.stream().noneMatch(x -> x.value().startsWith("p ")), s.toString());
    }

    @ParameterizedTest(name = "{0}: {2}")
    @CsvSource(delimiter = '|', value = {
        "unified | {'memory':{'swappiness':10}} | linux.resources.memory.swappiness",
        "unified | {'memory':{'limit':1048576,'disableOOMKiller':true}} | linux.resources.memory.disableOOMKiller",
        "unified | {'memory':{'swap':1048576}} | a swap limit needs a memory limit",
        "unified | {'memory':{'limit':2097152,'swap':1048576}} | is less than the memory limit",
        "unified | {'cpu':{'realtimeRuntime':1000}} | linux.resources.cpu.realtimeRuntime",
        "unified | {'blockIO':{'leafWeight':10}} | linux.resources.blockIO.leafWeight",
        "unified | {'unified':{'../x':'1'}} | not a cgroup file name",
        "unified | {'unified':{'rdma.max':'1'}} | the rdma controller is not available in the cgroup v2 hierarchy at /sys/fs/cgroup",
        "hugetlb-only | {'memory':{'limit':1048576}} | linux.resources.memory: the memory controller is not available in the cgroup v2 hierarchy at /sys/fs/cgroup/unified (its cgroup.controllers: hugetlb)",
        "hugetlb-only | {'pids':{'limit':3}} | linux.resources.pids: the pids controller is not available",
        "hugetlb-only | {'cpu':{'shares':100}} | linux.resources.cpu: the cpu controller is not available",
        "hybrid | {'unified':{'memory.high':'1'}} | the memory controller is not available in the cgroup v2 hierarchy at /sys/fs/cgroup/unified",
        "v1 | {'unified':{'memory.high':'1'}} | this machine has no cgroup v2 hierarchy",
        "v1 | {'cpu':{'idle':true}} | linux.resources.cpu.idle",
    })
    void refusals(String machine, String json, String message) throws IOException {
        Cgroups cg = switch (machine) {
            case "unified" -> UNIFIED;
            case "hugetlb-only" -> UNIFIED_HUGETLB_ONLY;
            case "hybrid" -> HYBRID;
            default -> V1;
        };
        RuntimeSpec.Resources r = resources(json);
        String got = assertThrows(ContainerException.class, () -> CgroupSettings.of(r, List.of(), cg)).getMessage();
        assertTrue(got.contains(message), got);
    }

    @ParameterizedTest(name = "shares {0} -> weight {1}")
    @CsvSource({"0, 0", "1, 1", "2, 1", "512, 59", "1024, 100", "2048, 174", "262144, 10000", "300000, 10000"})
    void cpuWeightIsRuncsConversion(long shares, long weight) {
        assertEquals(weight, CgroupSettings.cpuWeight(shares));
    }

    @Test
    void ioWeightIsRuncsConversion() {
        assertEquals(1, CgroupSettings.ioWeight(10));
        assertEquals(10000, CgroupSettings.ioWeight(1000));
        assertEquals(0, CgroupSettings.ioWeight(0));
    }

    @Test
    void dirsIncludeTheUnifiedHierarchyInHybridMode() {
        assertEquals(List.of(Path.of("/sys/fs/cgroup/cpu/oci/c1"), Path.of("/sys/fs/cgroup/unified/oci/c1")),
                Cgroups.of(List.of(h("cpu")), Path.of("/sys/fs/cgroup/unified"), Set.of("hugetlb")).dirs("/oci/c1"));
        assertEquals(List.of(Path.of("/sys/fs/cgroup/oci/c1")), UNIFIED.dirs("/oci/c1"));
        assertEquals(2, HYBRID.version("hugetlb"));
        assertEquals(1, HYBRID.version("memory"));
        assertEquals(0, HYBRID.version("rdma"));
    }
}
