package oci.runtime;

import static oci.runtime.MountOptions.MS_BIND;
import static oci.runtime.MountOptions.MS_NODEV;
import static oci.runtime.MountOptions.MS_NOEXEC;
import static oci.runtime.MountOptions.MS_NOSUID;
import static oci.runtime.MountOptions.MS_PRIVATE;
import static oci.runtime.MountOptions.MS_RDONLY;
import static oci.runtime.MountOptions.MS_REC;
import static oci.runtime.MountOptions.MS_SLAVE;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import oci.bundle.spec.RuntimeSpec;

/**
 * Turns a config.json into a {@link ContainerPlan}: every policy decision of the runtime is here
 * (validation, mount flags, devices, capability masks, seccomp, cgroup values); the native init
 * only performs the resulting steps. A spec field this runtime does not implement is refused.
 *
 * @see <a href="https://github.com/opencontainers/runtime-spec/blob/main/config.md">config.md</a>
 * @see <a href="https://github.com/opencontainers/runtime-spec/blob/main/config-linux.md">config-linux.md</a>
 */
final class PlanBuilder {
    static final long CLONE_NEWTIME = 0x80, CLONE_NEWNS = 0x20000, CLONE_NEWCGROUP = 0x02000000,
            CLONE_NEWUTS = 0x04000000, CLONE_NEWIPC = 0x08000000, CLONE_NEWUSER = 0x10000000,
            CLONE_NEWPID = 0x20000000, CLONE_NEWNET = 0x40000000L;

    /** Namespace types in the order they are joined (user first, so the others are owned by it). */
    static final Map<String, Long> NAMESPACES = linked(
            "user", CLONE_NEWUSER, "ipc", CLONE_NEWIPC, "uts", CLONE_NEWUTS, "network", CLONE_NEWNET,
            "pid", CLONE_NEWPID, "cgroup", CLONE_NEWCGROUP, "mount", CLONE_NEWNS);

    static final List<String> RLIMITS = List.of("RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK",
            "RLIMIT_CORE", "RLIMIT_RSS", "RLIMIT_NPROC", "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS",
            "RLIMIT_LOCKS", "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_RTPRIO", "RLIMIT_RTTIME");

    /** The devices every container gets (config-linux.md "Default Devices"). */
    record Dev(String path, char type, long major, long minor) {}

    static final List<Dev> DEFAULT_DEVICES = List.of(new Dev("/dev/null", 'c', 1, 3), new Dev("/dev/zero", 'c', 1, 5),
            new Dev("/dev/full", 'c', 1, 7), new Dev("/dev/random", 'c', 1, 8), new Dev("/dev/urandom", 'c', 1, 9),
            new Dev("/dev/tty", 'c', 5, 0));

    /** Compiled when a config has sysctls, not in PlanBuilder's static initialiser on every create's main thread. */
    private static final class SysctlIpc {
        static final Pattern PATTERN = Pattern.compile("kernel\\.(msgmax|msgmnb|msgmni|sem|shmall|shmmax|shmmni|shm_rmid_forced)|fs\\.mqueue\\..+");
    }

    /** Where the runtime keeps this container's files, and facts about the host. */
    /**
     * @param consoleSocket runc's --console-socket: where the pty master goes (null: none)
     * @param attached true for a foreground `oci run` or `oci exec`, which proxies a terminal itself
     * @param availableCaps the capabilities this process can hand on (its bounding set)
     * @param newKeyring false for runc's --no-new-keyring: the container keeps its caller's session keyring
     */
    record Context(String id, Path bundle, Path stateDir, Cgroups cgroups, int lastCap, Path consoleSocket, boolean attached,
                   long availableCaps, boolean newKeyring) {
        Context(String id, Path bundle, Path stateDir, Cgroups cgroups, int lastCap) {
            this(id, bundle, stateDir, cgroups, lastCap, null, false, -1L, true);
        }

        Context(String id, Path bundle, Path stateDir, Cgroups cgroups, int lastCap, Path consoleSocket, boolean attached) {
            this(id, bundle, stateDir, cgroups, lastCap, consoleSocket, attached, Capabilities.available(), true);
        }

        Context withNewKeyring(boolean b) {
            return new Context(id, bundle, stateDir, cgroups, lastCap, consoleSocket, attached, availableCaps, b);
        }
    }

