package oci.linux;

import java.lang.foreign.MemorySegment;

/**
 * The file-system calls of libc that unpacking needs, relative to directory descriptors so that
 * callers can confine every path to a root. Each call throws {@link ErrnoException} naming the call,
 * the object and errno; callers branch on {@link ErrnoException#errno()}. No policy lives here.
 *
 * <p>All calls are safe to make from several threads at once (errno is captured per call).
 */
public interface FileCalls {
    int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0100, O_EXCL = 0200, O_TRUNC = 01000,
            O_DIRECTORY = 0200000, O_NOFOLLOW = 0400000, O_CLOEXEC = 02000000, O_PATH = 010000000;
    int AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100, AT_REMOVEDIR = 0x200, AT_EMPTY_PATH = 0x1000;
    /** openat2(2) {@code resolve} flags. */
    long RESOLVE_NO_XDEV = 0x01, RESOLVE_NO_MAGICLINKS = 0x02, RESOLVE_NO_SYMLINKS = 0x04,
            RESOLVE_BENEATH = 0x08, RESOLVE_IN_ROOT = 0x10;
    int RENAME_NOREPLACE = 1, RENAME_EXCHANGE = 2;
    int S_IFMT = 0170000, S_IFSOCK = 0140000, S_IFLNK = 0120000, S_IFREG = 0100000, S_IFBLK = 0060000,
            S_IFDIR = 0040000, S_IFCHR = 0020000, S_IFIFO = 0010000;

    /** The implementation through the FFM API; names are Java text, passed to the kernel as UTF-8. */
    static FileCalls system() {
        return FfmFileCalls.INSTANCE;
    }

    /**
     * The same calls where every name (path, link target, xattr name, what readlinkat, llistxattr
     * and readdir return) is a string of bytes: each char 0-255 is one byte (ISO-8859-1). Linux
     * names are bytes, not text: a layer entry {@code raw-\xff\xfe} is written byte for byte, and a
     * directory listed and removed whatever its names are. A char above 255 is refused
     * (IllegalArgumentException). Error messages show the names as {@link #shown} does.
     */
    static FileCalls rawNames() {
        return FfmFileCalls.RAW;
    }

    /**
     * A name of {@link #rawNames()} as people read it: its bytes as UTF-8, each byte that is not
     * part of valid UTF-8 as {@code \xNN}.
     */
    static String shown(String rawName) {
        byte[] b = rawName.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        java.nio.charset.CharsetDecoder d = java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(b);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(b.length * 4 + 1);
        while (true) {
            java.nio.charset.CoderResult r = d.decode(in, out, true);
            if (r.isUnderflow()) break;
            for (int i = 0; i < r.length(); i++) out.put(String.format("\\x%02x", in.get() & 0xff));
        }
        return out.flip().toString();
    }

    /** What statx(2) says about a file (never following a final symlink). */
    record Stat(int mode, int uid, int gid, long size, int nlink) {
        public int type() {
            return mode & S_IFMT;
        }

        public boolean isDirectory() {
            return type() == S_IFDIR;
        }
    }

    /**
     * Opens {@code path} below {@code dirfd} with openat2's {@code resolve} restrictions.
     *
     * @return a new file descriptor (close-on-exec is up to {@code flags})
     * @throws ErrnoException ENOENT, ENOTDIR, ELOOP, EXDEV (a path that would leave the root under
     *     RESOLVE_BENEATH), EAGAIN (a rename raced the lookup), ENOSYS (kernel before 5.6)
     * @see <a href="https://man7.org/linux/man-pages/man2/openat2.2.html">openat2(2)</a>
     */
    int openat2(int dirfd, String path, int flags, int mode, long resolve) throws ErrnoException;

    /**
     * @throws ErrnoException EEXIST (with O_CREAT|O_EXCL), ELOOP (O_NOFOLLOW on a symlink), ENOENT, ENOTDIR, EACCES
     * @see <a href="https://man7.org/linux/man-pages/man2/open.2.html">openat(2)</a>
     */
    int openat(int dirfd, String path, int flags, int mode) throws ErrnoException;

    /** @see <a href="https://man7.org/linux/man-pages/man2/close.2.html">close(2)</a> */
    void close(int fd) throws ErrnoException;

