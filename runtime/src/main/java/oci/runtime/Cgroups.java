package oci.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * cgroup v1 hierarchies of this machine (one mount per controller under /sys/fs/cgroup), and the
 * container's cgroup in each: created, configured, joined, removed. What to write is decided by
 * {@link PlanBuilder} as a list of {@link Setting}s; this class only writes them.
 *
 * @see <a href="https://github.com/opencontainers/runtime-spec/blob/main/config-linux.md#control-groups">config-linux.md</a>
 */
final class Cgroups {
    /** A v1 hierarchy: where it is mounted and its controllers ("cpu", "memory", "name=systemd"). */
    record Hierarchy(Path mountPoint, List<String> controllers) {
        boolean has(String controller) {
            return controllers.contains(controller);
        }
    }

    /** One file to write in one controller's directory of the container's cgroup. */
    record Setting(String controller, String file, String value) {}

    private final List<Hierarchy> hierarchies;
    private final boolean unifiedOnly;
    /** For a rootless caller: each hierarchy's directory this process is in (null: the container gets its own). */
    private final Map<Path, Path> callers;

    private Cgroups(List<Hierarchy> hierarchies, boolean unifiedOnly, Map<Path, Path> callers) {
        this.hierarchies = hierarchies;
        this.unifiedOnly = unifiedOnly;
        this.callers = callers;
    }

