package oci.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import oci.bundle.spec.RuntimeSpec;

/**
 * linux.resources to cgroup v1 files, in the order they must be written. Fields this runtime
 * does not implement are refused.
 *
 * @see <a href="https://docs.kernel.org/admin-guide/cgroup-v1/index.html">cgroup v1</a>
 */
final class CgroupSettings {
    private CgroupSettings() {}

    /** Device cgroup rules every container gets after the config's own (runc's allowed defaults). */
    static final List<String> DEFAULT_ALLOW = List.of("c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm", "c 1:9 rwm",
            "c 5:0 rwm", "c 5:1 rwm", "c 5:2 rwm", "c 136:* rwm", "c *:* m", "b *:* m");

    static List<Cgroups.Setting> of(RuntimeSpec.Resources r, List<RuntimeSpec.Device> devices, Cgroups cg) {
        List<Cgroups.Setting> s = new ArrayList<>();
        if (r == null) return s;
        if (cg.unifiedOnly()) throw ContainerException.unsupported("linux.resources", "cgroup v2 (unified-only) machines are not implemented");
        if (r.network != null && !r.network.isEmpty()) throw ContainerException.unsupported("linux.resources.network", "net_cls/net_prio are not implemented");
        if (r.rdma != null && !r.rdma.isEmpty()) throw ContainerException.unsupported("linux.resources.rdma", "rdma limits are not implemented");
        if (r.unified != null && !r.unified.isEmpty()) throw ContainerException.unsupported("linux.resources.unified", "this machine uses cgroup v1");
        if (r.memory != null) memory(r.memory, s);
        if (r.cpu != null) cpu(r.cpu, s);
        if (r.pids != null) s.add(new Cgroups.Setting("pids", "pids.max", r.pids.limit > 0 ? Long.toString(r.pids.limit) : "max"));
        if (r.blockIO != null) blkio(r.blockIO, s);
        if (r.hugepageLimits != null) {
            for (RuntimeSpec.HugepageLimit h : r.hugepageLimits) {
                if (h.pageSize == null || !h.pageSize.matches("[0-9]+[KMG]B")) throw new ContainerException("linux.resources.hugepageLimits: bad pageSize \"" + h.pageSize + "\"");
                s.add(new Cgroups.Setting("hugetlb", "hugetlb." + h.pageSize + ".limit_in_bytes", Long.toString(h.limit)));
            }
        }
        if (r.devices != null) {
            for (RuntimeSpec.DeviceCgroup d : r.devices) s.add(new Cgroups.Setting("devices", d.allow ? "devices.allow" : "devices.deny", rule(d)));
            for (String a : DEFAULT_ALLOW) s.add(new Cgroups.Setting("devices", "devices.allow", a));
            for (RuntimeSpec.Device d : devices == null ? List.<RuntimeSpec.Device>of() : devices) {
                if (d.major != null && d.minor != null) {
                    String t = d.type == null || d.type.equals("u") ? "c" : d.type;
                    s.add(new Cgroups.Setting("devices", "devices.allow", t + " " + d.major + ":" + d.minor + " rwm"));
                }
            }
        }
        return s;
    }

    static String rule(RuntimeSpec.DeviceCgroup d) {
        String type = d.type == null || d.type.isEmpty() ? "a" : d.type;
        if (!type.matches("[abc]")) throw new ContainerException("linux.resources.devices: unknown type \"" + d.type + "\"");
        String access = d.access == null || d.access.isEmpty() ? "rwm" : d.access;
        if (!access.matches("[rwm]+")) throw new ContainerException("linux.resources.devices: bad access \"" + d.access + "\"");
        if (type.equals("a")) return "a";
        return type + " " + (d.major == null || d.major < 0 ? "*" : d.major) + ":" + (d.minor == null || d.minor < 0 ? "*" : d.minor) + " " + access;
    }

