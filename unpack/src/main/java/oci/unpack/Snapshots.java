package oci.unpack;

import static oci.linux.FileCalls.AT_FDCWD;
import static oci.linux.FileCalls.AT_SYMLINK_NOFOLLOW;
import static oci.linux.FileCalls.O_CLOEXEC;
import static oci.linux.FileCalls.O_DIRECTORY;
import static oci.linux.FileCalls.O_NOFOLLOW;
import static oci.linux.FileCalls.O_RDONLY;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import oci.image.BlobSource;
import oci.image.Descriptor;
import oci.image.Digest;
import oci.image.ExitCleanup;
import oci.image.ImageConfig;
import oci.image.ImageException;
import oci.image.Manifest;
import oci.image.MediaType;
import oci.image.store.Store;
import oci.image.store.StoredImage;
import oci.linux.Errno;
import oci.linux.ErrnoException;
import oci.linux.FileCalls;

/**
 * Layers unpacked once each, for overlay mounts: the snapshot area {@code STORE/.snapshots/}.
 *
 * <p>{@code sha256/CHAINID/} holds one layer as applied on the layers below it, named by its chain
 * ID (image-spec config.md: the bottom layer's is its diff_id). It is in the form overlayfs reads
 * as a lower layer: a deleted name is a 0/0 character device, a directory whose lower content is
 * hidden has {@code trusted.overlay.opaque=y}. Each one is made by mounting the snapshots below as
 * the lower layers of an overlay whose upper directory is new and empty, and applying the layer's
 * tar into that mount with the same {@link Applier} a full unpack uses: the kernel writes exactly the
 * changes, so the merged view equals what {@link Unpacker#unpack} writes. It appears complete
 * (scratch in {@code .tmp/}, then a rename) and is never written again: bundles mount it read-only
 * below an upper directory of their own. {@link #gc} removes those no image in the store needs and
 * no mounted overlay uses.
 *
 * <p>Not every layer can be shown exactly by overlay (see {@link NotLayerable}); such a chain is
 * remembered ({@code sha256/CHAINID.refused}) and its images are unpacked in full.
 */
public final class Snapshots {
    /** The area's name inside the store's directory. */
    public static final String AREA = ".snapshots";
    private static final String OPAQUE = "trusted.overlay.opaque";
    /** The mount(2) data of one mount is a page: lowerdir lists longer than this are not tried. */
    private static final int MAX_MOUNT_DATA = 4000;

    private final Path area;
    private final FileCalls fs = FileCalls.system();

    private Snapshots(Path area) {
        this.area = area;
    }

    public static Snapshots of(Store store) {
        return new Snapshots(store.root().resolve(AREA));
    }

    public Path area() {
        return area;
    }

    /** A layer that overlay cannot show as a full unpack would write it; the image is then unpacked in full. */
    public static final class NotLayerable extends UnpackException {
        public NotLayerable(String message) {
            super(message);
        }
    }

    /** Why snapshots cannot serve an unpack with these options on this host, or null when they can. */
    public static String unavailable(UnpackOptions o) {
        if (FileCalls.system().geteuid() != 0) return "overlay mounts need root";
        if (o.rootless()) return "a rootless unpack records owners in xattrs";
        if (!o.uidMap().isEmpty() || !o.gidMap().isEmpty()) return "id maps change owners";
        if (o.maxBytes() > 0) return "a byte limit is for one unpack";
        return null;
    }

    /** The chain IDs of layers with these diff_ids, bottom first (image-spec config.md, Layer ChainID). */
    public static List<Digest> chainIds(List<Digest> diffIds) {
        List<Digest> out = new ArrayList<>();
        Digest chain = null;
        for (Digest d : diffIds) {
            chain = chain == null ? d : Digest.sha256((chain + " " + d).getBytes(StandardCharsets.UTF_8));
            out.add(chain);
        }
        return out;
    }

    /** Where the snapshot of chain ID {@code chain} lives. */
    public Path dir(Digest chain) {
        return area.resolve(chain.algorithm()).resolve(chain.encoded());
    }

