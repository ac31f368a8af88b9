package oci.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The cgroup hierarchies of this machine and the container's cgroup in each: created, configured,
 * joined, frozen, killed, removed. What to write is decided by {@link CgroupSettings} as a list of
 * {@link Setting}s; this class only writes them.
 *
 * <p>Three shapes, detected as runc does (libcontainer/cgroups/utils.go IsCgroup2UnifiedMode and
 * IsCgroup2HybridMode): v1 (one mount per controller under /sys/fs/cgroup); unified (cgroup2 at
 * /sys/fs/cgroup itself); hybrid (v1 controllers plus cgroup2 at /sys/fs/cgroup/unified, as on
 * these machines). In hybrid mode runc's managers add a "" subsystem that places the container in
 * the unified hierarchy too; so does this class, and a limit whose controller has no v1 hierarchy
 * but is offered by the unified one (hugetlb here) is written there in the v2 format.
 *
 * @see <a href="https://github.com/opencontainers/runtime-spec/blob/main/config-linux.md#control-groups">config-linux.md</a>
 * @see <a href="https://docs.kernel.org/admin-guide/cgroup-v2.html">cgroup v2</a>
 */
final class Cgroups {
    /** A v1 hierarchy: where it is mounted and its controllers ("cpu", "memory", "name=systemd"). */
    record Hierarchy(Path mountPoint, List<String> controllers) {
        boolean has(String controller) {
            return controllers.contains(controller);
        }
    }

    /**
     * One file to write in the container's cgroup: in the v1 hierarchy of {@code controller}, or,
     * with {@code unified}, in the container's directory of the unified (v2) hierarchy, whose
     * parents then get {@code +controller} in cgroup.subtree_control.
     */
    record Setting(String controller, String file, String value, boolean unified) {
        Setting(String controller, String file, String value) {
            this(controller, file, value, false);
        }

        static Setting v2(String controller, String file, String value) {
            return new Setting(controller, file, value, true);
        }
    }

    /** runc's hybrid mount point of the unified hierarchy. */
    static final Path HYBRID_UNIFIED = Path.of("/sys/fs/cgroup/unified"), CGROUP_ROOT = Path.of("/sys/fs/cgroup");

    private final List<Hierarchy> hierarchies;
    private final Path unified;
    private final Set<String> unifiedControllers;
    private final boolean unifiedOnly;
    /** For a rootless caller: each hierarchy's directory this process is in (null: the container gets its own). */
    private final Map<Path, Path> callers;