    /** KEY_USR_SEARCH and KEY_OTH_SEARCH (linux/keyctl.h). */
    static final long KEY_USR_SEARCH = 0x00080000, KEY_OTH_SEARCH = 0x00000008;

    /**
     * The container's own session keyring, named {@code _ses.ID} as runc names it, so that `oci exec`
     * joins the same one. The container's init adds the search right that lets an exec find it by
     * name: by its owner's uid, and in a user namespace by anyone too (runc's getSessionRingParams).
     * runc gives only the latter in a user namespace; but the exec joins as the owner there (root
     * of that namespace), whom the kernel then holds to the owner's rights alone: without the
     * owner's search right each exec would get a keyring of its own.
     */
    private void sessionKeyring(boolean userns, boolean create) {
        if (!ctx.newKeyring()) return;
        plan.add(Op.SESSION_KEYRING, "_ses." + ctx.id(), create ? KEY_USR_SEARCH | (userns ? KEY_OTH_SEARCH : 0) : 0);
    }

    private final RuntimeSpec spec;
    private final Context ctx;
    private final InitPlan plan = new InitPlan();

    private PlanBuilder(RuntimeSpec spec, Context ctx) {
        this.spec = spec;
        this.ctx = ctx;
    }

    static ContainerPlan build(RuntimeSpec spec, Context ctx) {
        return new PlanBuilder(spec, ctx).build();
    }

