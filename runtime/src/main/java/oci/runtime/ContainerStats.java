package oci.runtime;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import oci.linux.ErrnoException;
import oci.linux.NotifyCalls;
import oci.linux.ProcessCalls;

/**
 * runc's events: a container's resource usage read from its cgroups, as the JSON runc prints
 * (runc types/events.go; field names, units and which fields are left out when zero are runc's),
 * once ({@code --stats}) or as a stream of stats at an interval plus an "oom" event each time the
 * kernel's OOM killer acts in the container's memory cgroup.
 *
 * <p>Each controller is read where its limits are written ({@link CgroupSettings}): its v1
 * hierarchy if it has one, else the unified one. v1 files as runc's libcontainer/cgroups/fs reads
 * them, v2 files as fs2 does (cpu.stat in microseconds, memory.current, io.stat...).
 */
public final class ContainerStats {
    private ContainerStats() {}

    /** One {"type":"stats","id":ID,"data":{...}} line for container {@code id}. */
    public static String statsEvent(Containers rt, String id) {
        Containers.Current c = running(rt, id);
        return event("stats", id, stats(Cgroups.detect(), c.saved().cgroupDirs()));
    }

    /**
     * Writes events of container {@code id} to {@code out}, one JSON line each: stats every
     * {@code interval}, "oom" as the kernel reports it; returns once the container has stopped
     * (or its cgroup is removed).
     *
     * @param warn receives a stats read that failed (the stream goes on, as runc's does)
     */
    public static void stream(Containers rt, String id, Duration interval, Consumer<String> out, Consumer<String> warn) {
        if (interval.isNegative() || interval.isZero()) throw new ContainerException("events: duration interval must be greater than 0");
        Containers.Current c = running(rt, id);
        Cgroups cg = Cgroups.detect();
        List<String> dirs = c.saved().cgroupDirs();
        long step = interval.toNanos(), next = System.nanoTime() + step;
        try (OomWatch oom = OomWatch.open(cg, dirs)) {
            while (true) {
                long now = System.nanoTime();
                int wait = (int) Math.max(0, Math.min(100, (next - now) / 1_000_000));
                if (oom.await(wait)) out.accept(event("oom", id, null));
                now = System.nanoTime();
                if (now - next >= 0) {
                    try {
                        out.accept(event("stats", id, stats(cg, dirs)));
                    } catch (ContainerException e) {
                        warn.accept("events container " + id + ": " + e.getMessage());
                    }
                    next = Math.max(next + step, now);
                }
                if (oom.closed() || !Containers.stillRunning(c.saved()) || !Files.isDirectory(c.dir())) {
                    // An OOM kill that stopped the container is reported before the stream ends.
                    if (!oom.closed() && oom.await(0)) out.accept(event("oom", id, null));
                    return;
                }
            }
        } catch (IOException e) {
            throw new ContainerException("events container " + id + ": " + e.getMessage(), e);
        }
    }

    private static Containers.Current running(Containers rt, String id) {
        Containers.Current c = rt.locked(id, "events", x -> x);
        if (c.status().equals("stopped")) throw new ContainerException("events container " + id + ": container with id " + id + " is not running");
        if (c.saved().cgroupDirs().isEmpty()) {
            throw new ContainerException("events container " + id + ": it has no cgroup of its own (it was run without root), so no stats");
        }
        return c;
    }

