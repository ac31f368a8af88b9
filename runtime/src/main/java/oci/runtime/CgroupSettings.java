package oci.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import oci.bundle.spec.RuntimeSpec;

/**
 * linux.resources to cgroup files, in the order they must be written: v1 files for a controller
 * that has a v1 hierarchy, v2 (unified) files for one that only the unified hierarchy offers, with
 * runc's conversions (libcontainer/cgroups/fs2, opencontainers/cgroups utils.go). Fields this
 * runtime does not implement are refused.
 *
 * @see <a href="https://docs.kernel.org/admin-guide/cgroup-v1/index.html">cgroup v1</a>
 * @see <a href="https://docs.kernel.org/admin-guide/cgroup-v2.html">cgroup v2</a>
 */
final class CgroupSettings {
    private CgroupSettings() {}

    /** Device cgroup rules every container gets after the config's own (runc's allowed defaults). */
    static final List<String> DEFAULT_ALLOW = List.of("c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm", "c 1:9 rwm",
            "c 5:0 rwm", "c 5:1 rwm", "c 5:2 rwm", "c 136:* rwm", "c *:* m", "b *:* m");

    static List<Cgroups.Setting> of(RuntimeSpec.Resources r, List<RuntimeSpec.Device> devices, Cgroups cg) {
        List<Cgroups.Setting> s = new ArrayList<>();
        if (r == null) return s;
        if (r.network != null && !r.network.isEmpty()) throw ContainerException.unsupported("linux.resources.network", "net_cls/net_prio are not implemented");
        if (r.rdma != null && !r.rdma.isEmpty()) throw ContainerException.unsupported("linux.resources.rdma", "rdma limits are not implemented");
        if (r.memory != null) {
            if (v2(cg, "memory")) memory2(r.memory, cg, s);
            else memory(r.memory, s);
        }
        if (r.cpu != null) cpu(r.cpu, cg, s);
        if (r.pids != null) {
            String max = r.pids.limit > 0 ? Long.toString(r.pids.limit) : "max";
            if (v2(cg, "pids")) {
                cg.requireUnified("pids", "linux.resources.pids");
                s.add(Cgroups.Setting.v2("pids", "pids.max", max));
            } else {
                s.add(new Cgroups.Setting("pids", "pids.max", max));
            }
        }
        if (r.blockIO != null) {
            if (v2(cg, "blkio", "io")) io2(r.blockIO, cg, s);
            else blkio(r.blockIO, s);
        }
        if (r.hugepageLimits != null) {
            boolean v2 = v2(cg, "hugetlb");
            for (RuntimeSpec.HugepageLimit h : r.hugepageLimits) {
                if (h.pageSize == null || !h.pageSize.matches("[0-9]+[KMG]B")) throw new ContainerException("linux.resources.hugepageLimits: bad pageSize \"" + h.pageSize + "\"");
                if (v2) {
                    cg.requireUnified("hugetlb", "linux.resources.hugepageLimits");
                    s.add(Cgroups.Setting.v2("hugetlb", "hugetlb." + h.pageSize + ".max", Long.toString(h.limit)));
                } else {
                    s.add(new Cgroups.Setting("hugetlb", "hugetlb." + h.pageSize + ".limit_in_bytes", Long.toString(h.limit)));
                }
            }
        }
        if (r.devices != null) {
            List<String> rules = new ArrayList<>();
            for (RuntimeSpec.DeviceCgroup d : r.devices) rules.add((d.allow ? "allow " : "deny ") + rule(d));
            for (String a : DEFAULT_ALLOW) rules.add("allow " + a);
            for (RuntimeSpec.Device d : devices == null ? List.<RuntimeSpec.Device>of() : devices) {
                // A fifo ("p") is no device to the devices cgroup: no rule (runc's CanCgroup).
                if (d.major != null && d.minor != null && !"p".equals(d.type)) {
                    String t = d.type == null || d.type.equals("u") ? "c" : d.type;
                    rules.add("allow " + t + " " + d.major + ":" + d.minor + " rwm");
                }
            }
            if (v2(cg, "devices")) {
                // cgroup v2 has no devices files: the rules become an eBPF device program (DeviceFilter),
                // attached to the container's cgroup when it is created.
                if (cg.unifiedRoot() == null) throw new ContainerException("linux.resources.devices: this machine has no cgroup v2 hierarchy");
                s.add(Cgroups.Setting.v2("devices", DeviceFilter.PSEUDO_FILE, String.join("\n", rules)));
            } else {
                for (String rule : rules) {
                    boolean allow = rule.startsWith("allow ");
                    s.add(new Cgroups.Setting("devices", allow ? "devices.allow" : "devices.deny", rule.substring(allow ? 6 : 5)));
                }
            }
        }
        if (r.unified != null && !r.unified.isEmpty()) unified(r.unified, cg, s);
        return s;
    }