    private ContainerPlan build() {
        refuseUnimplemented();
        if (spec.process == null) throw new ContainerException("config.json has no process: nothing to run");
        if (spec.process.args == null || spec.process.args.isEmpty()) throw new ContainerException("config.json process.args is empty");
        if (spec.root == null || spec.root.path == null) throw new ContainerException("config.json has no root.path");
        Path rootfs = ctx.bundle().resolve(spec.root.path).normalize();
        if (!Files.isDirectory(rootfs)) throw new ContainerException("root.path " + rootfs + " is not a directory");
        RuntimeSpec.Linux linux = spec.linux != null ? spec.linux : new RuntimeSpec.Linux();

        Map<String, String> joins = new LinkedHashMap<>();
        Set<String> created = new HashSet<>();
        for (RuntimeSpec.Namespace ns : linux.namespaces == null ? List.<RuntimeSpec.Namespace>of() : linux.namespaces) {
            if (ns.type == null || !NAMESPACES.containsKey(ns.type)) {
                throw ContainerException.unsupported("linux.namespaces type \"" + ns.type + "\"",
                        "known types are " + String.join(", ", NAMESPACES.keySet()));
            }
            if (joins.containsKey(ns.type) || created.contains(ns.type)) {
                throw new ContainerException("linux.namespaces lists " + ns.type + " twice");
            }
            if (ns.path != null && !ns.path.isEmpty()) joins.put(ns.type, ns.path);
            else created.add(ns.type);
        }
        // Without a mount namespace (runc allows it) the container's mounts are made in the host's,
        // under the rootfs, which is entered with chroot; delete unmounts them. What would change
        // the host's own mounts is refused.
        boolean mountns = joins.containsKey("mount") || created.contains("mount");
        if (!mountns) {
            if (nonEmpty(linux.maskedPaths) || nonEmpty(linux.readonlyPaths)) {
                throw new ContainerException("linux.maskedPaths and linux.readonlyPaths need a mount namespace of the container's own");
            }
            if (Boolean.TRUE.equals(spec.root.readonly)) {
                throw new ContainerException("root.readonly needs a mount namespace of the container's own (it would remount the host's filesystem)");
            }
            if (linux.rootfsPropagation != null && !linux.rootfsPropagation.isEmpty()) {
                throw new ContainerException("linux.rootfsPropagation needs a mount namespace of the container's own (it would change the host's /)");
            }
        }
        boolean newUserns = created.contains("user");
        boolean userns = newUserns || joins.containsKey("user");
        if ((spec.hostname != null && !spec.hostname.isEmpty() || spec.domainname != null && !spec.domainname.isEmpty())
                && !created.contains("uts") && !joins.containsKey("uts")) {
            throw new ContainerException("config.json sets hostname or domainname but has no uts namespace");
        }
        String uidMap = idMap(linux.uidMappings, "uidMappings"), gidMap = idMap(linux.gidMappings, "gidMappings");
        if (newUserns && (uidMap.isEmpty() || gidMap.isEmpty())) {
            throw new ContainerException("a new user namespace needs linux.uidMappings and linux.gidMappings");
        }
        if (!newUserns && (!uidMap.isEmpty() || !gidMap.isEmpty())) {
            throw new ContainerException("linux.uidMappings/gidMappings are set but no new user namespace is created");
        }

        // Before the fork into the new pid namespace (process S, see init.c).
        plan.add(Op.CONNECT, ctx.stateDir().resolve("init.sync"));
        plan.add(Op.SYNC, "cgroup");
        if (joins.containsKey("user")) {
            plan.add(Op.SETNS, CLONE_NEWUSER, joins.get("user"));
            plan.add(Op.SETID0);
        } else if (newUserns) {
            plan.add(Op.UNSHARE, CLONE_NEWUSER);
            plan.add(Op.SYNC, "userns");
            plan.add(Op.SETID0);
        }
        long unshare = 0;
        for (var e : NAMESPACES.entrySet()) {
            if (e.getKey().equals("user")) continue;
            if (joins.containsKey(e.getKey())) plan.add(Op.SETNS, e.getValue(), joins.get(e.getKey()));
            else if (created.contains(e.getKey())) unshare |= e.getValue();
        }
        if (unshare != 0) plan.add(Op.UNSHARE, unshare);
        plan.add(Op.FORK);

        // The container's pid 1 (process G). Its oom_score_adj is written through the host's /proc,
        // which is still there (the container may not mount one of its own).
        sessionKeyring(userns, true);
        if (spec.process.oomScoreAdj != null) plan.add(Op.OOM_ADJ, spec.process.oomScoreAdj);
        // The filesystem.
        if (mountns) {
            long rootProp = linux.rootfsPropagation == null ? MS_SLAVE | MS_REC : propagation(linux.rootfsPropagation);
            plan.add(Op.MOUNT_PROP, "/", rootProp);
            // runc's rootfsParentMountPropagation: the mount holding the rootfs is made private (slave
            // when slave was asked for) so that pivot_root works and the bind does not reach the host.
            plan.add(Op.BIND_ROOT, rootfs, (rootProp & MS_SLAVE) != 0 ? MS_SLAVE : MS_PRIVATE);
        } else {
            plan.add(Op.OPEN_ROOT, rootfs);
        }
        boolean devTmpfs = false, devpts = false, proc = false;
        for (RuntimeSpec.Mount m : spec.mounts == null ? List.<RuntimeSpec.Mount>of() : spec.mounts) {
            String dest = destination(m);
            if (dest.equals("/dev")) devTmpfs = true;
            if (dest.equals("/dev/pts") && "devpts".equals(m.type)) devpts = true;
            if ("proc".equals(m.type)) proc = true;
            mount(m, dest, created.contains("cgroup"));
        }
        devices(linux, userns, devTmpfs);
        if (devTmpfs || proc) {
            plan.add(Op.SYMLINK, "/proc/self/fd", "/dev/fd");
            plan.add(Op.SYMLINK, "/proc/self/fd/0", "/dev/stdin");
            plan.add(Op.SYMLINK, "/proc/self/fd/1", "/dev/stdout");
            plan.add(Op.SYMLINK, "/proc/self/fd/2", "/dev/stderr");
            plan.add(Op.SYMLINK, "/proc/kcore", "/dev/core");
        }
        if (devpts) plan.add(Op.SYMLINK, "pts/ptmx", "/dev/ptmx");
        if (spec.hooks != null && (nonEmpty(spec.hooks.prestart) || nonEmpty(spec.hooks.createRuntime))) {
            plan.add(Op.SYNC, "createRuntime");
        }
        if (spec.hooks != null && (nonEmpty(spec.hooks.createContainer) || nonEmpty(spec.hooks.startContainer))) {
            // Java writes the state (it knows the container's host pid) and the init keeps it open
            // for the hooks it runs itself, inside the container.
            plan.add(Op.SYNC, "hookState");
            plan.add(Op.HOOK_STATE, ctx.stateDir().resolve("hook-state.json"));
        }
        if (spec.hooks != null && nonEmpty(spec.hooks.createContainer)) hooks(spec.hooks.createContainer, "createContainer");
        // The container's process opens it for writing once started, as its own user; only the owner
        // may read it (start). Its group is that process's group on the host, where known.
        long processGid = spec.process.user != null ? spec.process.user.gid : 0;
        long fifoGid = joins.containsKey("user") ? -1 : newUserns ? hostId(gidMap, processGid) : processGid;
        plan.add(Op.OPEN_FIFO, ctx.stateDir().resolve("exec.fifo"), fifoGid);
        boolean terminal = Boolean.TRUE.equals(spec.process.terminal);
        if (terminal && ctx.consoleSocket() != null) plan.add(Op.CONSOLE_SOCKET, ctx.consoleSocket().toAbsolutePath());
        plan.add(mountns ? Op.PIVOT : Op.CHROOT);
        // Sysctls first: readonlyPaths usually makes /proc/sys read-only.
        sysctls(linux, created, joins);
        for (String p : linux.maskedPaths == null ? List.<String>of() : linux.maskedPaths) plan.add(Op.MASK, absolute(p, "linux.maskedPaths"));
        for (String p : linux.readonlyPaths == null ? List.<String>of() : linux.readonlyPaths) plan.add(Op.READONLY, absolute(p, "linux.readonlyPaths"));
        if (spec.hostname != null && !spec.hostname.isEmpty()) plan.add(Op.HOSTNAME, spec.hostname);
        if (spec.domainname != null && !spec.domainname.isEmpty()) plan.add(Op.DOMAINNAME, spec.domainname);
        if (terminal) {
            RuntimeSpec.User u = spec.process.user != null ? spec.process.user : new RuntimeSpec.User();
            RuntimeSpec.Box size = spec.process.consoleSize;
            plan.add(Op.TERMINAL, u.uid, u.gid, size == null ? 0 : size.height, size == null ? 0 : size.width);
        }

        // The process.
        RuntimeSpec.Process p = spec.process;
        String cwd = p.cwd == null || p.cwd.isEmpty() ? "/" : p.cwd;
        if (!cwd.startsWith("/")) throw new ContainerException("process.cwd \"" + cwd + "\" is not an absolute path");
        plan.add(Op.CWD, cwd);
        if (Boolean.TRUE.equals(spec.root.readonly)) plan.add(Op.ROOT_RO);
        process(p, linux.seccomp, true);

        String cgroupPath = cgroupPath(linux);
        List<Cgroups.Setting> settings = CgroupSettings.of(linux.resources, linux.devices, ctx.cgroups());
        return new ContainerPlan(plan, cgroupPath, settings, uidMap, gidMap, spec.hooks, rootfs);
    }

