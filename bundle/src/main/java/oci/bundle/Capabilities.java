package oci.bundle;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Linux capability names (capability.h, up to CAP_CHECKPOINT_RESTORE = 40) and the sets a bundle starts from. */
public final class Capabilities {
    private Capabilities() {}

    /** Every capability, in number order. */
    public static final List<String> ALL = List.of(
            "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
            "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
            "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE",
            "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT",
            "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
            "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
            "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
            "CAP_CHECKPOINT_RESTORE");

    /** What {@code runc spec} grants. */
    public static final List<String> RUNC_SPEC = List.of("CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE");

    /**
     * What {@code docker run} grants by default: enough for package managers and daemons that drop
     * privileges (chown, setuid, bind low ports), nothing that reaches the host's kernel state.
     */
    public static final List<String> CONTAINER_DEFAULT = List.of(
            "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
            "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL",
            "CAP_AUDIT_WRITE");

    /**
     * The capabilities this process could pass on: its bounding set (/proc/self/status CapBnd),
     * limited to what the kernel knows (/proc/sys/kernel/cap_last_cap); all of them if unreadable.
     */
    public static List<String> grantable() {
        try {
            long bnd = -1;
            for (String l : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (l.startsWith("CapBnd:")) bnd = Long.parseUnsignedLong(l.substring(7).trim(), 16);
            }
            // read by lines: Files.readString trusts the size procfs reports and may stop early
            int last = Integer.parseInt(java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/sys/kernel/cap_last_cap")).getFirst().trim());
            List<String> out = new ArrayList<>();
            for (int i = 0; i < ALL.size() && i <= last; i++) if ((bnd & (1L << i)) != 0) out.add(ALL.get(i));
            return List.copyOf(out);
        } catch (java.io.IOException | RuntimeException unreadable) {
            return ALL;
        }
    }

    public static boolean isKnown(String name) {
        return ALL.contains(name);
    }

    /** {@code net_admin}, {@code NET_ADMIN}, {@code CAP_NET_ADMIN} → {@code CAP_NET_ADMIN}; unknown names refused. */
    public static String canonical(String name) {
        String n = name.trim().toUpperCase(Locale.ROOT);
        if (!n.startsWith("CAP_")) n = "CAP_" + n;
        if (!isKnown(n)) throw new BundleException("unknown capability \"" + name + "\" (names look like CAP_NET_ADMIN or net_admin)");
        return n;
    }

    /**
     * Applies {@code --cap-add}/{@code --cap-drop} to {@code base} the way docker does: drop ALL
     * empties the set first, add ALL fills it, then the named ones are added and removed.
     */
    public static List<String> apply(List<String> base, List<String> add, List<String> drop) {
        return apply(base, add, drop, ALL);
    }

    /** As {@link #apply(List, List, List)}, with ALL meaning {@code all} (what the host can grant). */
    public static List<String> apply(List<String> base, List<String> add, List<String> drop, List<String> all) {
        boolean addAll = add.stream().anyMatch(s -> s.equalsIgnoreCase("ALL"));
        boolean dropAll = drop.stream().anyMatch(s -> s.equalsIgnoreCase("ALL"));
        Set<String> caps = new LinkedHashSet<>(dropAll ? List.of() : base);
        if (addAll) caps.addAll(all);
        for (String a : add) if (!a.equalsIgnoreCase("ALL")) caps.add(canonical(a));
        for (String d : drop) if (!d.equalsIgnoreCase("ALL")) caps.remove(canonical(d));
        // number order, so the same options always give the same file
        List<String> out = new ArrayList<>();
        for (String c : ALL) if (caps.contains(c)) out.add(c);
        return out;
    }
}