    /**
     * True when {@code controller}'s limits go to the unified hierarchy: the machine is unified-only,
     * or (hybrid) the controller has no v1 hierarchy and the unified one offers it. Otherwise v1
     * files, and a controller mounted nowhere fails when its file is written.
     */
    private static boolean v2(Cgroups cg, String controller) {
        return v2(cg, controller, controller);
    }

    /** As {@link #v2(Cgroups, String)} where v1 and v2 name the controller differently (blkio, io). */
    private static boolean v2(Cgroups cg, String v1Name, String v2Name) {
        if (cg.unifiedOnly()) return true;
        return cg.version(v1Name) != 1 && cg.version(v2Name) == 2;
    }

    /** linux.resources.unified: written verbatim into the container's v2 directory (config-linux.md "Unified"). */
    private static void unified(Map<String, String> u, Cgroups cg, List<Cgroups.Setting> s) {
        for (var e : new java.util.TreeMap<>(u).entrySet()) {
            String key = e.getKey(), field = "linux.resources.unified[\"" + key + "\"]";
            if (!key.matches("[a-z_]+\\.[A-Za-z0-9_.]+") || key.contains("..")) throw new ContainerException(field + ": not a cgroup file name");
            if (e.getValue() == null) throw new ContainerException(field + ": no value");
            String controller = key.substring(0, key.indexOf('.'));
            if (controller.equals("cgroup")) {
                if (cg.unifiedRoot() == null) throw new ContainerException(field + ": this machine has no cgroup v2 hierarchy");
            } else {
                cg.requireUnified(controller, field);
            }
            s.add(Cgroups.Setting.v2(controller, key, e.getValue()));
        }
    }

    /**
     * cgroup v2 memory (runc fs2/memory.go): memory.max, memory.swap.max (swap minus limit), memory.low.
     * checkBeforeUpdate is a check of `oci update` (ResourceUpdate), nothing to write.
     */
    private static void memory2(RuntimeSpec.Memory m, Cgroups cg, List<Cgroups.Setting> s) {
        cg.requireUnified("memory", "linux.resources.memory");
        // kernel and kernelTCP are ignored, with a warning at create (Containers.create), as runc 1.1 does.
        if (m.swappiness != null) throw ContainerException.unsupported("linux.resources.memory.swappiness", "cgroup v2 has no per-cgroup swappiness");
        if (Boolean.TRUE.equals(m.disableOOMKiller)) throw ContainerException.unsupported("linux.resources.memory.disableOOMKiller", "cgroup v2 cannot disable the OOM killer");
        if (Boolean.FALSE.equals(m.useHierarchy)) throw ContainerException.unsupported("linux.resources.memory.useHierarchy", "cgroup v2 is always hierarchical");
        long limit = m.limit == null ? 0 : m.limit;
        long swap = swap2(m.swap == null ? 0 : m.swap, limit);
        // runc writes memory.swap.max first: memory.max may be lowered below current usage only after.
        if (swap != 0) s.add(Cgroups.Setting.v2("memory", "memory.swap.max", max(swap)));
        if (limit != 0) s.add(Cgroups.Setting.v2("memory", "memory.max", max(limit)));
        if (m.reservation != null && m.reservation != 0) s.add(Cgroups.Setting.v2("memory", "memory.low", max(m.reservation)));
    }

    /**
     * runtime-spec swap is memory+swap; v2's memory.swap.max is swap alone (runc's
     * ConvertMemorySwapToCgroupV2Value): -1 unlimited, 0 unset, else swap - limit.
     */
    static long swap2(long swap, long limit) {
        if (limit == -1 && swap == 0) return -1;
        if (swap == -1 || swap == 0) return swap;
        if (limit == 0 || limit == -1) throw new ContainerException("linux.resources.memory.swap: a swap limit needs a memory limit");
        if (limit < 0) throw new ContainerException("linux.resources.memory.limit: invalid value " + limit);
        if (swap < limit) throw new ContainerException("linux.resources.memory.swap " + swap + " is less than the memory limit " + limit);
        return swap - limit;
    }