    /**
     * The process steps from the umask to the exec. For a new container the init then reports
     * ready and waits for `oci start`; for `oci exec` it goes straight on.
     */
    private void process(RuntimeSpec.Process p, RuntimeSpec.Seccomp seccompSpec, boolean create) {
        if (!create && p.oomScoreAdj != null) plan.add(Op.OOM_ADJ, p.oomScoreAdj);
        rlimits(p);
        RuntimeSpec.User user = p.user != null ? p.user : new RuntimeSpec.User();
        plan.add(Op.UMASK, user.umask != null ? user.umask : 022);
        List<String> env = p.env == null ? List.of() : p.env;
        String path = env.stream().filter(e -> e.startsWith("PATH=")).map(e -> e.substring(5)).reduce((a, b) -> b).orElse("");
        plan.add(Op.PREPARE_EXEC, path, p.args.getFirst());
        RuntimeSpec.Capabilities caps = p.capabilities != null ? p.capabilities : new RuntimeSpec.Capabilities();
        int last = ctx.lastCap();
        long bounding = Capabilities.mask(caps.bounding, "process.capabilities.bounding", last);
        long effective = Capabilities.mask(caps.effective, "process.capabilities.effective", last);
        long permitted = Capabilities.mask(caps.permitted, "process.capabilities.permitted", last);
        // CVE-2022-29162: the inheritable set is exactly what the config lists, empty by default.
        long inheritable = Capabilities.mask(caps.inheritable, "process.capabilities.inheritable", last);
        long ambient = Capabilities.mask(caps.ambient, "process.capabilities.ambient", last);
        long available = ctx.availableCaps();
        bounding &= available;
        effective &= available;
        permitted &= available;
        inheritable &= available;
        ambient &= available;
        // An ambient capability must be permitted and inheritable (capabilities(7)); runc skips the
        // others the same way.
        ambient &= permitted & inheritable;
        boolean nnp = Boolean.TRUE.equals(p.noNewPrivileges);
        Seccomp.Program seccomp = seccompSpec == null ? null : Seccomp.compile(seccompSpec);
        plan.add(Op.BOUNDING, Long.toUnsignedString(bounding), last);
        if (seccomp != null && !nnp) plan.add(Op.SECCOMP, seccomp.flags(), seccomp.bytes());
        List<Object> userArgs = new ArrayList<>(List.of(user.uid, user.gid));
        if (user.additionalGids != null) userArgs.addAll(user.additionalGids);
        plan.add(Op.USER, userArgs);
        plan.add(Op.CAPS, Long.toUnsignedString(effective), Long.toUnsignedString(permitted), Long.toUnsignedString(inheritable));
        if (ambient != 0) plan.add(Op.AMBIENT, Long.toUnsignedString(ambient), last);
        if (nnp) plan.add(Op.NNP);
        plan.add(Op.READY);
        if (create) {
            plan.add(Op.WAIT_START);
            if (spec.hooks != null && nonEmpty(spec.hooks.startContainer)) hooks(spec.hooks.startContainer, "startContainer");
        } else {
            plan.add(Op.CLOSE_FDS);
        }
        if (seccomp != null && nnp) plan.add(Op.SECCOMP, seccomp.flags(), seccomp.bytes());
        List<Object> exec = new ArrayList<>();
        exec.add(env.size());
        exec.addAll(env);
        exec.addAll(p.args);
        plan.add(Op.EXEC, exec);
    }

