package oci.runtime;

import java.util.List;

/** Capability names (capabilities(7)) to bit numbers, and name lists to masks. */
final class Capabilities {
    private Capabilities() {}

    static final List<String> NAMES = List.of(
            "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
            "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
            "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE",
            "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT",
            "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
            "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN",
            "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
            "CAP_CHECKPOINT_RESTORE");

    /**
     * The mask of {@code names}. A name this table does not know is refused; a capability the
     * running kernel does not know (above {@code lastCap}) is left out, as runc does.
     */
    static long mask(List<String> names, String field, int lastCap) {
        long m = 0;
        for (String n : names == null ? List.<String>of() : names) {
            int bit = NAMES.indexOf(n.toUpperCase(java.util.Locale.ROOT).startsWith("CAP_") ? n.toUpperCase(java.util.Locale.ROOT) : "CAP_" + n.toUpperCase(java.util.Locale.ROOT));
            if (bit < 0) throw new ContainerException("unknown capability \"" + n + "\" in " + field);
            if (bit <= lastCap) m |= 1L << bit;
        }
        return m;
    }

    /**
     * The capabilities this process may hand on: its bounding set (CapBnd in /proc/self/status).
     * Inside a restricted sandbox some are missing; asking capset(2) for them fails with EPERM, so
     * they are left out (as docker's --privileged does), and the container gets what exists.
     */
    static long available() {
        try {
            for (String l : Cgroups.readVirtual(java.nio.file.Path.of("/proc/self/status")).split("\n")) {
                if (l.startsWith("CapBnd:")) return Long.parseUnsignedLong(l.substring(7).trim(), 16);
            }
        } catch (java.io.IOException | NumberFormatException e) {
            // fall through: assume everything
        }
        return -1L;
    }

    /** The highest capability the running kernel knows (/proc/sys/kernel/cap_last_cap). */
    static int lastCap() {
        try {
            return Integer.parseInt(Cgroups.readVirtual(java.nio.file.Path.of("/proc/sys/kernel/cap_last_cap")));
        } catch (java.io.IOException | NumberFormatException e) {
            return NAMES.size() - 1;
        }
    }
}
