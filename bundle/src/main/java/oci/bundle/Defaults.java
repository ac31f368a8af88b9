package oci.bundle;

import java.util.ArrayList;
import java.util.List;
import oci.bundle.spec.RuntimeSpec;
import oci.bundle.spec.RuntimeSpec.Mount;
import oci.bundle.spec.RuntimeSpec.Namespace;

/**
 * The default config that {@code runc spec} (and {@code runc spec --rootless}) writes; {@code oci
 * spec} writes it and {@code oci bundle} starts from it. Kept field for field equal to Debian's runc
 * 1.1 output, except {@code ociVersion}, which names the spec version this model follows.
 */
public final class Defaults {
    private Defaults() {}

    public static final String PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /** Paths over which the runtime binds /dev/null (files) or an empty read-only tmpfs (directories). */
    public static final List<String> MASKED_PATHS = List.of("/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
            "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
            "/proc/scsi");

    public static final List<String> READONLY_PATHS = List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
            "/proc/sysrq-trigger");

    /**
     * {@code runc spec}'s config; with {@code rootless}, {@code runc spec --rootless}'s: a user
     * namespace mapping container root to {@code uid}/{@code gid}, no network namespace, /sys bound
     * from the host, no devpts gid option and no cgroup resources.
     */
    public static RuntimeSpec runcSpec(boolean rootless, long uid, long gid) {
        RuntimeSpec s = new RuntimeSpec();
        s.ociVersion = RuntimeSpec.VERSION;
        RuntimeSpec.Process p = new RuntimeSpec.Process();
        p.terminal = true;
        p.user = new RuntimeSpec.User();
        p.args = new ArrayList<>(List.of("sh"));
        p.env = new ArrayList<>(List.of(PATH, "TERM=xterm"));
        p.cwd = "/";
        p.capabilities = new RuntimeSpec.Capabilities();
        p.capabilities.bounding = new ArrayList<>(Capabilities.RUNC_SPEC);
        p.capabilities.effective = new ArrayList<>(Capabilities.RUNC_SPEC);
        p.capabilities.permitted = new ArrayList<>(Capabilities.RUNC_SPEC);
        p.capabilities.ambient = new ArrayList<>(Capabilities.RUNC_SPEC);
        p.rlimits = new ArrayList<>(List.of(new RuntimeSpec.Rlimit("RLIMIT_NOFILE", 1024, 1024)));
        p.noNewPrivileges = true;
        s.process = p;
        s.root = new RuntimeSpec.Root();
        s.root.path = "rootfs";
        s.root.readonly = true;
        s.hostname = "runc";
        s.mounts = standardMounts(rootless);
        RuntimeSpec.Linux l = new RuntimeSpec.Linux();
        if (rootless) {
            l.uidMappings = new ArrayList<>(List.of(new RuntimeSpec.IdMapping(0, uid, 1)));
            l.gidMappings = new ArrayList<>(List.of(new RuntimeSpec.IdMapping(0, gid, 1)));
        } else {
            l.resources = new RuntimeSpec.Resources();
            l.resources.devices = new ArrayList<>(List.of(new RuntimeSpec.DeviceCgroup(false, null, null, null, "rwm")));
        }
        l.namespaces = new ArrayList<>();
        for (String ns : rootless ? List.of("pid", "ipc", "uts", "mount", "user") : List.of("pid", "network", "ipc", "uts", "mount")) {
            l.namespaces.add(new Namespace(ns, null));
        }
        l.maskedPaths = new ArrayList<>(MASKED_PATHS);
        l.readonlyPaths = new ArrayList<>(READONLY_PATHS);
        s.linux = l;
        return s;
    }

    static List<Mount> standardMounts(boolean rootless) {
        List<Mount> m = new ArrayList<>();
        m.add(new Mount("/proc", "proc", "proc", null));
        m.add(new Mount("/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k")));
        // gid=5 (tty) cannot be set without a mapping for it, so the rootless config leaves it out
        m.add(new Mount("/dev/pts", "devpts", "devpts", rootless
                ? List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620")
                : List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5")));
        m.add(new Mount("/dev/shm", "tmpfs", "shm", List.of("nosuid", "noexec", "nodev", "mode=1777", "size=65536k")));
        m.add(new Mount("/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev")));
        // an unprivileged user namespace may not mount sysfs without its own network namespace: bind the host's
        m.add(rootless
                ? new Mount("/sys", "none", "/sys", List.of("rbind", "nosuid", "noexec", "nodev", "ro"))
                : new Mount("/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", "ro")));
        m.add(new Mount("/sys/fs/cgroup", "cgroup", "cgroup", List.of("nosuid", "noexec", "nodev", "relatime", "ro")));
        return m;
    }
}