    private static void memory(RuntimeSpec.Memory m, List<Cgroups.Setting> s) {
        if (m.kernel != null) throw ContainerException.unsupported("linux.resources.memory.kernel", "kernel memory limits were removed from Linux");
        if (m.kernelTCP != null) throw ContainerException.unsupported("linux.resources.memory.kernelTCP", "kernel TCP memory limits are not implemented");
        if (m.checkBeforeUpdate != null) throw ContainerException.unsupported("linux.resources.memory.checkBeforeUpdate", "update is not implemented");
        if (m.limit != null) s.add(new Cgroups.Setting("memory", "memory.limit_in_bytes", Long.toString(m.limit)));
        // runtime-spec: swap is the limit of memory+swap, which v1 calls memsw.
        if (m.swap != null) s.add(new Cgroups.Setting("memory", "memory.memsw.limit_in_bytes", Long.toString(m.swap)));
        if (m.reservation != null) s.add(new Cgroups.Setting("memory", "memory.soft_limit_in_bytes", Long.toString(m.reservation)));
        if (m.swappiness != null) {
            if (m.swappiness < 0 || m.swappiness > 100) throw new ContainerException("linux.resources.memory.swappiness " + m.swappiness + " is not in 0..100");
            s.add(new Cgroups.Setting("memory", "memory.swappiness", Long.toString(m.swappiness)));
        }
        if (Boolean.TRUE.equals(m.disableOOMKiller)) s.add(new Cgroups.Setting("memory", "memory.oom_control", "1"));
        if (m.useHierarchy != null) s.add(new Cgroups.Setting("memory", "memory.use_hierarchy", m.useHierarchy ? "1" : "0"));
    }

    private static void cpu(RuntimeSpec.Cpu c, List<Cgroups.Setting> s) {
        if (c.idle != null) throw ContainerException.unsupported("linux.resources.cpu.idle", "cpu.idle is cgroup v2 only");
        if (c.shares != null) s.add(new Cgroups.Setting("cpu", "cpu.shares", Long.toString(c.shares)));
        // The period first: a quota is checked against the current period.
        if (c.period != null) s.add(new Cgroups.Setting("cpu", "cpu.cfs_period_us", Long.toString(c.period)));
        if (c.quota != null) s.add(new Cgroups.Setting("cpu", "cpu.cfs_quota_us", Long.toString(c.quota)));
        if (c.burst != null) s.add(new Cgroups.Setting("cpu", "cpu.cfs_burst_us", Long.toString(c.burst)));
        if (c.realtimePeriod != null) s.add(new Cgroups.Setting("cpu", "cpu.rt_period_us", Long.toString(c.realtimePeriod)));
        if (c.realtimeRuntime != null) s.add(new Cgroups.Setting("cpu", "cpu.rt_runtime_us", Long.toString(c.realtimeRuntime)));
        if (c.cpus != null && !c.cpus.isEmpty()) s.add(new Cgroups.Setting("cpuset", "cpuset.cpus", c.cpus));
        if (c.mems != null && !c.mems.isEmpty()) s.add(new Cgroups.Setting("cpuset", "cpuset.mems", c.mems));
    }

    private static void blkio(RuntimeSpec.BlockIo b, List<Cgroups.Setting> s) {
        if (b.leafWeight != null) throw ContainerException.unsupported("linux.resources.blockIO.leafWeight", "not implemented");
        if (b.weightDevice != null && !b.weightDevice.isEmpty()) throw ContainerException.unsupported("linux.resources.blockIO.weightDevice", "not implemented");
        if (b.weight != null) s.add(new Cgroups.Setting("blkio", "blkio.weight", Integer.toString(b.weight)));
        throttle(b.throttleReadBpsDevice, "blkio.throttle.read_bps_device", s);
        throttle(b.throttleWriteBpsDevice, "blkio.throttle.write_bps_device", s);
        throttle(b.throttleReadIOPSDevice, "blkio.throttle.read_iops_device", s);
        throttle(b.throttleWriteIOPSDevice, "blkio.throttle.write_iops_device", s);
    }

    private static void throttle(List<Map<String, Object>> devs, String file, List<Cgroups.Setting> s) {
        if (devs == null) return;
        for (Map<String, Object> d : devs) {
            Object major = d.get("major"), minor = d.get("minor"), rate = d.get("rate");
            if (!(major instanceof Number) || !(minor instanceof Number) || !(rate instanceof Number)) {
                throw new ContainerException("linux.resources.blockIO: " + file + " entry needs numeric major, minor and rate");
            }
            s.add(new Cgroups.Setting("blkio", file, major + ":" + minor + " " + rate));
        }
    }
}
