package oci.unpack;

import static oci.linux.FileCalls.AT_SYMLINK_NOFOLLOW;
import static oci.linux.FileCalls.O_CLOEXEC;
import static oci.linux.FileCalls.O_CREAT;
import static oci.linux.FileCalls.O_DIRECTORY;
import static oci.linux.FileCalls.O_EXCL;
import static oci.linux.FileCalls.O_NOFOLLOW;
import static oci.linux.FileCalls.O_PATH;
import static oci.linux.FileCalls.O_RDONLY;
import static oci.linux.FileCalls.O_WRONLY;
import static oci.linux.FileCalls.RESOLVE_IN_ROOT;
import static oci.linux.FileCalls.RESOLVE_NO_MAGICLINKS;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import oci.linux.Errno;
import oci.linux.ErrnoException;
import oci.linux.FileCalls;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Applies tar layers, one after the other, to a root directory it holds open.
 *
 * <p>Every name is resolved as if the root were {@code /}: the parent directory of an entry is
 * opened with openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS), so {@code ..}, absolute names and
 * symlinks (from the image or planted by an earlier entry) all stay inside; the last component is
 * then created, replaced or changed relative to that directory fd with calls that never follow it
 * (O_NOFOLLOW, AT_SYMLINK_NOFOLLOW, no chmod on symlinks).
 *
 * <p>Names are bytes, as the layer has them ({@link TarReader}): every name here is a string of
 * bytes for {@link FileCalls#rawNames()}, and {@link FileCalls#shown} turns one into text for a message.
 *
 * @see <a href="https://github.com/opencontainers/image-spec/blob/main/layer.md#applying-changesets">layer.md, Applying changesets</a>
 */
final class Applier implements Closeable {
    private static final long RESOLVE = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    private static final String WH = ".wh.";
    private static final String OPAQUE = ".wh..wh..opq";
    private static final int BUF = 1 << 20;
    /** The xattr umoci records the image's owner in when it cannot chown (rootlesscontainers.proto). */
    static final String ROOTLESS_XATTR = "user.rootlesscontainers";

    private final FileCalls fs;
    private final int rootFd;
    private final UnpackOptions options;
    private final boolean rootless;
    private final byte[] heapBuf = new byte[BUF];
    /** By directory path ("" is the root): {mtime seconds, nanoseconds, mode to set at the end or -1}. */
    private final TreeMap<String, long[]> dirTimes = new TreeMap<>();

    private Set<String> layerPaths = new HashSet<>();
    /** Applying one layer through an overlay mount of the layers below (Snapshots): refuse what overlay cannot show exactly. */
    private boolean overOverlay;
    /** The entry being applied, and whether its name was not made earlier in this layer (so may be a lower layer's). */
    private String currentPath;
    private boolean currentFromLower;
    private String cachedParent;
    private int cachedParentFd = -1;
    private long entries, bytes;
    private int devicesSkipped, xattrsSkipped;

    Applier(int rootFd, UnpackOptions options, boolean rootless) {
        this.fs = FileCalls.rawNames();
        this.rootFd = rootFd;
        this.options = options;
        this.rootless = rootless;
    }

    long entries() {
        return entries;
    }

    long bytes() {
        return bytes;
    }

    int devicesSkipped() {
        return devicesSkipped;
    }

    int xattrsSkipped() {
        return xattrsSkipped;
    }

    /**
     * The layer is applied through an overlay mount of the layers below it. Two things a full unpack
     * does cannot be shown by overlay: a new name for a lower file that already has several (the
     * copy-up splits the inode) and removing one name of a lower file that has several (the lower
     * inode keeps its count). Both end the apply with {@link Snapshots.NotLayerable}.
     */
    void overOverlay() {
        overOverlay = true;
    }

    /** The directories this applier was given entries for (their metadata is the layer's own). */
    Set<String> namedDirs() {
        return dirTimes.keySet();
    }

    /** Starts a new layer: whiteouts of the next entries hide only what earlier layers made. */
    void startLayer() {
        layerPaths = new HashSet<>();
        dropParentCache();
    }

    /** Applies one entry; {@code data} is positioned at its content. */
    void apply(TarArchiveEntry e, InputStream data, TarReader.Pax pax) throws IOException {
        entries++;
        Map<String, byte[]> xattrs = pax.xattrs();
        if (pax.mtime() != null) e.setLastModifiedTime(FileTime.from(pax.mtime()));
        if (pax.atime() != null) e.setLastAccessTime(FileTime.from(pax.atime()));
        if (e.getName().indexOf('\0') >= 0 || e.getLinkName().indexOf('\0') >= 0) {
            throw new UnpackException("the name or link target contains a NUL byte");
        }
        String path = clean(e.getName());
        if (path.isEmpty()) {
            if (!e.isDirectory()) throw new UnpackException("entry names the root directory but is not a directory");
            setDirMetadata(rootFd, "", e, xattrs, true);
            return;
        }
        int slash = path.lastIndexOf('/');
        String parent = slash < 0 ? "" : path.substring(0, slash);
        String base = path.substring(slash + 1);
        for (String c : parent.split("/")) {
            if (c.startsWith(".wh..wh.")) return; // inside AUFS metadata (.wh..wh.plnk...): not content
            if (c.startsWith(WH)) throw new UnpackException("a whiteout name is used as a directory");
        }
        if (base.startsWith(WH)) {
            if (base.equals(OPAQUE)) {
                opaque(parent);
            } else if (!base.startsWith(".wh..wh.")) {
                String hidden = base.substring(WH.length());
                if (hidden.isEmpty() || hidden.equals(".") || hidden.equals("..")) {
                    throw new UnpackException("invalid whiteout name \"" + FileCalls.shown(base) + "\"");
                }
                whiteout(parent, hidden);
            }
            return;
        }
        currentPath = path;
        currentFromLower = !layerPaths.contains(path);
        addToLayer(path);
        int pfd = parentFd(parent);
        byte type = e.getLinkFlag();
        if (e.isDirectory()) {
            makeDir(pfd, base, path, e, xattrs);
        } else if (type == TarConstants.LF_SYMLINK) {
            createWithReplace(pfd, base, path, () -> fs.symlinkat(e.getLinkName(), pfd, base));
            setMetadataByName(pfd, base, e, xattrs, true);
        } else if (type == TarConstants.LF_LINK) {
            hardlink(pfd, base, path, e);
        } else if (type == TarConstants.LF_CHR || type == TarConstants.LF_BLK) {
            if (rootless) {
                devicesSkipped++;
                layerPaths.remove(path);
                return;
            }
            int kind = type == TarConstants.LF_CHR ? FileCalls.S_IFCHR : FileCalls.S_IFBLK;
            long dev = FileCalls.makedev(e.getDevMajor(), e.getDevMinor());
            createWithReplace(pfd, base, path, () -> fs.mknodat(pfd, base, kind | (e.getMode() & 0777), dev));
            setMetadataByName(pfd, base, e, xattrs, false);
        } else if (type == TarConstants.LF_FIFO) {
            createWithReplace(pfd, base, path, () -> fs.mknodat(pfd, base, FileCalls.S_IFIFO | (e.getMode() & 0777), 0));
            setMetadataByName(pfd, base, e, xattrs, false);
        } else if (type == TarConstants.LF_NORMAL || type == TarConstants.LF_OLDNORM || type == TarConstants.LF_CONTIG
                || type == TarConstants.LF_GNUTYPE_SPARSE) {
            writeFile(pfd, base, path, e, data, xattrs);
        } else {
            throw new UnpackException("unsupported entry type '" + (char) type + "'");
        }
    }

    /**
     * Records that this layer has {@code path}, and so its parent directories (named or not): a
     * whiteout later in the layer must not hide them.
     */
    private void addToLayer(String path) {
        String p = path;
        while (layerPaths.add(p)) {
            int slash = p.lastIndexOf('/');
            if (slash < 0) return;
            p = p.substring(0, slash);
        }
    }

    // --- paths ---

    /** The entry name as a path below the root: no leading slash, no "." or "..", ".." stopping at the root. */
    static String clean(String name) {
        List<String> out = new ArrayList<>();
        for (String c : name.split("/")) {
            if (c.isEmpty() || c.equals(".")) continue;
            if (c.equals("..")) {
                if (!out.isEmpty()) out.removeLast();
                continue;
            }
            out.add(c);
        }
        return String.join("/", out);
    }

    /** An fd of directory {@code parent} resolved inside the root, created (0755, root-owned) when missing. */
    private int parentFd(String parent) throws IOException {
        if (parent.isEmpty()) return rootFd;
        if (parent.equals(cachedParent)) return cachedParentFd;
        dropParentCache();
        int fd;
        try {
            fd = openDir(parent);
        } catch (ErrnoException ex) {
            if (ex.errno() != Errno.ENOENT) throw new UnpackException("open parent directory \"" + FileCalls.shown(parent) + "\": " + ex.getMessage(), ex);
            fd = mkdirs(parent);
        }
        cachedParent = parent;
        cachedParentFd = fd;
        return fd;
    }

    private int openDir(String path) throws ErrnoException {
        return fs.openat2(rootFd, path, O_PATH | O_DIRECTORY | O_CLOEXEC, 0, RESOLVE);
    }

    /**
     * Creates the missing directories of {@code path}, each resolved inside the root. A symlink on
     * the way whose target does not exist yet is followed inside the root and its target created,
     * as Docker and umoci do ({@code var/run -> /run}, then {@code var/run/x}).
     */
    private int mkdirs(String path) throws IOException {
        for (int hops = 0; hops < 40; hops++) {
            String[] parts = path.split("/");
            int fd = rootFd;
            StringBuilder prefix = new StringBuilder();
            String rewritten = null;
            for (int i = 0; i < parts.length && rewritten == null; i++) {
                String part = parts[i];
                if (prefix.length() > 0) prefix.append('/');
                prefix.append(part);
                int next = -1;
                try {
                    next = openDir(prefix.toString());
                } catch (ErrnoException ex) {
                    if (ex.errno() != Errno.ENOENT) throw new UnpackException("open directory \"" + FileCalls.shown(prefix.toString()) + "\": " + ex.getMessage(), ex);
                    try {
                        fs.mkdirat(fd, part, 0755);
                        next = openDir(prefix.toString());
                    } catch (ErrnoException mk) {
                        if (mk.errno() != Errno.EEXIST) throw new UnpackException("create directory \"" + FileCalls.shown(prefix.toString()) + "\": " + mk.getMessage(), mk);
                        // a symlink whose target is missing: continue at its target, inside the root
                        String target = fs.readlinkat(fd, part);
                        String rest = String.join("/", java.util.Arrays.asList(parts).subList(i + 1, parts.length));
                        rewritten = clean((target.startsWith("/") ? "" : pathInRoot(fd) + "/") + target + "/" + rest);
                    }
                }
                if (fd != rootFd) fs.close(fd);
                fd = next;
            }
            if (rewritten == null) return fd;
            if (rewritten.isEmpty()) return openDir(".");
            path = rewritten;
        }
        throw new UnpackException("create directory \"" + FileCalls.shown(path) + "\": too many levels of symlinks");
    }

    /** Where directory fd {@code fd} really is below the root (its parent chain may have run through symlinks). */
    private String pathInRoot(int fd) throws IOException {
        if (fd == rootFd) return "";
        String root = fs.readlinkat(FileCalls.AT_FDCWD, "/proc/self/fd/" + rootFd);
        String dir = fs.readlinkat(FileCalls.AT_FDCWD, "/proc/self/fd/" + fd);
        if (!dir.startsWith(root + "/")) throw new UnpackException("directory fd " + fd + " is not below the root: " + FileCalls.shown(dir));
        return dir.substring(root.length() + 1);
    }

    private void dropParentCache() {
        if (cachedParentFd >= 0) {
            try {
                fs.close(cachedParentFd);
            } catch (ErrnoException ignored) {
                // closing an O_PATH fd cannot lose data
            }
        }
        cachedParent = null;
        cachedParentFd = -1;
    }

    // --- creation ---

    private interface Create {
        void run() throws ErrnoException;
    }

    /** Creates with {@code create}; when the name exists, removes what is there (a whole tree if a directory) and retries. */
    private void createWithReplace(int pfd, String base, String path, Create create) throws IOException {
        try {
            create.run();
        } catch (ErrnoException ex) {
            if (ex.errno() != Errno.EEXIST) throw ex;
            remove(pfd, base, path);
            create.run();
        }
    }

    /** Removes {@code base} (and, for a directory, everything below it) from {@code pfd}. */
    private void remove(int pfd, String base, String path) throws IOException {
        if (overOverlay && (path.equals(currentPath) ? currentFromLower : !layerPaths.contains(path))) {
            try {
                FileCalls.Stat st = fs.lstatat(pfd, base);
                if (st.nlink() > 1 && !st.isDirectory()) {
                    throw new Snapshots.NotLayerable("the layer removes or replaces \"" + FileCalls.shown(path) + "\" of a lower layer, which has other links");
                }
            } catch (ErrnoException ex) {
                if (ex.errno() != Errno.ENOENT) throw ex;
            }
        }
        try {
            fs.unlinkat(pfd, base, 0);
        } catch (ErrnoException ex) {
            if (ex.errno() == Errno.ENOENT) return;
            if (ex.errno() != Errno.EISDIR) throw ex;
            Tree.removeAll(fs, pfd, base);
        }
        dropDirTimes(path);
        if (cachedParent != null && (cachedParent.equals(path) || cachedParent.startsWith(path + "/"))) {
            // the cached parent sits below what was removed; the caller's pfd is never below it
            dropParentCache();
        }
    }

    private void makeDir(int pfd, String base, String path, TarArchiveEntry e, Map<String, byte[]> xattrs) throws IOException {
        try {
            fs.mkdirat(pfd, base, 0700);
        } catch (ErrnoException ex) {
            if (ex.errno() != Errno.EEXIST) throw ex;
            if (!fs.lstatat(pfd, base).isDirectory()) {
                remove(pfd, base, path);
                fs.mkdirat(pfd, base, 0700);
            }
        }
        int fd = fs.openat(pfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
        try {
            setDirMetadata(fd, path, e, xattrs, false);
        } finally {
            fs.close(fd);
        }
    }

    private void hardlink(int pfd, String base, String path, TarArchiveEntry e) throws IOException {
        String target = clean(e.getLinkName());
        if (target.isEmpty()) throw new UnpackException("hardlink to the root directory");
        if (target.equals(path)) return; // a link to itself: the file is already there
        int slash = target.lastIndexOf('/');
        String tparent = slash < 0 ? "" : target.substring(0, slash);
        String tbase = target.substring(slash + 1);
        String what = "hardlink to \"" + FileCalls.shown(e.getLinkName()) + "\""
                + (target.equals(e.getLinkName()) ? "" : " (inside the root file system: \"" + FileCalls.shown(target) + "\")");
        int tfd;
        try {
            tfd = tparent.isEmpty() ? rootFd : openDir(tparent);
        } catch (ErrnoException ex) {
            throw new UnpackException(what + ": " + ex.getMessage(), ex);
        }
        try {
            if (overOverlay && !layerPaths.contains(target)) {
                FileCalls.Stat st = fs.lstatat(tfd, tbase);
                if (st.nlink() > 1 && !st.isDirectory()) {
                    throw new Snapshots.NotLayerable("\"" + FileCalls.shown(path) + "\" links to \"" + FileCalls.shown(target) + "\" of a lower layer, which has other links");
                }
            }
            createWithReplace(pfd, base, path, () -> fs.linkat(tfd, tbase, pfd, base, 0));
        } catch (ErrnoException ex) {
            throw new UnpackException(what + ": " + ex.getMessage(), ex);
        } finally {
            if (tfd != rootFd) fs.close(tfd);
        }
    }

    private void writeFile(int pfd, String base, String path, TarArchiveEntry e, InputStream data,
            Map<String, byte[]> xattrs) throws IOException {
        int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
        int opened;
        try {
            opened = fs.openat(pfd, base, flags, 0600);
        } catch (ErrnoException ex) {
            if (ex.errno() != Errno.EEXIST) throw ex;
            remove(pfd, base, path);
            opened = fs.openat(pfd, base, flags, 0600);
        }
        final int fd = opened;
        try {
            boolean sparse = e.isSparse();
            long size = sparse ? e.getRealSize() : e.getSize();
            long off = 0;
            while (true) {
                int n = data.read(heapBuf, 0, BUF);
                if (n < 0) break;
                if (sparse) writeSkippingHoles(fd, n, off);
                else fs.pwriteFully(fd, heapBuf, n, off);
                off += n;
                addBytes(n);
            }
            if (off != size) throw new UnpackException("truncated: " + off + " of " + size + " bytes");
            if (sparse) fs.ftruncate(fd, size);
            int[] owner = owner(e);
            if (owner != null) fs.fchown(fd, owner[0], owner[1]);
            fs.fchmod(fd, e.getMode() & 07777);
            for (var x : xattrs.entrySet()) setXattr(() -> fs.fsetxattr(fd, x.getKey(), x.getValue()), x.getKey());
            if (rootless) recordOwner(() -> fs.fsetxattr(fd, ROOTLESS_XATTR, rootlessValue(e)), e);
            long[] t = time(e.getLastModifiedTime());
            long[] a = e.getLastAccessTime() != null ? time(e.getLastAccessTime()) : t;
            fs.futimens(fd, a[0], a[1], t[0], t[1]);
        } finally {
            fs.close(fd);
        }
    }

    private void addBytes(long n) {
        bytes += n;
        if (options.maxBytes() > 0 && bytes > options.maxBytes()) {
            throw new UnpackException("the files written exceed the limit of " + options.maxBytes() + " bytes");
        }
    }

    /** Writes the non-zero 4 KiB blocks (aligned to the file) of heapBuf[0, n); zero blocks stay holes. */
    private void writeSkippingHoles(int fd, int n, long off) throws IOException {
        int runStart = -1;
        int i = 0;
        while (i < n) {
            int end = (int) Math.min(n, i + (4096 - (off + i) % 4096));
            boolean zero = allZero(heapBuf, i, end);
            if (!zero && runStart < 0) runStart = i;
            if (zero && runStart >= 0) {
                writeRun(fd, runStart, i, off);
                runStart = -1;
            }
            i = end;
        }
        if (runStart >= 0) writeRun(fd, runStart, n, off);
    }

    private void writeRun(int fd, int from, int to, long off) throws IOException {
        if (from == 0) {
            fs.pwriteFully(fd, heapBuf, to, off);
        } else {
            System.arraycopy(heapBuf, from, heapBuf, 0, to - from); // the run moves to the front; nothing after it is needed
            fs.pwriteFully(fd, heapBuf, to - from, off + from);
        }
    }

    private static boolean allZero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) if (b[i] != 0) return false;
        return true;
    }

    // --- metadata ---

    /** Host uid/gid to chown to, or null when rootless without maps (the owner goes in an xattr). */
    private int[] owner(TarArchiveEntry e) {
        if (rootless && options.uidMap().isEmpty() && options.gidMap().isEmpty()) return null;
        long uid = IdMap.toHost(options.uidMap(), e.getLongUserId(), "uid");
        long gid = IdMap.toHost(options.gidMap(), e.getLongGroupId(), "gid");
        return new int[] {(int) uid, (int) gid};
    }

    private void setDirMetadata(int fd, String path, TarArchiveEntry e, Map<String, byte[]> xattrs, boolean root) throws IOException {
        int[] owner = owner(e);
        if (owner != null) fs.fchown(fd, owner[0], owner[1]);
        int mode = e.getMode() & 07777;
        // Unprivileged, a directory we cannot write into (0555 /proc...) would stop its children:
        // keep it open to us until the end, then set the image's mode.
        fs.fchmod(fd, rootless ? mode | 0700 : mode);
        for (var x : xattrs.entrySet()) setXattr(() -> fs.fsetxattr(fd, x.getKey(), x.getValue()), x.getKey());
        if (rootless) recordOwner(() -> fs.fsetxattr(fd, ROOTLESS_XATTR, rootlessValue(e)), e);
        long[] t = time(e.getLastModifiedTime());
        dirTimes.put(path, new long[] {t[0], t[1], rootless ? mode : -1});
    }

    /**
     * Owner, mode, xattrs and times of a symlink, device or fifo, by name in its confined parent and
     * never following it. Symlinks get no mode (Linux has none to set); a device or fifo was just
     * made by mknodat, so fchmodat (which would follow a symlink) meets no symlink there.
     */
    private void setMetadataByName(int pfd, String base, TarArchiveEntry e, Map<String, byte[]> xattrs, boolean symlink)
            throws IOException {
        int[] owner = owner(e);
        if (owner != null) fs.fchownat(pfd, base, owner[0], owner[1], AT_SYMLINK_NOFOLLOW);
        if (!symlink) fs.fchmodat(pfd, base, e.getMode() & 07777);
        // /proc/self/fd/N/NAME: the kernel jumps to the already-confined directory; NAME itself is not followed.
        String viaFd = "/proc/self/fd/" + pfd + "/" + base;
        for (var x : xattrs.entrySet()) setXattr(() -> fs.lsetxattr(viaFd, x.getKey(), x.getValue()), x.getKey());
        // Rootless: user.* xattrs are not allowed on symlinks and device nodes, so their owner is not recorded (nor by umoci).
        long[] t = time(e.getLastModifiedTime());
        long[] a = e.getLastAccessTime() != null ? time(e.getLastAccessTime()) : t;
        fs.utimensat(pfd, base, a[0], a[1], t[0], t[1], AT_SYMLINK_NOFOLLOW);
    }

    private void setXattr(Create set, String name) throws IOException {
        try {
            set.run();
        } catch (ErrnoException ex) {
            // As an unprivileged user security.* and trusted.* xattrs cannot be set: counted and reported, as umoci does.
            if (rootless && ex.errno() == Errno.EPERM && !name.startsWith("user.")) {
                xattrsSkipped++;
                return;
            }
            throw ex;
        }
    }

    private void recordOwner(Create set, TarArchiveEntry e) throws IOException {
        if (e.getLongUserId() == 0 && e.getLongGroupId() == 0) return;
        set.run();
    }

    /**
     * The {@code user.rootlesscontainers} value: protobuf {@code Resource{uint32 uid = 1; uint32 gid = 2}},
     * where 0 is written as NoopID (2^32-1), the owner an unprivileged unpack gets anyway.
     *
     * @see <a href="https://github.com/rootless-containers/proto/blob/master/rootlesscontainers.proto">rootlesscontainers.proto</a>
     */
    static byte[] rootlessValue(TarArchiveEntry e) {
        long uid = e.getLongUserId() == 0 ? 0xffffffffL : e.getLongUserId();
        long gid = e.getLongGroupId() == 0 ? 0xffffffffL : e.getLongGroupId();
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        b.write(0x08);
        varint(b, uid);
        b.write(0x10);
        varint(b, gid);
        return b.toByteArray();
    }

    private static void varint(java.io.ByteArrayOutputStream b, long v) {
        while ((v & ~0x7fL) != 0) {
            b.write((int) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        b.write((int) v);
    }

    private static long[] time(FileTime t) {
        java.time.Instant i = t.toInstant();
        return new long[] {i.getEpochSecond(), i.getNano()};
    }

    // --- whiteouts ---

    /** {@code .wh.NAME}: NAME of lower layers goes; what this layer made under it stays. */
    private void whiteout(String parent, String name) throws IOException {
        int pfd;
        try {
            pfd = parent.isEmpty() ? rootFd : openDir(parent);
        } catch (ErrnoException ex) {
            if (ex.errno() == Errno.ENOENT || ex.errno() == Errno.ENOTDIR) return; // nothing below to hide
            throw ex;
        }
        try {
            hideLower(pfd, parent, name);
        } finally {
            if (pfd != rootFd) fs.close(pfd);
        }
    }

    /** {@code DIR/.wh..wh..opq}: everything lower layers put in DIR goes, wherever the marker stands in the layer. */
    private void opaque(String dir) throws IOException {
        if (!dir.isEmpty()) addToLayer(dir);
        int dfd;
        try {
            dfd = dir.isEmpty() ? rootFd : openDir(dir);
        } catch (ErrnoException ex) {
            if (ex.errno() == Errno.ENOENT) {
                parentFd(dir); // an opaque directory of its own: it exists, empty
                return;
            }
            throw ex;
        }
        try {
            for (String child : Tree.list(dfd)) hideLower(dfd, dir, child);
        } finally {
            if (dfd != rootFd) fs.close(dfd);
        }
    }

    private void hideLower(int pfd, String parent, String name) throws IOException {
        String path = parent.isEmpty() ? name : parent + "/" + name;
        if (!layerPaths.contains(path)) {
            remove(pfd, name, path);
            return;
        }
        FileCalls.Stat st;
        try {
            st = fs.lstatat(pfd, name);
        } catch (ErrnoException ex) {
            if (ex.errno() == Errno.ENOENT) return;
            throw ex;
        }
        if (!st.isDirectory()) return;
        int dfd = fs.openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
        try {
            for (String child : Tree.list(dfd)) hideLower(dfd, path, child);
        } finally {
            fs.close(dfd);
        }
    }

    private void dropDirTimes(String path) {
        dirTimes.remove(path);
        dirTimes.subMap(path + "/", path + "0").clear(); // '0' follows '/': exactly the paths below
    }

    /** Sets the directory mtimes recorded from the layers, after all children were written. */
    void finishDirectories() throws IOException {
        dropParentCache();
        for (var d : dirTimes.descendingMap().entrySet()) {
            long[] t = d.getValue();
            String path = d.getKey();
            if (path.isEmpty()) {
                if (t[2] >= 0) fs.fchmod(rootFd, (int) t[2]);
                fs.futimens(rootFd, t[0], t[1], t[0], t[1]);
                continue;
            }
            int slash = path.lastIndexOf('/');
            int pfd = slash < 0 ? rootFd : openDir(path.substring(0, slash));
            try {
                if (t[2] >= 0 && fs.lstatat(pfd, path.substring(slash + 1)).isDirectory()) {
                    fs.fchmodat(pfd, path.substring(slash + 1), (int) t[2]);
                }
                fs.utimensat(pfd, path.substring(slash + 1), t[0], t[1], t[0], t[1], AT_SYMLINK_NOFOLLOW);
            } finally {
                if (pfd != rootFd) fs.close(pfd);
            }
        }
    }

    @Override
    public void close() {
        dropParentCache();
    }
}