    /**
     * The plan of `oci exec`: join every namespace of the container's process {@code pid} (the
     * user namespace first, the mount namespace last, which also enters its root), join its cgroup,
     * then the process steps. {@code spec} is the container's config, {@code p} the new process.
     */
    static InitPlan exec(RuntimeSpec spec, RuntimeSpec.Process p, Context ctx, long pid, Path sock) {
        if (p.args == null || p.args.isEmpty()) throw new ContainerException("exec: no command given");
        RuntimeSpec withProcess = new RuntimeSpec();
        withProcess.process = p;
        PlanBuilder b = new PlanBuilder(withProcess, ctx);
        b.refuseUnimplemented();
        InitPlan plan = b.plan;
        plan.add(Op.CONNECT, sock);
        plan.add(Op.SYNC, "cgroup");
        Set<String> types = new HashSet<>();
        if (spec.linux != null && spec.linux.namespaces != null) spec.linux.namespaces.forEach(n -> types.add(n.type));
        for (var e : NAMESPACES.entrySet()) {
            if (!types.contains(e.getKey())) continue;
            String name = switch (e.getKey()) {
                case "network" -> "net";
                case "mount" -> "mnt";
                default -> e.getKey();
            };
            plan.add(Op.SETNS, e.getValue(), "/proc/" + pid + "/ns/" + name);
            if (e.getKey().equals("user")) plan.add(Op.SETID0);
        }
        plan.add(Op.FORK);
        if (!types.contains("mount")) {
            // No mount namespace to enter the container's root with: its root directory, chrooted.
            plan.add(Op.OPEN_ROOT, "/proc/" + pid + "/root");
            plan.add(Op.CHROOT);
        }
        b.sessionKeyring(types.contains("user"), false);
        if (Boolean.TRUE.equals(p.terminal)) {
            RuntimeSpec.User u = p.user != null ? p.user : new RuntimeSpec.User();
            if (ctx.consoleSocket() != null) plan.add(Op.CONSOLE_SOCKET, ctx.consoleSocket().toAbsolutePath());
            RuntimeSpec.Box size = p.consoleSize;
            plan.add(Op.TERMINAL, u.uid, u.gid, size == null ? 0 : size.height, size == null ? 0 : size.width);
        }
        String cwd = p.cwd == null || p.cwd.isEmpty() ? "/" : p.cwd;
        if (!cwd.startsWith("/")) throw new ContainerException("process.cwd \"" + cwd + "\" is not an absolute path");
        plan.add(Op.CWD, cwd);
        b.process(p, spec.linux == null ? null : spec.linux.seccomp, false);
        return plan;
    }

