package oci.bundle;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Resolves an image's {@code User} (or {@code --user}) against the rootfs's /etc/passwd and
 * /etc/group, per image-spec conversion.md "Config.User": {@code user}, {@code uid},
 * {@code user:group}, {@code uid:gid}, {@code uid:group}, {@code user:gid}. Numeric parts are
 * taken verbatim; names must exist. Supplementary groups come from /etc/group only for a user
 * given by name without a group, as the spec says.
 */
public final class Users {
    private Users() {}

    /** What process.user becomes. {@code home} is the passwd entry's home directory, or null. */
    public record Resolved(long uid, long gid, List<Long> additionalGids, String home) {}

    record PasswdEntry(String name, long uid, long gid, String home) {}

    record GroupEntry(String name, long gid, List<String> members) {}

    /** Resolves {@code user} in {@code rootfs}; an empty or null user is root (uid 0, gid 0). */
    public static Resolved resolve(Path rootfs, String user) {
        String spec = user == null ? "" : user.trim();
        if (spec.isEmpty()) spec = "0";
        int colon = spec.indexOf(':');
        String u = colon < 0 ? spec : spec.substring(0, colon);
        String g = colon < 0 ? null : spec.substring(colon + 1);
        if (u.isEmpty()) throw new BundleException("user \"" + user + "\": the user part is empty (forms: name, uid, name:group, uid:gid)");
        if (g != null && g.isEmpty()) throw new BundleException("user \"" + user + "\": the group part is empty (forms: name, uid, name:group, uid:gid)");

        long uid;
        long gid = 0;
        String home = null;
        String userName = null;
        if (isNumber(u)) {
            uid = number(u, user);
            // a numeric uid is taken verbatim; its passwd entry, if any, gives the default gid and home
            PasswdEntry e = passwdByUid(rootfs, uid);
            if (e != null) {
                gid = e.gid;
                home = e.home;
            }
        } else {
            PasswdEntry e = passwdByName(rootfs, u, user);
            uid = e.uid;
            gid = e.gid;
            home = e.home;
            userName = e.name;
        }
        List<Long> extra = List.of();
        if (g != null) {
            gid = isNumber(g) ? number(g, user) : groupByName(rootfs, g, user).gid;
        } else if (userName != null) {
            extra = supplementary(rootfs, userName, gid);
        }
        return new Resolved(uid, gid, extra, home);
    }

    private static boolean isNumber(String s) {
        return !s.isEmpty() && s.chars().allMatch(Character::isDigit);
    }

    private static long number(String s, String user) {
        try {
            long v = Long.parseLong(s);
            if (v <= 0xFFFF_FFFFL) return v;
        } catch (NumberFormatException tooLong) {
            // fall through
        }
        throw new BundleException("user \"" + user + "\": " + s + " is not a valid id (0 to 4294967295)");
    }

    private static PasswdEntry passwdByName(Path rootfs, String name, String user) {
        List<String> lines = read(rootfs, "/etc/passwd");
        if (lines == null) throw new BundleException("user \"" + user + "\": the image has no /etc/passwd to look up \"" + name + "\" in");
        for (String l : lines) {
            PasswdEntry e = parsePasswd(l);
            if (e != null && e.name.equals(name)) return e;
        }
        throw new BundleException("user \"" + user + "\": no user \"" + name + "\" in the image's /etc/passwd");
    }

    private static PasswdEntry passwdByUid(Path rootfs, long uid) {
        List<String> lines = read(rootfs, "/etc/passwd");
        if (lines == null) return null;
        for (String l : lines) {
            PasswdEntry e = parsePasswd(l);
            if (e != null && e.uid == uid) return e;
        }
        return null;
    }

    private static GroupEntry groupByName(Path rootfs, String name, String user) {
        List<String> lines = read(rootfs, "/etc/group");
        if (lines == null) throw new BundleException("user \"" + user + "\": the image has no /etc/group to look up \"" + name + "\" in");
        for (String l : lines) {
            GroupEntry e = parseGroup(l);
            if (e != null && e.name.equals(name)) return e;
        }
        throw new BundleException("user \"" + user + "\": no group \"" + name + "\" in the image's /etc/group");
    }

    /** Groups listing {@code name} as a member, in file order, without the primary gid. */
    private static List<Long> supplementary(Path rootfs, String name, long primary) {
        List<String> lines = read(rootfs, "/etc/group");
        if (lines == null) return List.of();
        Set<Long> gids = new LinkedHashSet<>();
        for (String l : lines) {
            GroupEntry e = parseGroup(l);
            if (e != null && e.gid != primary && e.members.contains(name)) gids.add(e.gid);
        }
        return new ArrayList<>(gids);
    }

    /** {@code name:password:uid:gid:gecos:home:shell}; malformed lines are skipped, as libc does. */
    static PasswdEntry parsePasswd(String line) {
        if (line.isBlank() || line.startsWith("#")) return null;
        String[] f = line.split(":", -1);
        if (f.length < 4 || !isNumber(f[2]) || !isNumber(f[3]) || f[2].length() > 10 || f[3].length() > 10) return null;
        return new PasswdEntry(f[0], Long.parseLong(f[2]), Long.parseLong(f[3]), f.length > 5 && !f[5].isEmpty() ? f[5] : null);
    }

    /** {@code name:password:gid:member,member}. */
    static GroupEntry parseGroup(String line) {
        if (line.isBlank() || line.startsWith("#")) return null;
        String[] f = line.split(":", -1);
        if (f.length < 3 || !isNumber(f[2]) || f[2].length() > 10) return null;
        List<String> members = new ArrayList<>();
        if (f.length > 3) for (String m : f[3].split(",")) if (!m.isBlank()) members.add(m.trim());
        return new GroupEntry(f[0], Long.parseLong(f[2]), members);
    }

    /** The file's lines, or null when the image does not have it. Read inside the rootfs only. */
    private static List<String> read(Path rootfs, String inside) {
        try {
            Path p = RootfsPaths.resolve(rootfs, inside);
            if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) return null;
            if (Files.size(p) > 16L << 20) throw new BundleException("read " + inside + " in the image: larger than 16 MiB");
            return new String(Files.readAllBytes(p), StandardCharsets.UTF_8).lines().toList();
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new BundleException("read " + inside + " in the image: " + e.getMessage());
        }
    }
}