    /**
     * The same hierarchies for a rootless container, which gets no cgroup of its own: v1
     * hierarchies are not delegated to users, so it stays in the caller's cgroups (as runc's
     * rootless containers do without delegation), and that is what its cgroup mount shows.
     */
    Cgroups callersOwn() {
        Map<Path, Path> own = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
                String[] f = line.split(":", 3);
                if (f.length != 3 || f[1].isEmpty()) continue;
                List<String> ctrls = List.of(f[1].split(","));
                for (Hierarchy h : hierarchies) {
                    if (h.controllers().size() == ctrls.size() && h.controllers().containsAll(ctrls)) {
                        own.put(h.mountPoint(), h.mountPoint().resolve(f[2].replaceAll("^/+", "")));
                    }
                }
            }
        } catch (IOException e) {
            throw new ContainerException("read /proc/self/cgroup: " + e.getMessage());
        }
        return new Cgroups(hierarchies, unifiedOnly, own);
    }

    /** Whether the container stays in the caller's cgroups (rootless). */
    boolean callers() {
        return callers != null;
    }

    /** The container's directory in hierarchy {@code h}: its own for cgroupsPath {@code path}, or the caller's. */
    Path containerDir(Hierarchy h, String path) {
        if (callers != null) {
            Path own = callers.get(h.mountPoint());
            if (own == null) throw new ContainerException("find this process's cgroup in " + h.mountPoint() + " (/proc/self/cgroup)");
            return own;
        }
        return h.mountPoint().resolve(path.replaceAll("^/+", ""));
    }

    /** The hierarchies mounted on this machine, read from /proc/self/mountinfo. */
    static Cgroups detect() {
        List<Hierarchy> found = new ArrayList<>();
        boolean v2Root = false;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] halves = line.split(" - ", 2);
                if (halves.length != 2) continue;
                String[] pre = halves[0].split(" "), post = halves[1].split(" ");
                if (post[0].equals("cgroup2") && pre[4].equals("/sys/fs/cgroup")) v2Root = true;
                if (!post[0].equals("cgroup")) continue;
                List<String> ctrls = new ArrayList<>();
                for (String o : post[2].split(",")) {
                    if (!o.equals("rw") && !o.equals("ro") && !o.startsWith("release_agent") && !o.equals("clone_children")
                            && !o.equals("noprefix") && !o.equals("xattr")) {
                        ctrls.add(o);
                    }
                }
                found.add(new Hierarchy(Path.of(pre[4].replace("\\040", " ")), ctrls));
            }
        } catch (IOException e) {
            throw new ContainerException("read /proc/self/mountinfo: " + e.getMessage());
        }
        return new Cgroups(found, v2Root && found.isEmpty(), null);
    }

    /** True when the machine only has the unified (v2) hierarchy, which this runtime does not manage. */
    boolean unifiedOnly() {
        return unifiedOnly;
    }

    /** The controller hierarchies (named ones such as name=systemd left out: nothing to limit there). */
    List<Hierarchy> controllers() {
        return hierarchies.stream().filter(h -> h.controllers().stream().noneMatch(c -> c.startsWith("name="))).toList();
    }

    boolean hasController(String c) {
        return hierarchies.stream().anyMatch(h -> h.has(c));
    }

    /** The container's directory in each controller hierarchy for cgroupsPath {@code path}. */
    List<Path> dirs(String path) {
        String rel = path.replaceAll("^/+", "");
        return controllers().stream().map(h -> h.mountPoint().resolve(rel)).toList();
    }

    /**
     * What creating the cgroup takes, as data (the native `oci run` front end replays it, see
     * {@link RunCache}): {"mkdir", DIR, ""} makes DIR and its parents; {"mkcpuset", PARENT, CHILD}
     * makes one level of a v1 cpuset hierarchy, which starts with empty cpus and mems and accepts no
     * task until they are set, so a new level copies its parent's; {"write", FILE, VALUE}.
     */
    List<String[]> createSteps(String path, List<Setting> settings) {
        String rel = path.replaceAll("^/+", "");
        List<String[]> steps = new ArrayList<>();
        for (Hierarchy h : controllers()) {
            if (h.has("cpuset")) {
                Path p = h.mountPoint();
                for (Path part : Path.of(rel)) {
                    steps.add(new String[] {"mkcpuset", p.toString(), p.resolve(part).toString()});
                    p = p.resolve(part);
                }
            } else {
                steps.add(new String[] {"mkdir", h.mountPoint().resolve(rel).toString(), ""});
            }
        }
        for (Setting s : settings) {
            Hierarchy h = hierarchies.stream().filter(x -> x.has(s.controller())).findFirst()
                    .orElseThrow(() -> new ContainerException("set cgroup " + s.file() + ": controller "
                            + s.controller() + " is not mounted on this machine"));
            steps.add(new String[] {"write", h.mountPoint().resolve(rel).resolve(s.file()).toString(), s.value()});
        }
        return steps;
    }

    /** Creates the cgroup in every hierarchy and writes {@code settings}, in order. */
    void create(String path, List<Setting> settings) {
        for (String[] step : createSteps(path, settings)) {
            Path a = Path.of(step[1]);
            try {
                switch (step[0]) {
                    case "mkdir" -> Files.createDirectories(a);
                    case "mkcpuset" -> {
                        Path child = Path.of(step[2]);
                        if (!Files.isDirectory(child)) {
                            Files.createDirectory(child);
                            for (String f : List.of("cpuset.cpus", "cpuset.mems")) {
                                Files.writeString(child.resolve(f), readVirtual(a.resolve(f)));
                            }
                        }
                    }
                    default -> {
                        try {
                            Files.writeString(a, step[2]);
                        } catch (NoSuchFileException e) {
                            throw new ContainerException("set cgroup " + a + ": not supported by this kernel");
                        } catch (IOException e) {
                            throw new ContainerException("set cgroup " + a + " to \"" + step[2].strip() + "\": " + e.getMessage());
                        }
                    }
                }
            } catch (IOException e) {
                throw new ContainerException("create cgroup " + (step[0].equals("mkcpuset") ? step[2] : a) + ": " + e.getMessage());
            }
        }
    }

    /**
     * Reads a procfs/sysfs/cgroupfs file. Files.readString trusts the reported size and can
     * return a short read on these files (seen on /proc/sys/kernel/cap_last_cap: "4" for "40").
     */
    static String readVirtual(Path p) throws IOException {
        try (java.io.InputStream in = Files.newInputStream(p)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
        }
    }

    /** Moves process {@code pid} into the cgroup in every hierarchy. */
    void join(String path, long pid) {
        for (Path dir : dirs(path)) {
            try {
                Files.writeString(dir.resolve("cgroup.procs"), Long.toString(pid));
            } catch (IOException e) {
                throw new ContainerException("join cgroup " + dir + ": " + e.getMessage());
            }
        }
    }

    /** The pids in the cgroup (from the first hierarchy that has it). */
    static List<Integer> pids(List<Path> dirs) {
        List<Integer> pids = new ArrayList<>();
        for (Path d : dirs) {
            try {
                for (String l : Files.readAllLines(d.resolve("cgroup.procs"))) if (!l.isBlank()) pids.add(Integer.parseInt(l.trim()));
                return pids;
            } catch (IOException e) {
                // try the next hierarchy
            }
        }
        return pids;
    }

    /** Removes the cgroup directories; waits a little for exiting tasks to leave them. */
    static void remove(List<Path> dirs) {
        Map<Path, IOException> left = new LinkedHashMap<>();
        for (Path d : dirs) {
            for (int attempt = 0; ; attempt++) {
                try {
                    Files.deleteIfExists(d);
                    left.remove(d);
                    break;
                } catch (IOException e) {
                    left.put(d, e);
                    if (attempt >= 100) break;
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
        }
        if (!left.isEmpty()) {
            var e = left.entrySet().iterator().next();
            throw new ContainerException("remove cgroup " + e.getKey() + ": " + e.getValue().getMessage());
        }
    }
}
