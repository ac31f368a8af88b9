package oci.linux;

import static oci.linux.Native.INT;
import static oci.linux.Native.LONG;
import static oci.linux.Native.POINTER;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link FileCalls} through the FFM API, errno captured per call.
 *
 * <p>Every call goes through libc's {@code syscall(2)} with one shape (a number and five longs):
 * the FFM API spins and JIT-compiles a stub per distinct signature, some 20 ms of start-up each,
 * and one shared stub keeps a short command's start-up short. The numbers are the kernel's, for
 * x86_64 and aarch64 (asm-generic); only writes from the Java heap use a second, critical stub.
 */
final class FfmFileCalls implements FileCalls {
    static final FfmFileCalls INSTANCE = new FfmFileCalls(false);
    /** Names as strings of bytes (FileCalls.rawNames). */
    static final FfmFileCalls RAW = new FfmFileCalls(true);

    /** Syscall numbers: {x86_64, aarch64}. */
    private enum Sys {
        OPENAT(257, 56), CLOSE(3, 57), MKDIRAT(258, 34), MKNODAT(259, 33), SYMLINKAT(266, 36), LINKAT(265, 37),
        UNLINKAT(263, 35), RENAMEAT2(316, 276), FCHOWNAT(260, 54), FCHOWN(93, 55), FCHMOD(91, 52), FCHMODAT(268, 53),
        UTIMENSAT(280, 88), FSETXATTR(190, 7), LSETXATTR(189, 6), LGETXATTR(192, 9), LLISTXATTR(195, 12), STATX(332, 291),
        FTRUNCATE(77, 46), GETEUID(107, 175), OPENAT2(437, 437), READLINKAT(267, 78), MOUNT(165, 40), UMOUNT2(166, 39),
        GETDENTS64(217, 61);

        final long nr;

        Sys(long x86, long arm) {
            this.nr = AARCH64 ? arm : x86;
        }
    }

    private static final boolean AARCH64;

    static {
        String arch = System.getProperty("os.arch");
        if (!arch.equals("amd64") && !arch.equals("x86_64") && !arch.equals("aarch64")) {
            throw new UnsupportedOperationException("oci's libc bindings support x86_64 and aarch64, not " + arch);
        }
        AARCH64 = arch.equals("aarch64");
    }

    private static final int STATX_BASIC_STATS = 0x7ff;

    private static final MethodHandle SYSCALL = Native.LINKER.downcallHandle(
            Native.LINKER.defaultLookup().find("syscall").orElseThrow(() -> new UnsatisfiedLinkError("libc has no syscall")),
            FunctionDescriptor.of(LONG, LONG, LONG, LONG, LONG, LONG, LONG),
            Linker.Option.captureCallState("errno"), Linker.Option.firstVariadicArg(1));
    /** pwrite on a heap segment: a critical call may take heap memory; errno still captured. */
    private static final MethodHandle PWRITE_HEAP = Native.LINKER.downcallHandle(
            Native.LINKER.defaultLookup().find("pwrite").orElseThrow(), FunctionDescriptor.of(LONG, INT, POINTER, LONG, LONG),
            Linker.Option.captureCallState("errno"), Linker.Option.critical(true));

    private final boolean raw;

    private FfmFileCalls(boolean raw) {
        this.raw = raw;
    }