    /** The snapshots of {@code image}, bottom first, if every one exists; else null. */
    public List<Path> existing(StoredImage image) {
        List<Path> out = new ArrayList<>();
        for (Digest c : chainIds(image.config().diffIds())) {
            Path p = dir(c);
            if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) return null;
            out.add(p);
        }
        return out;
    }

    /**
     * Makes the snapshots {@code image} lacks, layer after layer (read through {@code blobs}, which may
     * still be downloading them), and returns all of them, bottom first.
     *
     * @throws NotLayerable when a layer cannot be shown exactly by overlay (nothing is kept of it)
     */
    public List<Path> prepare(BlobSource blobs, StoredImage image, UnpackOptions options) throws IOException {
        Unpacker.check(image);
        List<Descriptor> layers = image.manifest().layers();
        List<Digest> diffIds = image.config().diffIds();
        List<Digest> chains = chainIds(diffIds);
        List<Path> dirs = new ArrayList<>();
        AtomicLong total = new AtomicLong();
        for (int i = 0; i < layers.size(); i++) {
            Path dir = dir(chains.get(i));
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                Path refused = refusedMarker(chains.get(i));
                if (Files.exists(refused)) throw new NotLayerable(Files.readString(refused).strip());
                try {
                    make(blobs, layers.get(i), diffIds.get(i), i, layers.size(), dirs, dir, total, options);
                } catch (NotLayerable e) {
                    NotLayerable named = new NotLayerable("layer " + layers.get(i).digest() + ": " + e.getMessage());
                    Files.createDirectories(refused.getParent());
                    Files.writeString(refused, named.getMessage() + "\n");
                    throw named;
                }
            } else {
                options.listener().accept(new UnpackEvent.LayerStarted(i, layers.size(), layers.get(i).digest(), layers.get(i).size()));
                options.listener().accept(new UnpackEvent.LayerApplied(i, diffIds.get(i), 0, 0));
            }
            dirs.add(dir);
        }
        return dirs;
    }

    private Path refusedMarker(Digest chain) {
        return area.resolve(chain.algorithm()).resolve(chain.encoded() + ".refused");
    }

    /** Applies one layer over {@code lowers} (bottom first) into a new snapshot at {@code dir}. */
    private void make(BlobSource blobs, Descriptor layer, Digest diffId, int index, int count, List<Path> lowers, Path dir,
            AtomicLong total, UnpackOptions options) throws IOException {
        Path tmpArea = area.resolve(".tmp");
        Files.createDirectories(tmpArea);
        TopDir.mark(tmpArea); // each layer's tree in a block group of its own (ext4; see TopDir)
        Files.createDirectories(dir.getParent());
        Path scratch = tmpArea.resolve("layer-" + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36));
        Files.createDirectory(scratch);
        Path upper = scratch.resolve("upper");
        Path work = scratch.resolve("work");
        Path merged = scratch.resolve("merged");
        ExitCleanup onExit = new ExitCleanup("oci-snapshot-cleanup", Unpacker.Cancel.on(Thread.currentThread()));
        boolean mounted = false;
        try {
            Files.createDirectory(upper);
            Path applyTo = upper;
            if (!lowers.isEmpty()) {
                Files.createDirectory(work);
                Files.createDirectory(merged);
                copyRootMetadata(lowers.getLast(), upper);
                mountForApply(lowers, upper, work, merged);
                mounted = true;
                applyTo = merged;
            }
            int rootFd = fs.openat(AT_FDCWD, applyTo.toString(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
            Set<String> named;
            Applier applier = new Applier(rootFd, options, false);
            try {
                if (lowers.isEmpty()) fs.fchmod(rootFd, 0755);
                else applier.overOverlay();
                Unpacker.applyLayer(applier, blobs, layer, diffId, index, count, total, options);
                applier.finishDirectories();
                named = new HashSet<>(applier.namedDirs());
            } finally {
                applier.close();
                fs.close(rootFd);
            }
            if (Unpacker.Cancel.requested()) throw new UnpackException("unpack layer " + layer.digest() + ": interrupted");
            if (mounted) {
                fs.umount2(merged.toString(), 0);
                mounted = false;
                List<Path> topFirst = new ArrayList<>(lowers.reversed());
                restoreDirTimes(upper, "", topFirst, named);
            }
            try {
                fs.renameat2(AT_FDCWD, upper.toString(), AT_FDCWD, dir.toString(), FileCalls.RENAME_NOREPLACE);
            } catch (ErrnoException e) {
                // another oci made the same snapshot meanwhile: theirs is as good; ours goes with the scratch
                if (e.errno() != Errno.EEXIST && e.errno() != Errno.ENOTEMPTY) throw e;
            }
        } catch (ErrnoException e) {
            throw new UnpackException("unpack layer " + layer.digest() + " into a snapshot: " + e.getMessage(), e);
        } finally {
            try {
                if (mounted) unmountQuietly(merged);
                removeTree(scratch);
            } finally {
                onExit.close();
            }
        }
    }

    /**
     * The root of an overlay shows its upper directory's owner, mode and xattrs: a new upper starts
     * as the lower root is (the layer's own "./" entry, if any, changes it afterwards).
     */
    private void copyRootMetadata(Path lowerRoot, Path upper) throws IOException {
        initUpper(lowerRoot, upper);
    }

    /**
     * Gives a new upper directory the owner, mode, xattrs and times of the top lower root: the
     * overlay's root shows them, and it must show the image's root as a full unpack writes it.
     */
    public static void initUpper(Path lowerRoot, Path upper) throws IOException {
        FileCalls fs = FileCalls.system();
        FileCalls.Stat st = fs.lstatat(AT_FDCWD, lowerRoot.toString());
        fs.fchownat(AT_FDCWD, upper.toString(), st.uid(), st.gid(), AT_SYMLINK_NOFOLLOW);
        fs.fchmodat(AT_FDCWD, upper.toString(), st.mode() & 07777);
        for (String name : fs.llistxattr(lowerRoot.toString())) {
            if (name.startsWith("trusted.overlay.")) continue;
            byte[] v = fs.lgetxattr(lowerRoot.toString(), name);
            if (v != null) fs.lsetxattr(upper.toString(), name, v);
        }
        long ns = Files.getLastModifiedTime(lowerRoot, LinkOption.NOFOLLOW_LINKS).to(java.util.concurrent.TimeUnit.NANOSECONDS);
        long sec = Math.floorDiv(ns, 1_000_000_000L), nsec = Math.floorMod(ns, 1_000_000_000L);
        fs.utimensat(AT_FDCWD, upper.toString(), sec, nsec, sec, nsec, AT_SYMLINK_NOFOLLOW);
    }

    /**
     * Directories the kernel copied up (to hold a new child, or for the layer's chown) got the time of
     * that change; a full unpack keeps the time the layer that named them last gave. Gives each such
     * directory the time of the lower directory it shows over. {@code lowers} are the real directories
     * at {@code rel} in the lower snapshots, top first, cut at an opaque one.
     */
    private void restoreDirTimes(Path upperDir, String rel, List<Path> lowers, Set<String> named) throws IOException {
        List<Integer> lowerFds = new ArrayList<>();
        int upperFd = -1;
        try {
            for (Path l : lowers) lowerFds.add(fs.openat(AT_FDCWD, l.toString(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0));
            upperFd = fs.openat(AT_FDCWD, upperDir.toString(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
            restoreDirTimes(upperFd, rel, lowerFds, named);
        } finally {
            if (upperFd >= 0) fs.close(upperFd);
            for (int fd : lowerFds) fs.close(fd);
        }
    }

    /**
     * The walk itself, on directory fds with names as bytes (FileCalls.rawNames: a name that is not
     * UTF-8 is found in the lowers and in {@code named} as the applier wrote it).
     */
    private void restoreDirTimes(int upperFd, String rel, List<Integer> lowers, Set<String> named) throws IOException {
        FileCalls raw = FileCalls.rawNames();
        if (!named.contains(rel) && !lowers.isEmpty()) {
            // /proc/self/fd/N leads to the directory itself
            FileTime t = Files.getLastModifiedTime(Path.of("/proc/self/fd/" + lowers.getFirst()));
            long sec = Math.floorDiv(t.to(java.util.concurrent.TimeUnit.NANOSECONDS), 1_000_000_000L);
            long nsec = Math.floorMod(t.to(java.util.concurrent.TimeUnit.NANOSECONDS), 1_000_000_000L);
            raw.futimens(upperFd, sec, nsec, sec, nsec);
        }
        for (String name : raw.readdir(upperFd)) {
            if (!raw.lstatat(upperFd, name).isDirectory()) continue;
            List<Integer> below = new ArrayList<>();
            int child = raw.openat(upperFd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
            try {
                if (!isOpaque(upperFd, name)) {
                    for (int l : lowers) {
                        FileCalls.Stat st;
                        try {
                            st = raw.lstatat(l, name);
                        } catch (ErrnoException e) {
                            if (e.errno() == Errno.ENOENT) continue;
                            throw e;
                        }
                        if (!st.isDirectory()) break; // a whiteout, file or symlink hides the layers below
                        below.add(raw.openat(l, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0));
                        if (isOpaque(l, name)) break;
                    }
                }
                // the time of a directory made new in this layer (not named, nothing below) stays as the kernel left it, as in a full unpack
                restoreDirTimes(child, rel.isEmpty() ? name : rel + "/" + name, below, named);
            } finally {
                raw.close(child);
                for (int fd : below) raw.close(fd);
            }
        }
    }

    /** Whether {@code name} in directory {@code dirFd} is an opaque directory (names as bytes). */
    private static boolean isOpaque(int dirFd, String name) throws ErrnoException {
        byte[] v = FileCalls.rawNames().lgetxattr("/proc/self/fd/" + dirFd + "/" + name, OPAQUE);
        return v != null && v.length == 1 && v[0] == 'y';
    }

    /**
     * Mounts an overlay of {@code lowers} (bottom first; read-only) below {@code upper} on {@code target}.
     *
     * @throws UnpackException naming why overlay cannot be used (the caller may fall back to a full unpack)
     */
    public static void mountOverlay(List<Path> lowers, Path upper, Path work, Path target) {
        mountOverlay(lowers, upper, work, target, "");
    }

    private static void mountOverlay(List<Path> lowers, Path upper, Path work, Path target, String extra) {
        StringBuilder lowerdir = new StringBuilder();
        for (Path l : lowers.reversed()) {
            requirePlain(l);
            if (!lowerdir.isEmpty()) lowerdir.append(':');
            lowerdir.append(l);
        }
        requirePlain(upper);
        requirePlain(work);
        // index=off: the upper directory of a layer being made becomes a lower layer of other mounts later
        String data = "lowerdir=" + lowerdir + ",upperdir=" + upper + ",workdir=" + work + ",index=off" + extra;
        if (data.length() > MAX_MOUNT_DATA) {
            throw new UnpackException("overlay mount of " + lowers.size() + " layers: the layer list is too long for one mount");
        }
        try {
            FileCalls.system().mount("overlay", target.toString(), "overlay", 0, data);
        } catch (ErrnoException e) {
            throw new UnpackException("overlay mount on " + target + ": " + e.getMessage(), e);
        }
    }

    /**
     * The mount a layer is applied through. With overlay's {@code volatile} option (Linux 5.10): its
     * unmount does not sync the upper file system, which overlay otherwise does in full (every dirty
     * page of the whole file system: 0.1-0.5 s per layer of a 165 MB image, waited for between two
     * layers). A snapshot is then written as a full unpack's files are: to the page cache, and to
     * disk by the kernel's writeback. A kernel without the option mounts it without.
     */
    private static void mountForApply(List<Path> lowers, Path upper, Path work, Path merged) {
        try {
            mountOverlay(lowers, upper, work, merged, ",volatile");
        } catch (UnpackException e) {
            if (!(e.getCause() instanceof ErrnoException ee) || ee.errno() != Errno.EINVAL) throw e;
            mountOverlay(lowers, upper, work, merged, "");
        }
    }

    /** overlay's option syntax gives ':' and ',' meanings; paths with them are not used. */
    private static void requirePlain(Path p) {
        String s = p.toString();
        if (s.indexOf(':') >= 0 || s.indexOf(',') >= 0 || s.indexOf('\\') >= 0) {
            throw new UnpackException("overlay mount: path " + s + " contains ':', ',' or '\\'");
        }
    }

    /** Unmounts {@code target}; lazily (MNT_DETACH) if it is busy. False when nothing was mounted there. */
    public static boolean unmount(Path target) {
        FileCalls fs = FileCalls.system();
        try {
            fs.umount2(target.toString(), 0);
            return true;
        } catch (ErrnoException e) {
            if (e.errno() == Errno.EINVAL || e.errno() == Errno.ENOENT) return false;
            if (e.errno() != Errno.EBUSY) throw new UnpackException("unmount " + target + ": " + e.getMessage(), e);
        }
        try {
            fs.umount2(target.toString(), FileCalls.MNT_DETACH);
            return true;
        } catch (ErrnoException e) {
            throw new UnpackException("unmount " + target + ": " + e.getMessage(), e);
        }
    }

    private static void unmountQuietly(Path target) {
        try {
            unmount(target);
        } catch (UnpackException ignored) {
            // the first failure is what the user needs to see
        }
    }

    /** Is {@code dir} a mount point (of this mount namespace)? */
    public static boolean isMountPoint(Path dir) {
        String want = dir.toAbsolutePath().normalize().toString();
        for (String[] m : mounts()) if (m[0].equals(want)) return true;
        return false;
    }

    /** /proc/self/mountinfo as {mount point, file system type, super options}. */
    private static List<String[]> mounts() {
        List<String[]> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] f = line.split(" ");
                int dash = java.util.Arrays.asList(f).indexOf("-");
                if (dash < 0 || f.length < dash + 4) continue;
                out.add(new String[] {unescape(f[4]), f[dash + 1], unescape(f[dash + 3])});
            }
        } catch (IOException e) {
            throw new UnpackException("read /proc/self/mountinfo: " + e.getMessage(), e);
        }
        return out;
    }

    private static String unescape(String s) {
        if (s.indexOf('\\') < 0) return s;
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length() && Character.isDigit(s.charAt(i + 1))) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** Snapshot directories that a mounted overlay (a bundle's rootfs, or a layer being made) reads. */
    private Set<Path> inUse() {
        Set<Path> used = new HashSet<>();
        for (String[] m : mounts()) {
            if (!m[1].equals("overlay")) continue;
            for (String opt : m[2].split(",")) {
                if (!opt.startsWith("lowerdir=")) continue;
                for (String l : opt.substring("lowerdir=".length()).split(":")) used.add(Path.of(l).normalize());
            }
        }
        return used;
    }

    /** What {@link #gc} removed. */
    public record GcResult(List<Digest> removed, long bytesFreed) {}

    /**
     * Removes the snapshots that no image in {@code store} needs and no mounted overlay uses, and
     * scratch left by a killed unpack. Call it with writers kept out ({@link Store#exclusive}).
     */
    public GcResult gc(Store store) {
        try {
            if (!Files.isDirectory(area)) return new GcResult(List.of(), 0);
            Set<String> keep = new HashSet<>();
            for (Map.Entry<Digest, Descriptor> e : store.reachable().entrySet()) {
                Descriptor d = e.getValue();
                if (!MediaType.isManifest(d.mediaType()) || !store.hasBlob(d.digest())) continue;
                try {
                    Manifest m = Manifest.parse(store.readBlob(d.digest()), "manifest " + d.digest());
                    if (!store.hasBlob(m.config().digest())) continue;
                    ImageConfig c = ImageConfig.parse(store.readBlob(m.config().digest()), "config " + m.config().digest());
                    for (Digest chain : chainIds(c.diffIds())) keep.add(chain.encoded());
                } catch (ImageException unreadable) {
                    // fsck reports it; its snapshots, if any, go
                }
            }
            Set<Path> used = inUse();
            Path tmp = area.resolve(".tmp");
            if (Files.isDirectory(tmp)) {
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(tmp)) {
                    for (Path p : ds) {
                        unmountQuietly(p.resolve("merged"));
                        removeTree(p);
                    }
                }
            }
            List<Digest> removed = new ArrayList<>();
            long freed = 0;
            Path sha = area.resolve("sha256");
            if (Files.isDirectory(sha)) {
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(sha)) {
                    for (Path p : ds) {
                        String n = p.getFileName().toString();
                        String hex = n.endsWith(".refused") ? n.substring(0, n.length() - ".refused".length()) : n;
                        if (keep.contains(hex) || used.contains(p.normalize())) continue;
                        freed += removeTree(p);
                        if (!n.endsWith(".refused") && hex.matches("[0-9a-f]{64}")) removed.add(Digest.parse("sha256:" + hex));
                    }
                }
            }
            return new GcResult(removed, freed);
        } catch (IOException e) {
            throw new UnpackException("gc snapshots in " + area + ": " + e.getMessage(), e);
        }
    }

    /** Removes a tree without following symlinks or crossing into another mount; returns the bytes freed. */
    public static long removeTree(Path p) throws IOException {
        BasicFileAttributes top;
        try {
            top = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException gone) {
            return 0;
        }
        long size = top.isRegularFile() ? top.size() : 0;
        if (top.isDirectory()) {
            Object dev = Files.getAttribute(p, "unix:dev", LinkOption.NOFOLLOW_LINKS);
            size += removeChildren(p, dev);
        }
        Files.deleteIfExists(p);
        return size;
    }

    private static long removeChildren(Path dir, Object dev) throws IOException {
        long size = 0;
        // overlay's work dir keeps a 0000 directory; root may enter it, others open it first
        if (FileCalls.system().geteuid() != 0) {
            try {
                FileCalls.system().fchmodat(AT_FDCWD, dir.toString(), 0700);
            } catch (ErrnoException ignored) {
                // deletion below reports what cannot be removed
            }
        }
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path c : ds) entries.add(c);
        }
        for (Path c : entries) {
            BasicFileAttributes a = Files.readAttributes(c, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (a.isDirectory()) {
                if (!dev.equals(Files.getAttribute(c, "unix:dev", LinkOption.NOFOLLOW_LINKS))) {
                    throw new UnpackException("remove " + c + ": another file system is mounted there");
                }
                size += removeChildren(c, dev);
            } else if (a.isRegularFile()) {
                size += a.size();
            }
            Files.delete(c);
        }
        return size;
    }
}