    private void refuseUnimplemented() {
        RuntimeSpec.Process p = spec.process;
        if (p != null) {
            boolean terminal = Boolean.TRUE.equals(p.terminal);
            if (terminal && ctx.consoleSocket() == null && !ctx.attached()) {
                throw new ContainerException("process.terminal is true: give --console-socket, or use `oci run` without --detach");
            }
            if (!terminal && ctx.consoleSocket() != null) {
                throw new ContainerException("--console-socket is given but process.terminal is false");
            }
            refuse(p.commandLine, "process.commandLine", "it is Windows-only");
            refuse(p.apparmorProfile, "process.apparmorProfile", "AppArmor is not implemented");
            refuse(p.selinuxLabel, "process.selinuxLabel", "SELinux is not implemented");
            refuse(p.scheduler, "process.scheduler", "scheduler settings are not implemented");
            refuse(p.ioPriority, "process.ioPriority", "I/O priority is not implemented");
            refuse(p.execCPUAffinity, "process.execCPUAffinity", "CPU affinity is not implemented");
            if (p.user != null) refuse(p.user.username, "process.user.username", "it is Windows-only");
        }
        RuntimeSpec.Linux l = spec.linux;
        if (l != null) {
            refuse(l.mountLabel, "linux.mountLabel", "SELinux is not implemented");
            refuse(l.personality, "linux.personality", "personality is not implemented");
            refuse(l.intelRdt, "linux.intelRdt", "Intel RDT is not implemented");
            refuse(l.timeOffsets, "linux.timeOffsets", "time namespaces are not implemented");
        }
    }

    private static void refuse(Object value, String field, String why) {
        if (value == null) return;
        if (value instanceof String s && s.isEmpty()) return;
        if (value instanceof Map<?, ?> m && m.isEmpty()) return;
        throw ContainerException.unsupported(field, why);
    }

