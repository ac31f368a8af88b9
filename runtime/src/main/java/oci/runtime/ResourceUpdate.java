package oci.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import oci.bundle.spec.RuntimeSpec;

/**
 * runc's update: new {@code linux.resources} for a created, running or paused container. The
 * changes are merged into the resources of its saved config.json the way runc merges them
 * (update.go), the whole result is mapped to cgroup files by {@link CgroupSettings} (the same
 * mapping as create, v1, v2 and hybrid alike) and written to the container's existing cgroups,
 * and the merged resources are saved, so a later update or exec sees them.
 *
 * <p>Merge rules, as runc: an absent field, and for limits a 0 or "" as runc's flags send them,
 * leaves the current value; a new cpu quota keeps the period and the other way round; a throttle
 * device entry replaces the one with the same major:minor. Kernel memory limits are ignored with a
 * warning (runc does the same). Device rules cannot be changed (runc's update skips them): they are
 * accepted only when equal to the container's, as Kubernetes sends the whole resources object.
 * Unlike runc, hugepageLimits and unified are applied too (runc drops hugepageLimits silently).
 */
public final class ResourceUpdate {
    private ResourceUpdate() {}

    /** Fields where 0 (or "") means "unchanged": what runc's update flags send for an option not given. */
    private static final Set<String> ZERO_KEEPS = Set.of("memory.limit", "memory.reservation", "memory.swap", "cpu.shares", "cpu.quota",
            "cpu.period", "cpu.realtimeRuntime", "cpu.realtimePeriod", "cpu.cpus", "cpu.mems", "pids.limit", "blockIO.weight",
            "blockIO.leafWeight");

    /** The resources JSON of `update --resources FILE|-` (a runtime-spec LinuxResources object). */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parse(String text, String what) {
        if (!(Json.parse(text, what) instanceof Map<?, ?> m)) throw new ContainerException("parse " + what + ": not a JSON object");
        return (Map<String, Object>) m;
    }

    /**
     * Applies {@code changes} (a LinuxResources object) to container {@code id}.
     *
     * @param warn receives what is ignored (kernel memory limits), as runc logs it
     */
    public static void update(Containers rt, String id, Map<String, Object> changes, Consumer<String> warn) {
        String verb = "update container " + id;
        rt.locked(id, "update", c -> {
            try {
                apply(c, changes, warn);
            } catch (ContainerException e) {
                throw new ContainerException(e.getMessage().startsWith(verb) ? e.getMessage() : verb + ": " + e.getMessage(), e);
            }
            return null;
        });
    }