    static String event(String type, String id, Map<String, Object> data) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", type);
        m.put("id", id);
        if (data != null) m.put("data", data);
        return Json.write(m);
    }

    // ---------------------------------------------------------------- the stats object (runc types.Stats)

    static Map<String, Object> stats(Cgroups cg, List<String> dirs) {
        try {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("cpu", cpu(cg, dirs));
            s.put("cpuset", cpuset(ResourceUpdate.dirOf(cg, dirs, "cpuset"), cg.version("cpuset") == 1));
            s.put("memory", memory(cg, dirs));
            Path pids = ResourceUpdate.dirOf(cg, dirs, "pids");
            // v2 without the pids controller: counted from cgroup.procs, as runc's fs2 does.
            s.put("pids", pids(pids != null || cg.unifiedRoot() == null || !cg.unifiedOnly() ? pids : unifiedDir(cg, dirs)));
            s.put("blkio", cg.version("blkio") == 1 ? blkio1(ResourceUpdate.dirOf(cg, dirs, "blkio")) : io2(ResourceUpdate.dirOf(cg, dirs, "io")));
            s.put("hugetlb", hugetlb(ResourceUpdate.dirOf(cg, dirs, "hugetlb"), cg.version("hugetlb") == 1));
            s.put("intel_rdt", new LinkedHashMap<>());
            s.put("network_interfaces", null);
            return s;
        } catch (IOException | RuntimeException e) {
            if (e instanceof ContainerException ce) throw ce;
            throw new ContainerException("read cgroup stats: " + e.getMessage(), e);
        }
    }

    private static Map<String, Object> cpu(Cgroups cg, List<String> dirs) throws IOException {
        Map<String, Object> usage = new LinkedHashMap<>(), throttling = new LinkedHashMap<>();
        long total = 0, kernel = 0, user = 0;
        List<Object> percpu = List.of(), percpuKernel = List.of(), percpuUser = List.of();
        Map<String, Long> stat = Map.of();
        Path acct = cg.version("cpuacct") == 1 ? ResourceUpdate.dirOf(cg, dirs, "cpuacct") : null;
        Path unified = cg.unifiedRoot() == null ? null : unifiedDir(cg, dirs);
        if (acct != null) {
            // v1 (runc fs/cpuacct.go): user/system in clock ticks of 1/100 s, the rest in nanoseconds.
            total = uint(acct, "cpuacct.usage");
            String[] f = read(acct, "cpuacct.stat").split("\\s+");
            if (f.length >= 4 && f[0].equals("user") && f[2].equals("system")) {
                user = Long.parseLong(f[1]) * 1_000_000_000L / 100;
                kernel = Long.parseLong(f[3]) * 1_000_000_000L / 100;
            }
            percpu = new ArrayList<>(fields(read(acct, "cpuacct.usage_percpu")));
            if (Files.exists(acct.resolve("cpuacct.usage_all"))) {
                List<Object> k = new ArrayList<>(), u = new ArrayList<>();
                List<String> lines = read(acct, "cpuacct.usage_all").lines().toList();
                for (String l : lines.subList(Math.min(1, lines.size()), lines.size())) {
                    String[] c = l.trim().split(" ");
                    if (c.length != 3) continue;
                    u.add(unsigned(c[1]));
                    k.add(unsigned(c[2]));
                }
                percpuKernel = k;
                percpuUser = u;
            }
            Path cpu = ResourceUpdate.dirOf(cg, dirs, "cpu");
            if (cpu != null && Files.exists(cpu.resolve("cpu.stat"))) stat = keyValues(cpu, "cpu.stat");
            throttle(throttling, stat);
        } else if (unified != null && Files.exists(unified.resolve("cpu.stat"))) {
            // v2 (runc fs2/cpu.go): microseconds.
            stat = keyValues(unified, "cpu.stat");
            total = stat.getOrDefault("usage_usec", 0L) * 1000;
            user = stat.getOrDefault("user_usec", 0L) * 1000;
            kernel = stat.getOrDefault("system_usec", 0L) * 1000;
            Map<String, Long> v2 = new LinkedHashMap<>(stat);
            v2.put("throttled_time", stat.getOrDefault("throttled_usec", 0L) * 1000);
            throttle(throttling, v2);
        }
        omitZero(usage, "total", total);
        if (!percpu.isEmpty()) usage.put("percpu", percpu);
        if (!percpuKernel.isEmpty()) usage.put("percpu_kernel", percpuKernel);
        if (!percpuUser.isEmpty()) usage.put("percpu_user", percpuUser);
        usage.put("kernel", kernel);
        usage.put("user", user);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("usage", usage);
        m.put("throttling", throttling);
        return m;
    }

    private static void throttle(Map<String, Object> t, Map<String, Long> stat) {
        omitZero(t, "periods", stat.getOrDefault("nr_periods", 0L));
        omitZero(t, "throttledPeriods", stat.getOrDefault("nr_throttled", 0L));
        omitZero(t, "throttledTime", stat.getOrDefault("throttled_time", 0L));
    }

    /** v1 only, as runc (fs2 has no cpuset stats). */
    private static Map<String, Object> cpuset(Path dir, boolean v1) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        List<Long> cpus = dir != null && v1 ? list(optional(dir, "cpuset.cpus")) : List.of();
        List<Long> mems = dir != null && v1 ? list(optional(dir, "cpuset.mems")) : List.of();
        if (!cpus.isEmpty()) m.put("cpus", cpus);
        m.put("cpu_exclusive", v1 ? optionalUint(dir, "cpuset.cpu_exclusive") : 0L);
        if (!mems.isEmpty()) m.put("mems", mems);
        for (String k : List.of("mem_hardwall", "mem_exclusive", "memory_migrate", "memory_spread_page", "memory_spread_slab",
                "memory_pressure", "sched_load_balance")) {
            m.put(k, v1 ? optionalUint(dir, "cpuset." + k) : 0L);
        }
        m.put("sched_relax_domain_level", v1 && dir != null && Files.exists(dir.resolve("cpuset.sched_relax_domain_level"))
                ? Long.parseLong(read(dir, "cpuset.sched_relax_domain_level")) : 0L);
        return m;
    }

    private static Map<String, Object> memory(Cgroups cg, List<String> dirs) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        Path dir = ResourceUpdate.dirOf(cg, dirs, "memory");
        Map<String, Long> raw = dir == null || !Files.exists(dir.resolve("memory.stat")) ? Map.of() : keyValues(dir, "memory.stat");
        boolean v1 = cg.version("memory") == 1;
        Map<String, Object> usage = entry(0, 0, 0, 0), swap = entry(0, 0, 0, 0), kernel = entry(0, 0, 0, 0), tcp = entry(0, 0, 0, 0);
        if (dir != null && v1) {
            usage = data1(dir, "memory");
            swap = data1(dir, "memory.memsw");
            kernel = data1(dir, "memory.kmem");
            tcp = data1(dir, "memory.kmem.tcp");
        } else if (dir != null) {
            // v2 (runc fs2/memory.go): swap reported as memory+swap, as v1 does.
            long use = uint(dir, "memory.current"), limit = uint(dir, "memory.max");
            usage = entry(limit, use, 0, 0);
            if (Files.exists(dir.resolve("memory.swap.current"))) {
                long swapUse = uint(dir, "memory.swap.current") + use, swapMax = uint(dir, "memory.swap.max");
                swap = entry(swapMax == -1 ? -1 : swapMax + limit, swapUse, 0, 0);
            }
        }
        omitZero(m, "cache", raw.getOrDefault(v1 ? "cache" : "file", 0L));
        m.put("usage", usage);
        m.put("swap", swap);
        m.put("kernel", kernel);
        m.put("kernelTCP", tcp);
        if (!raw.isEmpty()) m.put("raw", new TreeMap<>(raw));
        return m;
    }

    /** v1 usage/max/failcnt/limit of "memory", "memory.memsw", ...: zeros where the kernel lacks the files (no swap accounting). */
    private static Map<String, Object> data1(Path dir, String prefix) throws IOException {
        if (!Files.exists(dir.resolve(prefix + ".usage_in_bytes"))) return entry(0, 0, 0, 0);
        return entry(uint(dir, prefix + ".limit_in_bytes"), uint(dir, prefix + ".usage_in_bytes"),
                uint(dir, prefix + ".max_usage_in_bytes"), uint(dir, prefix + ".failcnt"));
    }

    private static Map<String, Object> entry(long limit, long usage, long max, long failcnt) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("limit", unsignedValue(limit));
        omitZero(m, "usage", usage);
        omitZero(m, "max", max);
        m.put("failcnt", unsignedValue(failcnt));
        return m;
    }

    private static Map<String, Object> pids(Path dir) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        if (dir == null) return m;
        if (Files.exists(dir.resolve("pids.current"))) {
            omitZero(m, "current", uint(dir, "pids.current"));
            long max = uint(dir, "pids.max");
            omitZero(m, "limit", max == -1 ? 0 : max); // "max" is 0 in runc's stats
        } else {
            omitZero(m, "current", read(dir, "cgroup.procs").lines().count());
        }
        return m;
    }

    /** The recursive blkio statistics runc reads (file suffix, field), in its order. */
    private static final String[][] BLKIO_ALL = {
            {"sectors_recursive", "sectorsRecursive"},
            {"io_service_time_recursive", "ioServiceTimeRecursive"},
            {"io_wait_time_recursive", "ioWaitTimeRecursive"},
            {"io_merged_recursive", "ioMergedRecursive"},
            {"io_queued_recursive", "ioQueueRecursive"},
            {"time_recursive", "ioTimeRecursive"},
            {"io_serviced_recursive", "ioServicedRecursive"},
            {"io_service_bytes_recursive", "ioServiceBytesRecursive"}};
    private static final String[][] BLKIO_IO = {BLKIO_ALL[6], BLKIO_ALL[7]};

    /** runc's groups, tried in order: bfq with debug files, bfq, cfq, throttle recursive, throttle. */
    private static final List<List<String[]>> BLKIO_GROUPS = List.of(
            blkioGroup("blkio.bfq.", BLKIO_ALL, ""), blkioGroup("blkio.bfq.", BLKIO_IO, ""),
            blkioGroup("blkio.", BLKIO_ALL, ""), blkioGroup("blkio.throttle.", BLKIO_IO, ""),
            blkioGroup("blkio.throttle.", BLKIO_IO, "_recursive"));

    /** {file, field} pairs: prefix + suffix (with {@code drop} cut from the suffix), field as given. */
    private static List<String[]> blkioGroup(String prefix, String[][] stats, String drop) {
        List<String[]> group = new ArrayList<>();
        for (String[] s : stats) group.add(new String[] {prefix + (drop.isEmpty() ? s[0] : s[0].replace(drop, "")), s[1]});
        return List.copyOf(group);
    }

    /**
     * v1 blkio, as runc fs/blkio.go: the first group of files (bfq debug, bfq, cfq, throttle
     * recursive, throttle) whose first file has entries; "Total" lines skipped.
     */
    private static Map<String, Object> blkio1(Path dir) throws IOException {
        Map<String, Object> found = new LinkedHashMap<>();
        if (dir == null) return found;
        for (List<String[]> group : BLKIO_GROUPS) {
            for (int i = 0; i < group.size(); i++) {
                List<Map<String, Object>> entries = blkioEntries(dir, group.get(i)[0]);
                if (entries.isEmpty()) {
                    if (i == 0) break;
                    return order(found);
                }
                found.put(group.get(i)[1], entries);
                if (i == group.size() - 1) return order(found);
            }
        }
        return order(found);
    }

    /** runc's field order of types.Blkio. */
    private static Map<String, Object> order(Map<String, Object> found) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (String k : List.of("ioServiceBytesRecursive", "ioServicedRecursive", "ioQueueRecursive", "ioServiceTimeRecursive",
                "ioWaitTimeRecursive", "ioMergedRecursive", "ioTimeRecursive", "sectorsRecursive")) {
            if (found.containsKey(k)) m.put(k, found.get(k));
        }
        return m;
    }

    private static List<Map<String, Object>> blkioEntries(Path dir, String file) throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        if (!Files.exists(dir.resolve(file))) return out;
        for (String line : read(dir, file).lines().toList()) {
            String[] f = line.trim().split("[ :]+");
            if (f.length < 3) {
                if (f.length == 2 && f[0].equals("Total") || line.isBlank()) continue;
                throw new ContainerException("read " + dir.resolve(file) + ": malformed line \"" + line + "\"");
            }
            out.add(blkioEntry(Long.parseLong(f[0]), Long.parseLong(f[1]), f.length == 4 ? f[2] : "", unsigned(f[f.length == 4 ? 3 : 2])));
        }
        return out;
    }

    private static Map<String, Object> blkioEntry(long major, long minor, String op, Object value) {
        Map<String, Object> e = new LinkedHashMap<>();
        omitZero(e, "major", major);
        omitZero(e, "minor", minor);
        if (!op.isEmpty()) e.put("op", op);
        if (!(value instanceof Long l && l == 0)) e.put("value", value);
        return e;
    }

    /** v2 io.stat mapped to v1's tables, as runc fs2/io.go: rbytes/wbytes and rios/wios. */
    private static Map<String, Object> io2(Path dir) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        if (dir == null || !Files.exists(dir.resolve("io.stat"))) return m;
        List<Map<String, Object>> bytes = new ArrayList<>(), ios = new ArrayList<>();
        for (String line : read(dir, "io.stat").lines().toList()) {
            String[] parts = line.trim().split("\\s+");
            String[] dev = parts[0].split(":");
            if (parts.length < 2 || dev.length != 2) continue;
            for (int i = 1; i < parts.length; i++) {
                String[] kv = parts[i].split("=");
                if (kv.length != 2) continue;
                Map<String, Object> e = switch (kv[0]) {
                    case "rbytes", "rios" -> blkioEntry(Long.parseLong(dev[0]), Long.parseLong(dev[1]), "Read", unsigned(kv[1]));
                    case "wbytes", "wios" -> blkioEntry(Long.parseLong(dev[0]), Long.parseLong(dev[1]), "Write", unsigned(kv[1]));
                    default -> null;
                };
                if (e != null) (kv[0].endsWith("bytes") ? bytes : ios).add(e);
            }
        }
        if (!bytes.isEmpty()) m.put("ioServiceBytesRecursive", bytes);
        if (!ios.isEmpty()) m.put("ioServicedRecursive", ios);
        return m;
    }

    /** Per huge page size ("2MB"): usage, max usage, failcnt (v1), or current and the "max" events (v2). */
    private static Map<String, Object> hugetlb(Path dir, boolean v1) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        if (dir == null) return m;
        for (String size : hugePageSizes()) {
            Map<String, Object> h = new LinkedHashMap<>();
            String p = "hugetlb." + size;
            if (v1 && Files.exists(dir.resolve(p + ".usage_in_bytes"))) {
                omitZero(h, "usage", uint(dir, p + ".usage_in_bytes"));
                omitZero(h, "max", uint(dir, p + ".max_usage_in_bytes"));
                h.put("failcnt", uint(dir, p + ".failcnt"));
            } else if (!v1 && Files.exists(dir.resolve(p + ".current"))) {
                omitZero(h, "usage", uint(dir, p + ".current"));
                h.put("failcnt", keyValues(dir, p + ".events").getOrDefault("max", 0L));
            } else {
                continue;
            }
            m.put(size, h);
        }
        return m;
    }

    /** The page sizes of /sys/kernel/mm/hugepages as cgroup files name them (hugepages-2048kB: "2MB"). */
    static List<String> hugePageSizes() throws IOException {
        List<String> out = new ArrayList<>();
        Path d = Path.of("/sys/kernel/mm/hugepages");
        if (!Files.isDirectory(d)) return out;
        try (var s = Files.list(d)) {
            for (String n : s.map(p -> p.getFileName().toString()).sorted().toList()) {
                if (!n.startsWith("hugepages-") || !n.endsWith("kB")) continue;
                long kb = Long.parseLong(n.substring(10, n.length() - 2));
                out.add(kb >= 1 << 20 ? (kb >> 20) + "GB" : kb >= 1 << 10 ? (kb >> 10) + "MB" : kb + "KB");
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- OOM notifications

    /** Where OOM kills of the container are seen: v1 eventfd, v2 memory.events, or nowhere (no memory controller). */
    private interface OomWatch extends AutoCloseable {
        /** Waits up to {@code millis} for an OOM event; true if one came. */
        boolean await(int millis) throws IOException;

        /** True once the cgroup is gone. */
        boolean closed();

        @Override
        void close();

        static OomWatch open(Cgroups cg, List<String> dirs) throws IOException {
            Path mem = ResourceUpdate.dirOf(cg, dirs, "memory");
            if (mem != null && Files.exists(mem.resolve("cgroup.event_control"))) return new V1(mem);
            if (mem != null && Files.exists(mem.resolve("memory.events"))) return new V2(mem);
            return new None();
        }
    }

    /**
     * cgroup v1: an eventfd registered with memory.oom_control through cgroup.event_control
     * (cgroup-v1/memory.html "OOM Control"), as runc's notify_linux.go. The kernel also signals it
     * when the cgroup is removed: then cgroup.event_control is gone.
     */
    private static final class V1 implements OomWatch {
        private final Path dir;
        private final int efd, ofd;
        private boolean closed;

        V1(Path dir) throws IOException {
            this.dir = dir;
            efd = NotifyCalls.eventfd(0, NotifyCalls.EFD_CLOEXEC);
            int o;
            try {
                o = ProcessCalls.open(dir.resolve("memory.oom_control").toString(), ProcessCalls.O_RDONLY);
            } catch (ErrnoException e) {
                ProcessCalls.close(efd);
                throw e;
            }
            ofd = o;
            try {
                Files.writeString(dir.resolve("cgroup.event_control"), efd + " " + ofd);
            } catch (IOException e) {
                close();
                throw new ContainerException("register for OOM events in " + dir + ": " + e.getMessage(), e);
            }
        }

        @Override
        public boolean await(int millis) throws IOException {
            if (closed) return false;
            if ((ProcessCalls.poll(efd, ProcessCalls.POLLIN, millis) & ProcessCalls.POLLIN) == 0) return false;
            ProcessCalls.read(efd, 8);
            if (!Files.exists(dir.resolve("cgroup.event_control"))) {
                closed = true;
                return false;
            }
            return true;
        }

        @Override
        public boolean closed() {
            return closed;
        }

        @Override
        public void close() {
            ProcessCalls.close(efd);
            ProcessCalls.close(ofd);
        }
    }

    /**
     * cgroup v2: the oom_kill count of memory.events, which the kernel notifies as a file change
     * (poll wakes with POLLPRI); each rise is an event. The file is reopened after each wake, so a
     * poll only returns for a change after it (kernfs compares with what the open file saw).
     */
    private static final class V2 implements OomWatch {
        private static final short POLLPRI = 2;
        private final Path events;
        private long kills;
        private int fd = -1;
        private boolean closed;

        V2(Path dir) throws IOException {
            events = dir.resolve("memory.events");
            reopen();
            kills = count();
        }

        private void reopen() throws ErrnoException {
            if (fd >= 0) ProcessCalls.close(fd);
            fd = ProcessCalls.open(events.toString(), ProcessCalls.O_RDONLY);
        }

        private long count() throws IOException {
            return keyValues(events.getParent(), "memory.events").getOrDefault("oom_kill", 0L);
        }

        @Override
        public boolean await(int millis) throws IOException {
            if (closed) return false;
            if (millis > 0 && ProcessCalls.poll(fd, POLLPRI, millis) != 0) reopen();
            long now;
            try {
                now = count();
            } catch (NoSuchFileException e) {
                closed = true;
                return false;
            }
            if (now <= kills) return false;
            kills = now;
            return true;
        }

        @Override
        public boolean closed() {
            return closed;
        }

        @Override
        public void close() {
            if (fd >= 0) ProcessCalls.close(fd);
        }
    }

    /** No memory controller: only the interval passes. */
    private static final class None implements OomWatch {
        @Override
        public boolean await(int millis) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return false;
        }

        @Override
        public boolean closed() {
            return false;
        }

        @Override
        public void close() {}
    }

    // ---------------------------------------------------------------- reading cgroup files

    private static Path unifiedDir(Cgroups cg, List<String> dirs) {
        for (String d : dirs) {
            Path p = Path.of(d);
            if (p.startsWith(cg.unifiedRoot()) && !p.equals(cg.unifiedRoot())) return p;
        }
        return null;
    }

    private static String read(Path dir, String file) throws IOException {
        return Cgroups.readVirtual(dir.resolve(file));
    }

    private static String optional(Path dir, String file) throws IOException {
        return Files.exists(dir.resolve(file)) ? read(dir, file) : "";
    }

    private static long optionalUint(Path dir, String file) throws IOException {
        return dir != null && Files.exists(dir.resolve(file)) ? uint(dir, file) : 0;
    }

    /** An unsigned cgroup value; "max" is 2^64-1 (as -1 here), as runc's GetCgroupParamUint. */
    private static long uint(Path dir, String file) throws IOException {
        String v = read(dir, file);
        if (v.equals("max")) return -1;
        try {
            return Long.parseUnsignedLong(v);
        } catch (NumberFormatException e) {
            throw new ContainerException("read " + dir.resolve(file) + ": not a number: \"" + v + "\"");
        }
    }

    private static Object unsigned(String v) {
        return unsignedValue(Long.parseUnsignedLong(v));
    }

    /** A uint64 as JSON writes it: above Long.MAX_VALUE as a BigInteger. */
    private static Object unsignedValue(long v) {
        return v >= 0 ? (Object) v : new BigInteger(Long.toUnsignedString(v));
    }

    private static void omitZero(Map<String, Object> m, String key, long v) {
        if (v != 0) m.put(key, unsignedValue(v));
    }

    private static List<Object> fields(String s) {
        List<Object> out = new ArrayList<>();
        for (String f : s.trim().split("\\s+")) if (!f.isEmpty()) out.add(unsigned(f));
        return out;
    }

    private static Map<String, Long> keyValues(Path dir, String file) throws IOException {
        Map<String, Long> m = new LinkedHashMap<>();
        for (String l : read(dir, file).lines().toList()) {
            String[] f = l.trim().split("\\s+");
            if (f.length == 2) m.put(f[0], f[1].equals("max") ? -1 : Long.parseUnsignedLong(f[1]));
        }
        return m;
    }

    /** A cpuset list ("0-3,8") as the numbers it names. */
    static List<Long> list(String s) {
        List<Long> out = new ArrayList<>();
        for (String part : s.trim().split(",")) {
            if (part.isEmpty()) continue;
            String[] r = part.split("-");
            long from = Long.parseLong(r[0]), to = r.length > 1 ? Long.parseLong(r[1]) : from;
            for (long i = from; i <= to; i++) out.add(i);
        }
        return out;
    }
}
