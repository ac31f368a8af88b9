package oci.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Mount option strings to mount(2) flags, as a table (runtime-spec config.md "Mounts": options
 * are those of mount(8); filesystem-specific ones go to the data argument). Kept as one map so a
 * test can check every row.
 */
final class MountOptions {
    private MountOptions() {}

    static final long MS_RDONLY = 1, MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8, MS_SYNCHRONOUS = 16,
            MS_REMOUNT = 32, MS_MANDLOCK = 64, MS_DIRSYNC = 128, MS_NOSYMFOLLOW = 256, MS_NOATIME = 1024,
            MS_NODIRATIME = 2048, MS_BIND = 4096, MS_MOVE = 8192, MS_REC = 16384, MS_SILENT = 32768,
            MS_UNBINDABLE = 1 << 17, MS_PRIVATE = 1 << 18, MS_SLAVE = 1 << 19, MS_SHARED = 1 << 20,
            MS_RELATIME = 1 << 21, MS_STRICTATIME = 1 << 24, MS_LAZYTIME = 1 << 25;

    /** An option: set these flags (clear=false) or clear them (clear=true). */
    record Flag(long bits, boolean clear) {}

    static final Map<String, Flag> FLAGS = Map.ofEntries(
            Map.entry("defaults", new Flag(0, false)),
            Map.entry("ro", new Flag(MS_RDONLY, false)), Map.entry("rw", new Flag(MS_RDONLY, true)),
            Map.entry("nosuid", new Flag(MS_NOSUID, false)), Map.entry("suid", new Flag(MS_NOSUID, true)),
            Map.entry("nodev", new Flag(MS_NODEV, false)), Map.entry("dev", new Flag(MS_NODEV, true)),
            Map.entry("noexec", new Flag(MS_NOEXEC, false)), Map.entry("exec", new Flag(MS_NOEXEC, true)),
            Map.entry("sync", new Flag(MS_SYNCHRONOUS, false)), Map.entry("async", new Flag(MS_SYNCHRONOUS, true)),
            Map.entry("dirsync", new Flag(MS_DIRSYNC, false)),
            Map.entry("remount", new Flag(MS_REMOUNT, false)),
            Map.entry("mand", new Flag(MS_MANDLOCK, false)), Map.entry("nomand", new Flag(MS_MANDLOCK, true)),
            Map.entry("noatime", new Flag(MS_NOATIME, false)), Map.entry("atime", new Flag(MS_NOATIME, true)),
            Map.entry("nodiratime", new Flag(MS_NODIRATIME, false)), Map.entry("diratime", new Flag(MS_NODIRATIME, true)),
            Map.entry("relatime", new Flag(MS_RELATIME, false)), Map.entry("norelatime", new Flag(MS_RELATIME, true)),
            Map.entry("strictatime", new Flag(MS_STRICTATIME, false)), Map.entry("nostrictatime", new Flag(MS_STRICTATIME, true)),
            Map.entry("lazytime", new Flag(MS_LAZYTIME, false)), Map.entry("nolazytime", new Flag(MS_LAZYTIME, true)),
            Map.entry("nosymfollow", new Flag(MS_NOSYMFOLLOW, false)), Map.entry("symfollow", new Flag(MS_NOSYMFOLLOW, true)),
            Map.entry("silent", new Flag(MS_SILENT, false)), Map.entry("loud", new Flag(MS_SILENT, true)),
            Map.entry("bind", new Flag(MS_BIND, false)), Map.entry("rbind", new Flag(MS_BIND | MS_REC, false)));

    /** Propagation options: applied by a separate mount(2) call after the mount exists. */
    static final Map<String, Long> PROPAGATION = Map.of(
            "private", MS_PRIVATE, "rprivate", MS_PRIVATE | MS_REC,
            "shared", MS_SHARED, "rshared", MS_SHARED | MS_REC,
            "slave", MS_SLAVE, "rslave", MS_SLAVE | MS_REC,
            "unbindable", MS_UNBINDABLE, "runbindable", MS_UNBINDABLE | MS_REC);

    /** Options we know but do not implement: refused rather than mounted differently than asked. */
    static final Map<String, String> REFUSED = Map.of(
            "tmpcopyup", "copying the destination's content into the tmpfs is not implemented",
            "idmap", "id-mapped mounts are not implemented", "ridmap", "id-mapped mounts are not implemented",
            "rro", "recursive read-only is not implemented", "rrw", "recursive read-only is not implemented");

    /** The flags, propagation flags and data string of one mount's options. */
    record Parsed(long flags, long propagation, String data) {
        boolean bind() {
            return (flags & MS_BIND) != 0;
        }
    }

    static Parsed parse(List<String> options, String where) {
        long flags = 0, prop = 0;
        List<String> data = new ArrayList<>();
        for (String o : options == null ? List.<String>of() : options) {
            Flag f = FLAGS.get(o);
            if (f != null) {
                flags = f.clear() ? flags & ~f.bits() : flags | f.bits();
            } else if (PROPAGATION.containsKey(o)) {
                prop |= PROPAGATION.get(o);
            } else if (REFUSED.containsKey(o)) {
                throw ContainerException.unsupported(where + " option \"" + o + "\"", REFUSED.get(o));
            } else {
                data.add(o);
            }
        }
        return new Parsed(flags, prop, String.join(",", data));
    }
}