    /** Makes syscall {@code s}; returns its result, or throws naming {@code call} and {@code object}. */
    private long sys(Arena a, Sys s, String call, String object, long... args) throws ErrnoException {
        MemorySegment slot = Native.newErrnoSlot(a);
        long[] v = new long[5];
        System.arraycopy(args, 0, v, 0, args.length);
        while (true) {
            long r;
            try {
                r = (long) SYSCALL.invokeExact(slot, s.nr, v[0], v[1], v[2], v[3], v[4]);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (r >= 0) return r;
            int errno = Native.errno(slot);
            if (errno == Errno.EINTR) continue;
            throw new ErrnoException(call, raw && object != null ? FileCalls.shown(object) : object, errno);
        }
    }

    /** {@code s} as a NUL-terminated C string: UTF-8, or one byte per char for raw names. */
    private long str(Arena a, String s) {
        if (!raw) return a.allocateFrom(s).address();
        int n = s.length();
        MemorySegment m = a.allocate(n + 1);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c > 0xff) throw new IllegalArgumentException("a raw name holds a char above 255: " + s);
            m.set(ValueLayout.JAVA_BYTE, i, (byte) c);
        }
        m.set(ValueLayout.JAVA_BYTE, n, (byte) 0);
        return m.address();
    }

    /** Bytes the kernel returned as a name, the way {@link #str} would pass them back. */
    private String text(MemorySegment m, long offset, long len) {
        return new String(m.asSlice(offset, len).toArray(ValueLayout.JAVA_BYTE), raw ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
    }

    private static long bytes(Arena a, byte[] b) {
        MemorySegment m = a.allocate(Math.max(1, b.length));
        MemorySegment.copy(b, 0, m, ValueLayout.JAVA_BYTE, 0, b.length);
        return m.address();
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }

    @Override
    public int openat2(int dirfd, String path, int flags, int mode, long resolve) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment how = a.allocate(24, 8); // struct open_how { u64 flags, mode, resolve; }
            how.set(ValueLayout.JAVA_LONG, 0, flags & 0xffffffffL);
            how.set(ValueLayout.JAVA_LONG, 8, mode);
            how.set(ValueLayout.JAVA_LONG, 16, resolve);
            return (int) sys(a, Sys.OPENAT2, "openat2", path, dirfd, str(a, path), how.address(), 24);
        }
    }

    @Override
    public int openat(int dirfd, String path, int flags, int mode) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            return (int) sys(a, Sys.OPENAT, "openat", path, dirfd, str(a, path), flags, mode);
        }
    }

    @Override
    public void close(int fd) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment slot = Native.newErrnoSlot(a);
            long r;
            try {
                r = (long) SYSCALL.invokeExact(slot, Sys.CLOSE.nr, (long) fd, 0L, 0L, 0L, 0L);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            // close(2): never retried, even on EINTR (the fd is gone either way on Linux)
            if (r < 0 && Native.errno(slot) != Errno.EINTR) throw new ErrnoException("close", null, Native.errno(slot));
        }
    }

    @Override
    public void mkdirat(int dirfd, String name, int mode) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            sys(a, Sys.MKDIRAT, "mkdirat", name, dirfd, str(a, name), mode);
        }
    }

    @Override
    public void mknodat(int dirfd, String name, int mode, long dev) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            sys(a, Sys.MKNODAT, "mknodat", name, dirfd, str(a, name), mode, dev);
        }
    }

    @Override
    public void symlinkat(String target, int dirfd, String name) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            sys(a, Sys.SYMLINKAT, "symlinkat", name, str(a, target), dirfd, str(a, name));
        }
    }

    @Override
    public String readlinkat(int dirfd, String name) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(4096);
            long n = sys(a, Sys.READLINKAT, "readlinkat", name, dirfd, str(a, name), buf.address(), 4096);
            return text(buf, 0, n);
        }
    }

    @Override
    public void linkat(int olddirfd, String oldname, int newdirfd, String newname, int flags) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            sys(a, Sys.LINKAT, "linkat", newname, olddirfd, str(a, oldname), newdirfd, str(a, newname), flags);
        }
    }

    @Override
    public void unlinkat(int dirfd, String name, int flags) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            sys(a, Sys.UNLINKAT, "unlinkat", name, dirfd, str(a, name), flags);
        }
    }

    @Override
    public void renameat2(int olddirfd, String oldname, int newdirfd, String newname, int flags) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            sys(a, Sys.RENAMEAT2, "renameat2", newname, olddirfd, str(a, oldname), newdirfd, str(a, newname), flags);
        }
    }

    @Override
    public void fchownat(int dirfd, String name, int uid, int gid, int flags) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            sys(a, Sys.FCHOWNAT, "lchown", name, dirfd, str(a, name), uid & 0xffffffffL, gid & 0xffffffffL, flags);
        }
    }

    @Override
    public void fchown(int fd, int uid, int gid) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            sys(a, Sys.FCHOWN, "fchown", null, fd, uid & 0xffffffffL, gid & 0xffffffffL);
        }
    }

    @Override
    public void fchmod(int fd, int mode) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            sys(a, Sys.FCHMOD, "fchmod", null, fd, mode);
        }
    }

    @Override
    public void fchmodat(int dirfd, String name, int mode) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            sys(a, Sys.FCHMODAT, "fchmodat", name, dirfd, str(a, name), mode);
        }
    }

    private static long times(Arena a, long as, long an, long ms, long mn) {
        MemorySegment ts = a.allocate(32, 8); // struct timespec[2]
        ts.set(ValueLayout.JAVA_LONG, 0, as);
        ts.set(ValueLayout.JAVA_LONG, 8, an);
        ts.set(ValueLayout.JAVA_LONG, 16, ms);
        ts.set(ValueLayout.JAVA_LONG, 24, mn);
        return ts.address();
    }

    @Override
    public void utimensat(int dirfd, String name, long as, long an, long ms, long mn, int flags) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            sys(a, Sys.UTIMENSAT, "utimensat", name, dirfd, str(a, name), times(a, as, an, ms, mn), flags);
        }
    }

    @Override
    public void futimens(int fd, long as, long an, long ms, long mn) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            // futimens(3) is utimensat(fd, NULL, times, 0) in the kernel
            sys(a, Sys.UTIMENSAT, "futimens", null, fd, 0, times(a, as, an, ms, mn), 0);
        }
    }

    @Override
    public void fsetxattr(int fd, String name, byte[] value) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            sys(a, Sys.FSETXATTR, "fsetxattr " + name, null, fd, str(a, name), bytes(a, value), value.length, 0);
        }
    }

    @Override
    public void lsetxattr(String path, String name, byte[] value) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            sys(a, Sys.LSETXATTR, "lsetxattr " + name, path, str(a, path), str(a, name), bytes(a, value), value.length, 0);
        }
    }

    @Override
    public byte[] lgetxattr(String path, String name) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(65536);
            long r;
            try {
                r = sys(a, Sys.LGETXATTR, "lgetxattr " + name, path, str(a, path), str(a, name), v.address(), 65536);
            } catch (ErrnoException e) {
                if (e.errno() == Errno.ENODATA) return null;
                throw e;
            }
            return v.asSlice(0, r).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    @Override
    public List<String> llistxattr(String path) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(65536);
            long r = sys(a, Sys.LLISTXATTR, "llistxattr", path, str(a, path), v.address(), 65536);
            List<String> names = new ArrayList<>();
            long start = 0;
            for (long i = 0; i < r; i++) {
                if (v.get(ValueLayout.JAVA_BYTE, i) == 0) {
                    names.add(text(v, start, i - start));
                    start = i + 1;
                }
            }
            return names;
        }
    }

    @Override
    public void mount(String source, String target, String type, long flags, String data) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            sys(a, Sys.MOUNT, "mount", target, str(a, source), str(a, target), type == null ? 0 : str(a, type), flags,
                    data == null ? 0 : str(a, data));
        }
    }

    @Override
    public void umount2(String target, int flags) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            sys(a, Sys.UMOUNT2, "umount", target, str(a, target), flags);
        }
    }

    @Override
    public List<String> readdir(int dirfd) throws ErrnoException {
        int fd;
        try (Arena a = Arena.ofConfined()) {
            // getdents64 needs a descriptor opened for reading; dirfd may be O_PATH
            fd = (int) sys(a, Sys.OPENAT, "openat", ".", dirfd, str(a, "."), O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
        }
        try (Arena a = Arena.ofConfined()) {
            List<String> names = new ArrayList<>();
            MemorySegment buf = a.allocate(32768, 8);
            while (true) {
                long n = sys(a, Sys.GETDENTS64, "getdents64", null, fd, buf.address(), buf.byteSize());
                if (n == 0) return names;
                // struct linux_dirent64 { u64 d_ino; s64 d_off; u16 d_reclen; u8 d_type; char d_name[]; }
                long off = 0;
                while (off < n) {
                    int reclen = buf.get(ValueLayout.JAVA_SHORT, off + 16) & 0xffff;
                    long nameAt = off + 19;
                    long end = nameAt;
                    while (end < off + reclen && buf.get(ValueLayout.JAVA_BYTE, end) != 0) end++;
                    String name = text(buf, nameAt, end - nameAt);
                    if (!name.equals(".") && !name.equals("..")) names.add(name);
                    off += reclen;
                }
            }
        } finally {
            close(fd);
        }
    }

    @Override
    public Stat lstatat(int dirfd, String name) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(256, 8);
            sys(a, Sys.STATX, "statx", name, dirfd, str(a, name), AT_SYMLINK_NOFOLLOW | (name.isEmpty() ? AT_EMPTY_PATH : 0),
                    STATX_BASIC_STATS, buf.address());
            // struct statx: stx_nlink u32 @16, stx_uid @20, stx_gid @24, stx_mode u16 @28, stx_size u64 @40
            return new Stat(buf.get(ValueLayout.JAVA_SHORT, 28) & 0xffff, buf.get(ValueLayout.JAVA_INT, 20),
                    buf.get(ValueLayout.JAVA_INT, 24), buf.get(ValueLayout.JAVA_LONG, 40), buf.get(ValueLayout.JAVA_INT, 16));
        }
    }

    @Override
    public void pwriteFully(int fd, MemorySegment buf, long len, long offset) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment slot = Native.newErrnoSlot(a);
            long done = 0;
            while (done < len) {
                long r;
                try {
                    r = (long) PWRITE_HEAP.invokeExact(slot, fd, buf.asSlice(done), len - done, offset + done);
                } catch (Throwable t) {
                    throw rethrow(t);
                }
                if (r < 0) {
                    if (Native.errno(slot) == Errno.EINTR) continue;
                    throw new ErrnoException("pwrite", null, Native.errno(slot));
                }
                done += r;
            }
        }
    }

    @Override
    public void pwriteFully(int fd, byte[] buf, int len, long offset) throws ErrnoException {
        pwriteFully(fd, MemorySegment.ofArray(buf), len, offset);
    }

    @Override
    public void ftruncate(int fd, long length) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            sys(a, Sys.FTRUNCATE, "ftruncate", null, fd, length);
        }
    }

    @Override
    public int geteuid() {
        try (Arena a = Arena.ofConfined()) {
            return (int) sys(a, Sys.GETEUID, "geteuid", null);
        } catch (ErrnoException e) {
            throw new IllegalStateException(e); // geteuid(2) cannot fail
        }
    }
}