    private Cgroups(List<Hierarchy> hierarchies, Path unified, Set<String> unifiedControllers, boolean unifiedOnly,
                    Map<Path, Path> callers) {
        this.hierarchies = hierarchies;
        this.unified = unified;
        this.unifiedControllers = unifiedControllers;
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
                if (f.length != 3) continue;
                if (f[1].isEmpty()) {
                    if (unified != null) own.put(unified, unified.resolve(relative(f[2])));
                    continue;
                }
                List<String> ctrls = List.of(f[1].split(","));
                for (Hierarchy h : hierarchies) {
                    if (h.controllers().size() == ctrls.size() && h.controllers().containsAll(ctrls)) {
                        own.put(h.mountPoint(), h.mountPoint().resolve(relative(f[2])));
                    }
                }
            }
        } catch (IOException e) {
            throw new ContainerException("read /proc/self/cgroup: " + e.getMessage());
        }
        return new Cgroups(hierarchies, unified, unifiedControllers, unifiedOnly, own);
    }

    /** Whether the container stays in the caller's cgroups (rootless). */
    boolean callers() {
        return callers != null;
    }

    /** The container's directory in the hierarchy mounted at {@code mountPoint}: its own for cgroupsPath {@code path}, or the caller's. */
    Path containerDir(Path mountPoint, String path) {
        if (callers != null) {
            Path own = callers.get(mountPoint);
            if (own == null) throw new ContainerException("find this process's cgroup in " + mountPoint + " (/proc/self/cgroup)");
            return own;
        }
        return mountPoint.resolve(relative(path));
    }

    /** A description of hierarchies, for tests of what is written where (nothing is read). */
    static Cgroups of(List<Hierarchy> v1, Path unified, Set<String> unifiedControllers) {
        return new Cgroups(List.copyOf(v1), unified, Set.copyOf(unifiedControllers), unified != null && v1.isEmpty(), null);
    }

    /** The unified hierarchy mounted at {@code root} as the only one (tests point this at a cgroup2 mount). */
    static Cgroups unified(Path root) {
        return new Cgroups(List.of(), root, readControllers(root), true, null);
    }

    /** {@code path} without its leading slashes (a regex's replaceAll compiled its pattern on every call). */
    static String relative(String path) {
        int i = 0;
        while (i < path.length() && path.charAt(i) == '/') i++;
        return path.substring(i);
    }

    /** The hierarchies mounted on this machine, read from /proc/self/mountinfo. */
    static Cgroups detect() {
        List<Hierarchy> found = new ArrayList<>();
        Path v2 = null;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                // indexOf, not split(" - "): a separator of more than one character is a regex, compiled per line
                int sep = line.indexOf(" - ");
                if (sep < 0) continue;
                String[] pre = line.substring(0, sep).split(" "), post = line.substring(sep + 3).split(" ");
                Path mountPoint = Path.of(pre[4].replace("\\040", " "));
                // A read-only unified mount in hybrid mode (a nested container) is left alone, as runc's
                // hybrid "" subsystem ignores a unified cgroup it cannot join.
                if (post[0].equals("cgroup2") && (mountPoint.equals(CGROUP_ROOT)
                        || (mountPoint.equals(HYBRID_UNIFIED) && pre[5].startsWith("rw")))) {
                    v2 = mountPoint;
                }
                // Only a hierarchy's root counts, and the first mount of it: a container without a
                // mount namespace of its own has its cgroups mounted in this namespace too, under its
                // rootfs (runc's FindCgroupMountpoint also takes the first).
                if (!post[0].equals("cgroup") || !pre[3].equals("/")) continue;
                List<String> ctrls = new ArrayList<>();
                for (String o : post[2].split(",")) {
                    if (!o.equals("rw") && !o.equals("ro") && !o.startsWith("release_agent") && !o.equals("clone_children")
                            && !o.equals("noprefix") && !o.equals("xattr")) {
                        ctrls.add(o);
                    }
                }
                if (found.stream().noneMatch(h -> h.controllers().equals(ctrls))) found.add(new Hierarchy(mountPoint, ctrls));
            }
        } catch (IOException e) {
            throw new ContainerException("read /proc/self/mountinfo: " + e.getMessage());
        }
        boolean only = v2 != null && v2.equals(CGROUP_ROOT);
        if (only) found.clear(); // a v1 mount under a cgroup2 /sys/fs/cgroup is not runc's v1 layout
        return new Cgroups(found, v2, v2 == null ? Set.of() : readControllers(v2), only, null);
    }

    private static Set<String> readControllers(Path root) {
        try {
            String c = readVirtual(root.resolve("cgroup.controllers"));
            return c.isEmpty() ? Set.of() : Set.of(words(c));
        } catch (IOException e) {
            throw new ContainerException("read " + root.resolve("cgroup.controllers") + ": " + e.getMessage());
        }
    }

    /**
     * {@code s.split("\\s+")} without the regex, whose compiling (and first lambda set-up) cost each
     * create ~3 ms of CPU: split at runs of space, tab, newline, VT, form feed and CR, a leading
     * empty word when {@code s} starts with one, no trailing empty words.
     */
    static String[] words(String s) {
        List<String> out = new ArrayList<>();
        int start = 0, i = 0, n = s.length();
        while (i < n) {
            if (!isSpace(s.charAt(i))) {
                i++;
                continue;
            }
            out.add(s.substring(start, i));
            while (i < n && isSpace(s.charAt(i))) i++;
            start = i;
        }
        out.add(s.substring(start));
        int end = out.size();
        while (end > 1 && out.get(end - 1).isEmpty()) end--;
        if (end == 1 && out.get(0).isEmpty() && n > 0) end = 0;
        return out.subList(0, end).toArray(new String[0]);
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r';
    }

    /** True when the machine only has the unified (v2) hierarchy. */
    boolean unifiedOnly() {
        return unifiedOnly;
    }

    /** The unified hierarchy's mount point, or null when there is none. */
    Path unifiedRoot() {
        return unified;
    }

    /** Where a limit of {@code controller} goes: 1 (a v1 hierarchy), 2 (the unified one), 0 (nowhere). */
    int version(String controller) {
        if (hierarchies.stream().anyMatch(h -> h.has(controller))) return 1;
        if (unified != null && unifiedControllers.contains(controller)) return 2;
        return 0;
    }

    /** Fails with the field's name unless the unified hierarchy offers {@code controller}. */
    void requireUnified(String controller, String field) {
        if (unified == null) throw new ContainerException(field + ": this machine has no cgroup v2 hierarchy");
        if (!unifiedControllers.contains(controller)) {
            throw new ContainerException(field + ": the " + controller + " controller is not available in the cgroup v2 hierarchy at "
                    + unified + " (its cgroup.controllers: " + (unifiedControllers.isEmpty() ? "none" : String.join(" ", new java.util.TreeSet<>(unifiedControllers))) + ")");
        }
    }

    /** The controller hierarchies (named ones such as name=systemd left out: nothing to limit there). */
    List<Hierarchy> controllers() {
        return hierarchies.stream().filter(h -> h.controllers().stream().noneMatch(c -> c.startsWith("name="))).toList();
    }

    boolean hasController(String c) {
        return version(c) != 0;
    }

    /** The container's directory in each controller hierarchy for cgroupsPath {@code path}, the unified one last. */
    List<Path> dirs(String path) {
        String rel = relative(path);
        List<Path> out = new ArrayList<>(controllers().stream().map(h -> h.mountPoint().resolve(rel)).toList());
        if (unified != null) out.add(unified.resolve(rel));
        return out;
    }

    /**
     * What creating the cgroup takes, as data (the native `oci run` front end replays it, see
     * {@link RunCache}), each step {KIND, A, B}:
     * <ul>
     * <li>"mkdir" DIR: makes DIR and its parents;
     * <li>"mkcpuset" PARENT CHILD: one level of a v1 cpuset hierarchy, which starts with empty cpus
     *     and mems and accepts no task until they are set, so a new level copies its parent's;
     * <li>"enable" SUBTREE_CONTROL CONTROLLER: v2, writes "+CONTROLLER" unless already enabled (a
     *     controller's files exist in a cgroup only when its parent enables it; cgroup-v2.html
     *     "Enabling and Disabling");
     * <li>"write" FILE VALUE (v1), "write2" FILE VALUE (v2, the file named CONTROLLER.*);
     * <li>"bpf" DIR RULES: the v2 device program ({@link #attachDeviceFilter}), which only Java does.
     * </ul>
     */
    List<String[]> createSteps(String path, List<Setting> settings) {
        String rel = relative(path);
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
        if (unified != null) {
            java.util.LinkedHashSet<String> needed = new java.util.LinkedHashSet<>();
            // "cgroup.*" files are core files; "devices" is a BPF program, not a controller to enable.
            for (Setting s : settings) if (s.unified() && !s.controller().equals("cgroup") && !s.controller().equals("devices")) needed.add(s.controller());
            Path p = unified;
            for (Path part : Path.of(rel)) {
                for (String c : needed) steps.add(new String[] {"enable", p.resolve("cgroup.subtree_control").toString(), c});
                p = p.resolve(part);
                steps.add(new String[] {"mkdir", p.toString(), ""});
            }
        }
        for (Setting s : settings) {
            if (s.unified() && s.file().equals(DeviceFilter.PSEUDO_FILE)) {
                steps.add(new String[] {"bpf", unified.resolve(rel).toString(), s.value()});
            } else if (s.unified()) {
                steps.add(new String[] {"write2", unified.resolve(rel).resolve(s.file()).toString(), s.value()});
            } else {
                Hierarchy h = hierarchies.stream().filter(x -> x.has(s.controller())).findFirst()
                        .orElseThrow(() -> new ContainerException("set cgroup " + s.file() + ": controller "
                                + s.controller() + " is not mounted on this machine"));
                steps.add(new String[] {"write", h.mountPoint().resolve(rel).resolve(s.file()).toString(), s.value()});
            }
        }
        return steps;
    }

    /** Creates the cgroup in every hierarchy and writes {@code settings}, in order ({@link #createSteps}). */
    void create(String path, List<Setting> settings) {
        for (String[] step : createSteps(path, settings)) {
            Path a = Path.of(step[1]);
            switch (step[0]) {
                case "mkdir" -> {
                    try {
                        Files.createDirectories(a);
                    } catch (IOException e) {
                        throw new ContainerException("create cgroup " + a + ": " + e.getMessage());
                    }
                }
                case "mkcpuset" -> {
                    Path child = Path.of(step[2]);
                    try {
                        if (!Files.isDirectory(child)) {
                            Files.createDirectory(child);
                            for (String f : List.of("cpuset.cpus", "cpuset.mems")) {
                                Files.writeString(child.resolve(f), readVirtual(a.resolve(f)));
                            }
                        }
                    } catch (IOException e) {
                        throw new ContainerException("create cgroup " + child + ": " + e.getMessage());
                    }
                }
                case "enable" -> {
                    try {
                        if (!List.of(readVirtual(a).split(" ")).contains(step[2])) Files.writeString(a, "+" + step[2]);
                    } catch (IOException e) {
                        throw new ContainerException("enable the " + step[2] + " controller in " + a + ": " + e.getMessage());
                    }
                }
                case "bpf" -> attachDeviceFilter(a, step[2]);
                default -> {
                    try {
                        Files.writeString(a, step[2]);
                    } catch (NoSuchFileException e) {
                        String controller = a.getFileName().toString().replaceAll("\\..*", "");
                        throw new ContainerException("set cgroup " + a + ": not supported by this kernel"
                                + (step[0].equals("write2") ? " or the " + controller + " controller is not enabled there" : ""));
                    } catch (IOException e) {
                        throw new ContainerException("set cgroup " + a + " to \"" + step[2].strip() + "\": " + e.getMessage());
                    }
                }
            }
        }
    }

    /**
     * Loads the eBPF device program for {@code rules} (one v1 rule a line, "allow c 1:3 rwm") and
     * attaches it to the cgroup {@code dir} with BPF_F_ALLOW_MULTI, as runc does: programs of the
     * parents keep applying too. The attachment keeps the program alive; rmdir detaches it.
     */
    static void attachDeviceFilter(Path dir, String rules) {
        List<DeviceFilter.Rule> parsed = rules.lines().map(DeviceFilter.Rule::parse).toList();
        byte[] prog = DeviceFilter.compile(parsed);
        int fd;
        try {
            fd = oci.linux.BpfCalls.progLoad(oci.linux.BpfCalls.BPF_PROG_TYPE_CGROUP_DEVICE, prog, "Apache");
        } catch (oci.linux.ErrnoException e) {
            throw new ContainerException("set cgroup " + dir + " device rules: " + e.getMessage());
        }
        try {
            oci.linux.BpfCalls.progAttach(dir.toString(), fd, oci.linux.BpfCalls.BPF_CGROUP_DEVICE, oci.linux.BpfCalls.BPF_F_ALLOW_MULTI);
        } catch (oci.linux.ErrnoException e) {
            throw new ContainerException("set cgroup " + dir + " device rules: " + e.getMessage());
        } finally {
            oci.linux.ProcessCalls.close(fd);
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

    /** Moves process {@code pid} into each of these cgroup directories (v1 and unified alike: cgroup.procs). */
    static void join(List<Path> dirs, long pid) {
        for (Path dir : dirs) {
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

    /**
     * Kills every process of the cgroup at once where the kernel offers cgroup.kill (v2, Linux
     * 5.14): a fork loop cannot outrun it. Returns whether some directory had it.
     */
    static boolean kill(List<Path> dirs) {
        boolean any = false;
        for (Path d : dirs) {
            Path k = d.resolve("cgroup.kill");
            if (!Files.exists(k)) continue;
            try {
                Files.writeString(k, "1");
                any = true;
            } catch (IOException e) {
                // gone meanwhile: the caller's pid loop still runs
            }
        }
        return any;
    }

    /** The directory to freeze: the v1 freezer hierarchy's if there is one, else the unified one (cgroup.freeze). */
    static Path freezer(List<String> dirs) {
        for (String d : dirs) if (d.contains("/freezer/")) return Path.of(d);
        for (String d : dirs) if (Files.exists(Path.of(d, "cgroup.freeze"))) return Path.of(d);
        return null;
    }

    /** Whether the freezer directory {@code f} (v1 freezer.state or v2 cgroup.freeze) is frozen or freezing. */
    static boolean frozen(Path f) {
        try {
            if (f == null) return false;
            if (Files.exists(f.resolve("freezer.state"))) return !readVirtual(f.resolve("freezer.state")).equals("THAWED");
            return readVirtual(f.resolve("cgroup.freeze")).equals("1");
        } catch (IOException e) {
            return false;
        }
    }

    /** Freezes or thaws the cgroup {@code f} and waits (5 s at most) until every task is. */
    static void setFrozen(Path f, boolean freeze) throws IOException {
        boolean v1 = Files.exists(f.resolve("freezer.state"));
        if (v1) {
            Files.writeString(f.resolve("freezer.state"), freeze ? "FROZEN" : "THAWED");
        } else {
            Files.writeString(f.resolve("cgroup.freeze"), freeze ? "1" : "0");
        }
        // v1 FREEZING is transient; v2 reports the reached state as "frozen 0|1" in cgroup.events.
        String want = v1 ? (freeze ? "FROZEN" : "THAWED") : "frozen " + (freeze ? 1 : 0);
        for (int i = 0; i < 500; i++) {
            String now = v1 ? readVirtual(f.resolve("freezer.state")) : readVirtual(f.resolve("cgroup.events"));
            if (v1 ? now.equals(want) : List.of(now.split("\n")).contains(want)) return;
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
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