    private static String max(long v) {
        return v < 0 ? "max" : Long.toString(v);
    }

    /**
     * runc's conversion of v1 cpu.shares [2, 262144] to v2 cpu.weight [1, 10000] (opencontainers/cgroups
     * ConvertCPUSharesToCgroupV2Value since runc PR 4785): a quadratic in log2(shares) that maps 2 to 1,
     * 1024 (the default) to 100 and 262144 to 10000. 0 means unset.
     */
    static long cpuWeight(long shares) {
        if (shares == 0) return 0;
        if (shares <= 2) return 1;
        if (shares >= 262144) return 10000;
        // log2 as Go's math.Log2 computes it (exact for powers of two), so 1024 gives exactly 100.
        int exp = Math.getExponent((double) shares) + 1;
        double frac = shares / Math.scalb(1.0, exp);
        double l = frac == 0.5 ? exp - 1 : Math.log(frac) * (1 / Math.log(2)) + exp;
        return (long) Math.ceil(Math.pow(10, (l * l + 125 * l) / 612.0 - 7.0 / 34.0));
    }

    /** runc's conversion of blkio.weight [10, 1000] to io.weight [1, 10000]. */
    static long ioWeight(long weight) {
        return weight == 0 ? 0 : 1 + (weight - 10) * 9999 / 990;
    }

    static String rule(RuntimeSpec.DeviceCgroup d) {
        String type = d.type == null || d.type.isEmpty() ? "a" : d.type;
        // Loops, not String.matches: each call compiled a regex on every create's main thread.
        if (type.length() != 1 || "abc".indexOf(type.charAt(0)) < 0) throw new ContainerException("linux.resources.devices: unknown type \"" + d.type + "\"");
        String access = d.access == null || d.access.isEmpty() ? "rwm" : d.access;
        if (!onlyOf(access, "rwm")) throw new ContainerException("linux.resources.devices: bad access \"" + d.access + "\"");
        if (type.equals("a")) return "a";
        return type + " " + (d.major == null || d.major < 0 ? "*" : d.major) + ":" + (d.minor == null || d.minor < 0 ? "*" : d.minor) + " " + access;
    }

    /** Whether {@code s} is non-empty and made only of the characters in {@code allowed} (the regex [allowed]+). */
    static boolean onlyOf(String s, String allowed) {
        if (s.isEmpty()) return false;
        for (int i = 0; i < s.length(); i++) {
            if (allowed.indexOf(s.charAt(i)) < 0) return false;
        }
        return true;
    }