    /**
     * @throws ErrnoException EEXIST, ENOENT, EACCES, ENOSPC
     * @see <a href="https://man7.org/linux/man-pages/man2/mkdir.2.html">mkdirat(2)</a>
     */
    void mkdirat(int dirfd, String name, int mode) throws ErrnoException;

    /**
     * @param dev as {@link #makedev} builds it
     * @throws ErrnoException EPERM (devices need CAP_MKNOD), EEXIST
     * @see <a href="https://man7.org/linux/man-pages/man2/mknod.2.html">mknodat(2)</a>
     */
    void mknodat(int dirfd, String name, int mode, long dev) throws ErrnoException;

    /**
     * @throws ErrnoException EEXIST, ENOENT
     * @see <a href="https://man7.org/linux/man-pages/man2/symlink.2.html">symlinkat(2)</a>
     */
    void symlinkat(String target, int dirfd, String name) throws ErrnoException;

    /**
     * The target of symlink {@code name} below {@code dirfd}.
     *
     * @throws ErrnoException EINVAL (not a symlink), ENOENT
     * @see <a href="https://man7.org/linux/man-pages/man2/readlink.2.html">readlinkat(2)</a>
     */
    String readlinkat(int dirfd, String name) throws ErrnoException;

    /**
     * Without AT_SYMLINK_FOLLOW in {@code flags}, a symlink is linked as itself.
     *
     * @throws ErrnoException EEXIST, ENOENT, EPERM (a directory, or protected_hardlinks), EXDEV
     * @see <a href="https://man7.org/linux/man-pages/man2/link.2.html">linkat(2)</a>
     */
    void linkat(int olddirfd, String oldname, int newdirfd, String newname, int flags) throws ErrnoException;

    /**
     * @throws ErrnoException ENOENT, EISDIR (a directory without AT_REMOVEDIR), ENOTEMPTY, ENOTDIR
     * @see <a href="https://man7.org/linux/man-pages/man2/unlink.2.html">unlinkat(2)</a>
     */
    void unlinkat(int dirfd, String name, int flags) throws ErrnoException;

    /**
     * @throws ErrnoException EEXIST (RENAME_NOREPLACE), ENOENT (RENAME_EXCHANGE with a missing side), EXDEV
     * @see <a href="https://man7.org/linux/man-pages/man2/rename.2.html">renameat2(2)</a>
     */
    void renameat2(int olddirfd, String oldname, int newdirfd, String newname, int flags) throws ErrnoException;

    /**
     * @param flags AT_SYMLINK_NOFOLLOW to change a symlink itself
     * @throws ErrnoException EPERM (not root, or an id outside the user namespace), EINVAL (unmapped id)
     * @see <a href="https://man7.org/linux/man-pages/man2/chown.2.html">fchownat(2)</a>
     */
    void fchownat(int dirfd, String name, int uid, int gid, int flags) throws ErrnoException;

    /** @see <a href="https://man7.org/linux/man-pages/man2/chown.2.html">fchown(2)</a> */
    void fchown(int fd, int uid, int gid) throws ErrnoException;

    /** @see <a href="https://man7.org/linux/man-pages/man2/chmod.2.html">fchmod(2)</a> */
    void fchmod(int fd, int mode) throws ErrnoException;

    /**
     * Follows a final symlink (Linux cannot chmod a symlink): call it only on names known not to be one.
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/chmod.2.html">fchmodat(2)</a>
     */
    void fchmodat(int dirfd, String name, int mode) throws ErrnoException;

    /**
     * Sets atime and mtime with nanoseconds.
     *
     * @param flags AT_SYMLINK_NOFOLLOW to change a symlink itself
     * @see <a href="https://man7.org/linux/man-pages/man2/utimensat.2.html">utimensat(2)</a>
     */
    void utimensat(int dirfd, String name, long atimeSec, long atimeNsec, long mtimeSec, long mtimeNsec, int flags)
            throws ErrnoException;

    /** @see <a href="https://man7.org/linux/man-pages/man2/utimensat.2.html">futimens(3)</a> */
    void futimens(int fd, long atimeSec, long atimeNsec, long mtimeSec, long mtimeNsec) throws ErrnoException;