    /** The host id that {@code id} maps to in MAP ("containerID hostID size" lines, as written to uid_map), or -1. */
    static long hostId(String map, long id) {
        if (map == null) return -1;
        for (String line : map.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length != 3) continue;
            long c = Long.parseLong(f[0]), h = Long.parseLong(f[1]), n = Long.parseLong(f[2]);
            if (id >= c && id - c < n) return h + (id - c);
        }
        return -1;
    }

    private static String idMap(List<RuntimeSpec.IdMapping> maps, String field) {
        if (maps == null) return "";
        StringBuilder sb = new StringBuilder();
        for (RuntimeSpec.IdMapping m : maps) {
            if (m.size <= 0) throw new ContainerException("linux." + field + ": size must be positive");
            sb.append(m.containerID).append(' ').append(m.hostID).append(' ').append(m.size).append('\n');
        }
        return sb.toString();
    }

    private static String destination(RuntimeSpec.Mount m) {
        if (m.destination == null || m.destination.isEmpty()) throw new ContainerException("a mount has no destination");
        if (m.uidMappings != null && !m.uidMappings.isEmpty() || m.gidMappings != null && !m.gidMappings.isEmpty()) {
            throw ContainerException.unsupported("mounts[" + m.destination + "].uidMappings", "id-mapped mounts are not implemented");
        }
        // Relative destinations are taken relative to / as runc does (config.md: SHOULD be absolute).
        String d = Path.of("/").resolve(m.destination).normalize().toString();
        if (d.contains("..")) throw new ContainerException("mount destination \"" + m.destination + "\" leaves the root");
        return d;
    }

    private void mount(RuntimeSpec.Mount m, String dest, boolean cgroupns) {
        MountOptions.Parsed o = MountOptions.parse(m.options, "mounts[" + dest + "]");
        boolean bind = o.bind() || "bind".equals(m.type);
        if (bind) {
            if (m.source == null) throw new ContainerException("bind mount on " + dest + " has no source");
            Path src = ctx.bundle().resolve(m.source).normalize();
            if (!Files.exists(src)) throw new ContainerException("bind mount on " + dest + ": source " + src + " does not exist");
            plan.add(Op.MOUNT, src, dest, "", o.flags() | MS_BIND, o.propagation(), "", Files.isDirectory(src) ? "d" : "f");
            return;
        }
        if (m.type == null || m.type.isEmpty()) throw new ContainerException("mount on " + dest + " has no type");
        if (m.type.equals("cgroup") || m.type.equals("cgroup2")) {
            cgroupMount(dest, o);
            return;
        }
        plan.add(Op.MOUNT, m.source == null ? m.type : m.source, dest, m.type, o.flags(), o.propagation(), o.data(), "d");
    }

    /**
     * cgroup v1 (and hybrid): a tmpfs at the destination, and in it each controller hierarchy's directory of
     * this container bind-mounted (what runc does), read-only when the mount asks.
     */
    private void cgroupMount(String dest, MountOptions.Parsed o) {
        long keep = o.flags() & (MS_NOSUID | MS_NODEV | MS_NOEXEC);
        if (ctx.cgroups().unifiedOnly()) {
            // cgroup v2: the container's own directory of the unified hierarchy, bind-mounted (runc
            // bind-mounts it too when the container has no cgroup namespace of its own).
            String rel = Cgroups.relative(cgroupPath(spec.linux != null ? spec.linux : new RuntimeSpec.Linux()));
            // The init applies ro/nosuid/... by a bind remount after the bind.
            plan.add(Op.MOUNT, ctx.cgroups().containerDir(ctx.cgroups().unifiedRoot(), rel), dest, "", MS_BIND | MS_REC | (o.flags() & ~MS_BIND), 0, "", "d");
            return;
        }
        plan.add(Op.MOUNT, "tmpfs", dest, "tmpfs", keep, o.propagation(), "mode=755", "d");
        String cg = Cgroups.relative(cgroupPath(spec.linux != null ? spec.linux : new RuntimeSpec.Linux()));
        for (Cgroups.Hierarchy h : ctx.cgroups().controllers()) {
            String name = h.mountPoint().getFileName().toString();
            plan.add(Op.MOUNT, ctx.cgroups().containerDir(h.mountPoint(), cg), dest + "/" + name, "", MS_BIND | MS_REC | (o.flags() & ~MS_BIND), 0, "", "d");
            if (name.contains(",")) {
                for (String c : name.split(",")) plan.add(Op.SYMLINK, name, dest + "/" + c);
            }
        }
        if ((o.flags() & MS_RDONLY) != 0) plan.add(Op.REMOUNT, dest, MS_RDONLY | keep);
    }

    private void devices(RuntimeSpec.Linux linux, boolean userns, boolean devTmpfs) {
        Set<String> listed = new HashSet<>();
        List<Object[]> nodes = new ArrayList<>();
        for (RuntimeSpec.Device d : linux.devices == null ? List.<RuntimeSpec.Device>of() : linux.devices) {
            if (d.path == null || !d.path.startsWith("/dev/")) throw new ContainerException("linux.devices path \"" + d.path + "\" is not under /dev");
            char type = d.type == null ? 'c' : d.type.charAt(0);
            if ("cbup".indexOf(type) < 0 || d.type.length() != 1) throw new ContainerException("linux.devices " + d.path + ": unknown type \"" + d.type + "\"");
            if (type == 'u') type = 'c';
            if (type != 'p' && (d.major == null || d.minor == null)) throw new ContainerException("linux.devices " + d.path + ": major and minor are required");
            listed.add(d.path);
            nodes.add(new Object[] {d.path, type, d.major == null ? 0 : d.major, d.minor == null ? 0 : d.minor,
                    d.fileMode == null ? 0666 : d.fileMode, d.uid == null ? 0 : d.uid, d.gid == null ? 0 : d.gid});
        }
        if (devTmpfs) {
            for (Dev d : DEFAULT_DEVICES) {
                if (!listed.contains(d.path())) nodes.add(new Object[] {d.path(), d.type(), d.major(), d.minor(), 0666, 0, 0});
            }
        }
        for (Object[] n : nodes) {
            // In a user namespace mknod is not allowed: bind the host's node instead (as runc does).
            if (userns) plan.add(Op.BIND_DEV, n[0], n[0]);
            else plan.add(Op.MKNOD, n);
        }
    }

    private void sysctls(RuntimeSpec.Linux linux, Set<String> created, Map<String, String> joins) {
        if (linux.sysctl == null) return;
        for (var e : linux.sysctl.entrySet()) {
            String k = e.getKey();
            boolean ok = SysctlIpc.PATTERN.matcher(k).matches() && (created.contains("ipc") || joins.containsKey("ipc"))
                    || k.startsWith("net.") && (created.contains("network") || joins.containsKey("network"))
                    || (k.equals("kernel.hostname") || k.equals("kernel.domainname")) && (created.contains("uts") || joins.containsKey("uts"));
            if (!ok || k.contains("/") || k.contains("..")) {
                throw new ContainerException("linux.sysctl \"" + k + "\" is not namespaced by this container (or not allowed)");
            }
            plan.add(Op.SYSCTL, "/proc/sys/" + k.replace('.', '/'), e.getValue());
        }
    }

    private void rlimits(RuntimeSpec.Process p) {
        Set<String> seen = new HashSet<>();
        for (RuntimeSpec.Rlimit r : p.rlimits == null ? List.<RuntimeSpec.Rlimit>of() : p.rlimits) {
            int res = RLIMITS.indexOf(r.type);
            if (res < 0) throw new ContainerException("process.rlimits: unknown type \"" + r.type + "\"");
            if (!seen.add(r.type)) throw new ContainerException("process.rlimits lists " + r.type + " twice");
            if (Long.compareUnsigned(r.soft, r.hard) > 0) throw new ContainerException("process.rlimits " + r.type + ": soft limit above hard limit");
            plan.add(Op.RLIMIT, res, Long.toUnsignedString(r.soft), Long.toUnsignedString(r.hard));
        }
    }

    private void hooks(List<RuntimeSpec.Hook> hooks, String phase) {
        for (RuntimeSpec.Hook h : hooks) {
            Hooks.check(h, phase);
            List<Object> a = new ArrayList<>();
            a.add(h.timeout == null ? 0 : h.timeout);
            a.add(h.path);
            List<String> env = h.env == null ? List.of() : h.env;
            a.add(env.size());
            a.addAll(env);
            if (h.args != null) a.addAll(h.args);
            plan.add(Op.RUN_HOOK, a);
        }
    }

    String cgroupPath(RuntimeSpec.Linux linux) {
        String p = linux.cgroupsPath;
        if (p == null || p.isEmpty()) return "/oci/" + ctx.id();
        if (p.contains(":")) throw ContainerException.unsupported("linux.cgroupsPath \"" + p + "\"", "systemd slice:prefix:name paths are not implemented");
        String n = Path.of("/").resolve(p).normalize().toString();
        if (n.equals("/") || n.contains("..")) throw new ContainerException("linux.cgroupsPath \"" + p + "\" is not a cgroup of its own");
        return n;
    }

    static long propagation(String value) {
        Long v = MountOptions.PROPAGATION.get(value);
        if (v == null) throw new ContainerException("linux.rootfsPropagation \"" + value + "\" is not a propagation type");
        return v;
    }

    private static String absolute(String p, String field) {
        if (p == null || !p.startsWith("/")) throw new ContainerException(field + " entry \"" + p + "\" is not absolute");
        return p;
    }

    private static boolean nonEmpty(List<?> l) {
        return l != null && !l.isEmpty();
    }

    private static Map<String, Long> linked(Object... kv) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], ((Number) kv[i + 1]).longValue());
        return m;
    }

    static String requireNonNull(String s, String what) {
        return Objects.requireNonNull(s, what);
    }
}