    private static void memory(RuntimeSpec.Memory m, List<Cgroups.Setting> s) {
        // kernel and kernelTCP are ignored, with a warning at create (Containers.create), as runc 1.1 does.
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

    private static void cpu(RuntimeSpec.Cpu c, Cgroups cg, List<Cgroups.Setting> s) {
        boolean anyCpu = c.shares != null || c.period != null || c.quota != null || c.burst != null || c.idle != null
                || c.realtimePeriod != null || c.realtimeRuntime != null;
        if (anyCpu && v2(cg, "cpu")) {
            cg.requireUnified("cpu", "linux.resources.cpu");
            if (c.realtimePeriod != null || c.realtimeRuntime != null) {
                throw ContainerException.unsupported("linux.resources.cpu.realtime" + (c.realtimePeriod != null ? "Period" : "Runtime"),
                        "cgroup v2 has no realtime cpu limits");
            }
            long w = cpuWeight(c.shares == null ? 0 : c.shares);
            if (w != 0) s.add(Cgroups.Setting.v2("cpu", "cpu.weight", Long.toString(w)));
            if (Boolean.TRUE.equals(c.idle)) s.add(Cgroups.Setting.v2("cpu", "cpu.idle", "1"));
            // runc fs2/cpu.go: "QUOTA PERIOD", quota "max" when not positive, period 100000 when unset.
            long quota = c.quota == null ? 0 : c.quota, period = c.period == null ? 0 : c.period;
            if (quota != 0 || period != 0) {
                s.add(Cgroups.Setting.v2("cpu", "cpu.max", (quota > 0 ? Long.toString(quota) : "max") + " " + (period != 0 ? period : 100000)));
            }
            if (c.burst != null) s.add(Cgroups.Setting.v2("cpu", "cpu.max.burst", Long.toString(c.burst)));
        } else if (anyCpu) {
            if (c.idle != null) throw ContainerException.unsupported("linux.resources.cpu.idle", "cpu.idle is cgroup v2 only");
            if (c.shares != null) s.add(new Cgroups.Setting("cpu", "cpu.shares", Long.toString(c.shares)));
            // The period first: a quota is checked against the current period.
            if (c.period != null) s.add(new Cgroups.Setting("cpu", "cpu.cfs_period_us", Long.toString(c.period)));
            if (c.quota != null) s.add(new Cgroups.Setting("cpu", "cpu.cfs_quota_us", Long.toString(c.quota)));
            if (c.burst != null) s.add(new Cgroups.Setting("cpu", "cpu.cfs_burst_us", Long.toString(c.burst)));
            if (c.realtimePeriod != null) s.add(new Cgroups.Setting("cpu", "cpu.rt_period_us", Long.toString(c.realtimePeriod)));
            if (c.realtimeRuntime != null) s.add(new Cgroups.Setting("cpu", "cpu.rt_runtime_us", Long.toString(c.realtimeRuntime)));
        }
        boolean anyCpuset = (c.cpus != null && !c.cpus.isEmpty()) || (c.mems != null && !c.mems.isEmpty());
        if (anyCpuset && v2(cg, "cpuset")) {
            cg.requireUnified("cpuset", "linux.resources.cpu.cpus/mems");
            if (c.cpus != null && !c.cpus.isEmpty()) s.add(Cgroups.Setting.v2("cpuset", "cpuset.cpus", c.cpus));
            if (c.mems != null && !c.mems.isEmpty()) s.add(Cgroups.Setting.v2("cpuset", "cpuset.mems", c.mems));
        } else if (anyCpuset) {
            if (c.cpus != null && !c.cpus.isEmpty()) s.add(new Cgroups.Setting("cpuset", "cpuset.cpus", c.cpus));
            if (c.mems != null && !c.mems.isEmpty()) s.add(new Cgroups.Setting("cpuset", "cpuset.mems", c.mems));
        }
    }

    /** cgroup v2 io (runc fs2/io.go): io.weight converted from blkio weight, io.max "MAJ:MIN rbps=N" and friends. */
    private static void io2(RuntimeSpec.BlockIo b, Cgroups cg, List<Cgroups.Setting> s) {
        cg.requireUnified("io", "linux.resources.blockIO");
        if (b.leafWeight != null) throw ContainerException.unsupported("linux.resources.blockIO.leafWeight", "cgroup v2 has no leaf weight");
        if (b.weightDevice != null && !b.weightDevice.isEmpty()) throw ContainerException.unsupported("linux.resources.blockIO.weightDevice", "not implemented");
        if (b.weight != null && b.weight != 0) s.add(Cgroups.Setting.v2("io", "io.weight", Long.toString(ioWeight(b.weight))));
        throttle2(b.throttleReadBpsDevice, "rbps", s);
        throttle2(b.throttleWriteBpsDevice, "wbps", s);
        throttle2(b.throttleReadIOPSDevice, "riops", s);
        throttle2(b.throttleWriteIOPSDevice, "wiops", s);
    }

    private static void throttle2(List<Map<String, Object>> devs, String key, List<Cgroups.Setting> s) {
        if (devs == null) return;
        for (Map<String, Object> d : devs) {
            Object major = d.get("major"), minor = d.get("minor"), rate = d.get("rate");
            if (!(major instanceof Number) || !(minor instanceof Number) || !(rate instanceof Number)) {
                throw new ContainerException("linux.resources.blockIO: io.max " + key + " entry needs numeric major, minor and rate");
            }
            // runc: a rate of 0 means "no limit" in v2 ("max").
            String v = ((Number) rate).longValue() == 0 ? "max" : rate.toString();
            s.add(Cgroups.Setting.v2("io", "io.max", major + ":" + minor + " " + key + "=" + v));
        }
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