    /**
     * @throws ErrnoException EPERM (security.*, trusted.* without privilege; user.* on a symlink or device),
     *     ENOTSUP (the file system or namespace has no such xattrs), ERANGE, ENOSPC
     * @see <a href="https://man7.org/linux/man-pages/man2/setxattr.2.html">fsetxattr(2)</a>
     */
    void fsetxattr(int fd, String name, byte[] value) throws ErrnoException;

    /**
     * Sets an xattr on {@code path} itself, never following a final symlink.
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/setxattr.2.html">lsetxattr(2)</a>
     */
    void lsetxattr(String path, String name, byte[] value) throws ErrnoException;

    /**
     * The value of xattr {@code name} of {@code path} itself, or null when it has none (ENODATA).
     *
     * @see <a href="https://man7.org/linux/man-pages/man2/getxattr.2.html">lgetxattr(2)</a>
     */
    byte[] lgetxattr(String path, String name) throws ErrnoException;

    /**
     * The names of the xattrs of {@code path} itself (not following a final symlink).
     *
     * @throws ErrnoException ENOENT, ENOTSUP
     * @see <a href="https://man7.org/linux/man-pages/man2/listxattr.2.html">llistxattr(2)</a>
     */
    java.util.List<String> llistxattr(String path) throws ErrnoException;

    /**
     * The names in directory {@code dirfd} (an O_PATH descriptor will do), without "." and "..",
     * read with getdents64(2): unlike a listing through java.nio, a name that is not text in the
     * JVM's encoding comes back as it is (use {@link #rawNames()} to keep every byte).
     *
     * @throws ErrnoException ENOTDIR, EACCES
     * @see <a href="https://man7.org/linux/man-pages/man2/getdents.2.html">getdents64(2)</a>
     */
    java.util.List<String> readdir(int dirfd) throws ErrnoException;

    /**
     * statx(2) with AT_SYMLINK_NOFOLLOW: what {@code name} is, itself.
     *
     * @throws ErrnoException ENOENT, ENOTDIR
     * @see <a href="https://man7.org/linux/man-pages/man2/statx.2.html">statx(2)</a>
     */
    Stat lstatat(int dirfd, String name) throws ErrnoException;

    /**
     * Writes {@code len} bytes of {@code buf} at {@code offset}, looping over short writes.
     *
     * @throws ErrnoException ENOSPC, EDQUOT, EIO
     * @see <a href="https://man7.org/linux/man-pages/man2/pwrite.2.html">pwrite(2)</a>
     */
    void pwriteFully(int fd, MemorySegment buf, long len, long offset) throws ErrnoException;

    /**
     * {@link #pwriteFully} straight from a Java array (no copy to native memory: the call is made
     * as a critical one that may read the heap, so keep {@code len} to a few MiB).
     */
    void pwriteFully(int fd, byte[] buf, int len, long offset) throws ErrnoException;

    /** @see <a href="https://man7.org/linux/man-pages/man2/ftruncate.2.html">ftruncate(2)</a> */
    void ftruncate(int fd, long length) throws ErrnoException;

    /** umount2(2) flag: detach now, finish when no longer busy. */
    int MNT_DETACH = 2;

    /**
     * @param data file-system options (overlay's lowerdir=...), or null
     * @throws ErrnoException EPERM (needs CAP_SYS_ADMIN), EINVAL (options the file system refuses), ENODEV
     * @see <a href="https://man7.org/linux/man-pages/man2/mount.2.html">mount(2)</a>
     */
    void mount(String source, String target, String type, long flags, String data) throws ErrnoException;

    /**
     * @throws ErrnoException EINVAL (not a mount point), EBUSY, EPERM
     * @see <a href="https://man7.org/linux/man-pages/man2/umount.2.html">umount2(2)</a>
     */
    void umount2(String target, int flags) throws ErrnoException;

    /** @see <a href="https://man7.org/linux/man-pages/man2/geteuid.2.html">geteuid(2)</a> */
    int geteuid();

    /** glibc's makedev(3) encoding of a device number. */
    static long makedev(long major, long minor) {
        return ((major & 0xfffff000L) << 32) | ((major & 0xfffL) << 8) | ((minor & 0xffffff00L) << 12) | (minor & 0xffL);
    }
}