    @SuppressWarnings("unchecked")
    private static void apply(Containers.Current c, Map<String, Object> changes, Consumer<String> warn) throws IOException {
        if (!c.status().equals("created") && !c.status().equals("running") && !c.status().equals("paused")) {
            throw new ContainerException("it is " + c.status());
        }
        if (c.saved().cgroupDirs().isEmpty()) {
            throw new ContainerException("it has no cgroup of its own (it was run without root and stays in the caller's cgroups), so no limits to update");
        }
        Path configFile = c.dir().resolve("config.json");
        Map<String, Object> config;
        try {
            config = (Map<String, Object>) Json.parse(Files.readString(configFile), "saved config.json");
        } catch (NoSuchFileException e) {
            throw new ContainerException("its saved config.json is missing");
        }
        Map<String, Object> linux = (Map<String, Object>) config.computeIfAbsent("linux", k -> new LinkedHashMap<>());
        Map<String, Object> old = linux.get("resources") instanceof Map<?, ?> m ? (Map<String, Object>) m : new LinkedHashMap<>();
        Map<String, Object> merged = merge(old, changes, warn);

        Cgroups cg = Cgroups.detect();
        String path = cgroupPath(cg, c.saved().cgroupDirs());
        List<Cgroups.Setting> settings = CgroupSettings.of(bindWithoutDevices(merged), null, cg);
        List<Cgroups.Setting> before;
        try {
            before = CgroupSettings.of(bindWithoutDevices(old), null, cg);
        } catch (ContainerException e) {
            before = null; // what create accepted may be refused by a newer mapping: then nothing to roll back to
        }
        if (changes.get("memory") instanceof Map<?, ?> mem && Boolean.TRUE.equals(mem.get("checkBeforeUpdate"))) {
            checkUsage(cg, c.saved().cgroupDirs(), merged);
        }
        settings = memoryOrder(settings, cg, c.saved().cgroupDirs());
        try {
            cg.create(path, settings);
        } catch (ContainerException e) {
            // runc's Set puts the previous values back when the new ones fail half-way.
            if (before != null) {
                try {
                    cg.create(path, memoryOrder(before, cg, c.saved().cgroupDirs()));
                } catch (ContainerException ignored) {
                    // the first error is the one to report
                }
            }
            throw e;
        }
        linux.put("resources", merged);
        Path tmp = configFile.resolveSibling("config.json.tmp");
        Files.writeString(tmp, Json.write(config), StandardCharsets.UTF_8);
        Files.move(tmp, configFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** runc's merge of an update into the current resources (see the class comment). */
    @SuppressWarnings("unchecked")
    static Map<String, Object> merge(Map<String, Object> old, Map<String, Object> changes, Consumer<String> warn) {
        Map<String, Object> out = (Map<String, Object>) copy(old);
        for (var e : changes.entrySet()) {
            String key = e.getKey();
            Object v = e.getValue();
            if (v == null) continue;
            switch (key) {
                case "memory", "cpu", "pids", "blockIO" -> {
                    if (!(v instanceof Map<?, ?> in)) throw new ContainerException("resources." + key + ": expected an object");
                    Map<String, Object> target = out.get(key) instanceof Map<?, ?> t ? (Map<String, Object>) t : new LinkedHashMap<>();
                    out.put(key, target);
                    for (var f : ((Map<String, Object>) in).entrySet()) field(key, f.getKey(), f.getValue(), target, warn);
                    if (key.equals("memory") && Long.valueOf(-1).equals(number(((Map<?, ?>) in).get("limit"))) && ((Map<?, ?>) in).get("swap") == null) {
                        // runc: an unlimited memory limit without a swap value makes swap unlimited too.
                        target.put("swap", -1L);
                    }
                    if (target.isEmpty()) out.remove(key);
                }
                case "hugepageLimits" -> out.put(key, upsert(out.get(key), v, "resources.hugepageLimits", "pageSize"));
                case "unified" -> {
                    if (!(v instanceof Map<?, ?> in)) throw new ContainerException("resources.unified: expected an object");
                    Map<String, Object> target = out.get(key) instanceof Map<?, ?> t ? (Map<String, Object>) t : new LinkedHashMap<>();
                    target.putAll((Map<String, Object>) in);
                    out.put(key, target);
                }
                case "devices" -> {
                    if (!Objects.equals(v, out.get("devices")) && !(v instanceof List<?> l && l.isEmpty())) {
                        throw new ContainerException("resources.devices: device rules cannot be changed by update (runc's cannot either); "
                                + "give the container's own rules or none");
                    }
                }
                case "network", "rdma" -> {
                    if (!(v instanceof Map<?, ?> m && m.isEmpty())) out.put(key, v); // refused by CgroupSettings, by name
                }
                default -> throw new ContainerException("resources: unknown field \"" + key + "\"");
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static void field(String group, String name, Object v, Map<String, Object> target, Consumer<String> warn) {
        String full = group + "." + name;
        if (v == null) return;
        if (full.equals("memory.kernel") || full.equals("memory.kernelTCP")) {
            if (!Long.valueOf(0).equals(number(v))) warn.accept("kernel memory settings are ignored (" + full + ")");
            return;
        }
        if (full.equals("memory.checkBeforeUpdate")) return; // a check of this update (checkUsage), not a setting
        if (ZERO_KEEPS.contains(full) && (Long.valueOf(0).equals(number(v)) || "".equals(v))) return;
        if (full.equals("cpu.idle") && v instanceof Number n) v = n.longValue() != 0; // spec: int64; this runtime's bean: a boolean
        if (group.equals("blockIO") && (name.startsWith("throttle") || name.equals("weightDevice"))) {
            target.put(name, upsert(target.get(name), v, "resources.blockIO." + name, "major", "minor"));
            return;
        }
        target.put(name, v instanceof Map<?, ?> || v instanceof List<?> ? copy(v) : v);
    }

    /** A list of objects where an entry of {@code add} replaces the one of {@code list} with the same {@code keys}. */
    @SuppressWarnings("unchecked")
    private static List<Object> upsert(Object list, Object add, String what, String... keys) {
        if (!(add instanceof List<?> adds)) throw new ContainerException(what + ": expected an array");
        List<Object> out = list instanceof List<?> l ? new ArrayList<>((List<Object>) copy(l)) : new ArrayList<>();
        for (Object a : adds) {
            if (!(a instanceof Map<?, ?> am)) throw new ContainerException(what + ": expected objects");
            int at = -1;
            for (int i = 0; i < out.size(); i++) {
                if (out.get(i) instanceof Map<?, ?> om && sameKeys(om, am, keys)) at = i;
            }
            if (at >= 0) out.set(at, copy(a));
            else out.add(copy(a));
        }
        return out;
    }

    private static boolean sameKeys(Map<?, ?> a, Map<?, ?> b, String... keys) {
        for (String k : keys) {
            Object x = a.get(k), y = b.get(k);
            if (x instanceof Number nx && y instanceof Number ny ? nx.longValue() != ny.longValue() : !Objects.equals(x, y)) return false;
        }
        return true;
    }

    private static Long number(Object v) {
        return v instanceof Number n ? n.longValue() : null;
    }

    private static Object copy(Object v) {
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (var e : m.entrySet()) out.put((String) e.getKey(), copy(e.getValue()));
            return out;
        }
        if (v instanceof List<?> l) return new ArrayList<>(l.stream().map(ResourceUpdate::copy).toList());
        return v;
    }

    private static RuntimeSpec.Resources bindWithoutDevices(Map<String, Object> resources) {
        Map<String, Object> r = new LinkedHashMap<>(resources);
        r.remove("devices"); // an update never rewrites device rules (runc's SkipDevices)
        return SpecBinder.resources(r, "linux.resources");
    }

    /** The container's cgroupsPath, from its cgroup directories (the part below a hierarchy's mount point). */
    static String cgroupPath(Cgroups cg, List<String> dirs) {
        List<Path> mounts = new ArrayList<>(cg.controllers().stream().map(Cgroups.Hierarchy::mountPoint).toList());
        if (cg.unifiedRoot() != null) mounts.add(cg.unifiedRoot());
        for (String d : dirs) {
            Path p = Path.of(d);
            for (Path m : mounts) {
                if (p.startsWith(m) && !p.equals(m)) return "/" + m.relativize(p);
            }
        }
        throw new ContainerException("its cgroups " + dirs + " are in no cgroup hierarchy of this machine");
    }

    /** The container's directory in the hierarchy where {@code controller}'s files are: v1's, else the unified one. */
    static Path dirOf(Cgroups cg, List<String> dirs, String controller) {
        int v = cg.version(controller);
        if (v == 0) return null;
        List<Path> roots = v == 1
                ? cg.controllers().stream().filter(h -> h.has(controller)).map(Cgroups.Hierarchy::mountPoint).toList()
                : List.of(cg.unifiedRoot());
        for (String d : dirs) {
            Path p = Path.of(d);
            for (Path r : roots) if (p.startsWith(r) && !p.equals(r)) return p;
        }
        return null;
    }

    /**
     * v1 checks memory.limit_in_bytes <= memory.memsw.limit_in_bytes on every write, so the order
     * depends on the values (runc fs/memory.go setMemoryAndSwap): swap first when it becomes
     * unlimited or rises above the current memory limit.
     */
    private static List<Cgroups.Setting> memoryOrder(List<Cgroups.Setting> s, Cgroups cg, List<String> dirs) throws IOException {
        int limit = -1, swap = -1;
        for (int i = 0; i < s.size(); i++) {
            if (!s.get(i).unified() && s.get(i).file().equals("memory.limit_in_bytes")) limit = i;
            if (!s.get(i).unified() && s.get(i).file().equals("memory.memsw.limit_in_bytes")) swap = i;
        }
        if (limit < 0 || swap < 0 || swap < limit) return s;
        Path mem = dirOf(cg, dirs, "memory");
        long newSwap = Long.parseLong(s.get(swap).value());
        long current = mem == null ? Long.MAX_VALUE : Long.parseUnsignedLong(Cgroups.readVirtual(mem.resolve("memory.limit_in_bytes")));
        if (newSwap != -1 && Long.compareUnsigned(current, newSwap) >= 0) return s;
        List<Cgroups.Setting> out = new ArrayList<>(s);
        out.add(limit, out.remove(swap));
        return out;
    }

    /** memory.checkBeforeUpdate: refuse a limit below what the container uses now (runc fs2 memory.go). */
    @SuppressWarnings("unchecked")
    private static void checkUsage(Cgroups cg, List<String> dirs, Map<String, Object> merged) throws IOException {
        Long limit = merged.get("memory") instanceof Map<?, ?> m ? number(((Map<String, Object>) m).get("limit")) : null;
        Path mem = dirOf(cg, dirs, "memory");
        if (limit == null || limit <= 0 || mem == null) return;
        Path f = Files.exists(mem.resolve("memory.current")) ? mem.resolve("memory.current") : mem.resolve("memory.usage_in_bytes");
        long usage = Long.parseLong(Cgroups.readVirtual(f));
        if (usage > limit) throw new ContainerException("rejecting memory limit " + limit + " below current usage " + usage + " (checkBeforeUpdate)");
    }
}
