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

/** {@link FileCalls} through the FFM API; errno captured per call. */
final class FfmFileCalls implements FileCalls {
    static final FfmFileCalls INSTANCE = new FfmFileCalls();

    /** x86_64 and aarch64 share the number of openat2 (the newer, unified syscall table). */
    private static final long SYS_OPENAT2 = 437;
    private static final int STATX_BASIC_STATS = 0x7ff;

    private static final MethodHandle SYSCALL4 = variadic("syscall",
            FunctionDescriptor.of(LONG, LONG, LONG, POINTER, POINTER, LONG));
    private static final MethodHandle OPENAT = Native.downcall("openat", FunctionDescriptor.of(INT, INT, POINTER, INT, INT));
    private static final MethodHandle CLOSE = Native.downcall("close", FunctionDescriptor.of(INT, INT));
    private static final MethodHandle MKDIRAT = Native.downcall("mkdirat", FunctionDescriptor.of(INT, INT, POINTER, INT));
    private static final MethodHandle MKNODAT = Native.downcall("mknodat", FunctionDescriptor.of(INT, INT, POINTER, INT, LONG));
    private static final MethodHandle SYMLINKAT = Native.downcall("symlinkat", FunctionDescriptor.of(INT, POINTER, INT, POINTER));
    private static final MethodHandle LINKAT = Native.downcall("linkat", FunctionDescriptor.of(INT, INT, POINTER, INT, POINTER, INT));
    private static final MethodHandle UNLINKAT = Native.downcall("unlinkat", FunctionDescriptor.of(INT, INT, POINTER, INT));
    private static final MethodHandle RENAMEAT2 = Native.downcall("renameat2", FunctionDescriptor.of(INT, INT, POINTER, INT, POINTER, INT));
    private static final MethodHandle FCHOWNAT = Native.downcall("fchownat", FunctionDescriptor.of(INT, INT, POINTER, INT, INT, INT));
    private static final MethodHandle FCHOWN = Native.downcall("fchown", FunctionDescriptor.of(INT, INT, INT, INT));
    private static final MethodHandle FCHMOD = Native.downcall("fchmod", FunctionDescriptor.of(INT, INT, INT));
    private static final MethodHandle FCHMODAT = Native.downcall("fchmodat", FunctionDescriptor.of(INT, INT, POINTER, INT, INT));
    private static final MethodHandle UTIMENSAT = Native.downcall("utimensat", FunctionDescriptor.of(INT, INT, POINTER, POINTER, INT));
    private static final MethodHandle FUTIMENS = Native.downcall("futimens", FunctionDescriptor.of(INT, INT, POINTER));
    private static final MethodHandle FSETXATTR = Native.downcall("fsetxattr", FunctionDescriptor.of(INT, INT, POINTER, POINTER, LONG, INT));
    private static final MethodHandle LSETXATTR = Native.downcall("lsetxattr", FunctionDescriptor.of(INT, POINTER, POINTER, POINTER, LONG, INT));
    private static final MethodHandle LGETXATTR = Native.downcall("lgetxattr", FunctionDescriptor.of(LONG, POINTER, POINTER, POINTER, LONG));
    private static final MethodHandle LLISTXATTR = Native.downcall("llistxattr", FunctionDescriptor.of(LONG, POINTER, POINTER, LONG));
    private static final MethodHandle STATX = Native.downcall("statx", FunctionDescriptor.of(INT, INT, POINTER, INT, INT, POINTER));
    private static final MethodHandle PWRITE = Native.downcall("pwrite", FunctionDescriptor.of(LONG, INT, POINTER, LONG, LONG));
    /** pwrite on a heap segment: a critical call may take heap memory; errno still captured. */
    private static final MethodHandle PWRITE_HEAP = Native.LINKER.downcallHandle(
            Native.LINKER.defaultLookup().find("pwrite").orElseThrow(), FunctionDescriptor.of(LONG, INT, POINTER, LONG, LONG),
            Linker.Option.captureCallState("errno"), Linker.Option.critical(true));
    private static final MethodHandle FTRUNCATE = Native.downcall("ftruncate", FunctionDescriptor.of(INT, INT, LONG));
    private static final MethodHandle GETEUID = Native.downcallNoErrno("geteuid", FunctionDescriptor.of(INT));

    private FfmFileCalls() {}

    private static MethodHandle variadic(String name, FunctionDescriptor fd) {
        MemorySegment addr = Native.LINKER.defaultLookup().find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return Native.LINKER.downcallHandle(addr, fd, Linker.Option.captureCallState("errno"), Linker.Option.firstVariadicArg(1));
    }

    private static ErrnoException fail(String call, String object, MemorySegment slot) {
        return new ErrnoException(call, object, Native.errno(slot));
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }

    @Override
    public int openat2(int dirfd, String path, int flags, int mode, long resolve) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment slot = Native.newErrnoSlot(a);
            MemorySegment how = a.allocate(24, 8);
            how.set(ValueLayout.JAVA_LONG, 0, flags & 0xffffffffL);
            how.set(ValueLayout.JAVA_LONG, 8, mode);
            how.set(ValueLayout.JAVA_LONG, 16, resolve);
            long r;
            try {
                r = (long) SYSCALL4.invokeExact(slot, SYS_OPENAT2, (long) dirfd, a.allocateFrom(path), how, 24L);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (r < 0) throw fail("openat2", path, slot);
            return (int) r;
        }
    }

    @Override
    public int openat(int dirfd, String path, int flags, int mode) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment slot = Native.newErrnoSlot(a);
            int r;
            try {
                r = (int) OPENAT.invokeExact(slot, dirfd, a.allocateFrom(path), flags, mode);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (r < 0) throw fail("openat", path, slot);
            return r;
        }
    }

    @Override
    public void close(int fd) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment slot = Native.newErrnoSlot(a);
            int r;
            try {
                r = (int) CLOSE.invokeExact(slot, fd);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (r < 0) throw fail("close", null, slot);
        }
    }

    @Override
    public void mkdirat(int dirfd, String name, int mode) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment slot = Native.newErrnoSlot(a);
            int r;
            try {
                r = (int) MKDIRAT.invokeExact(slot, dirfd, a.allocateFrom(name), mode);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (r < 0) throw fail("mkdirat", name, slot);
        }
    }

    @Override
    public void mknodat(int dirfd, String name, int mode, long dev) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment slot = Native.newErrnoSlot(a);
            int r;
            try {
                r = (int) MKNODAT.invokeExact(slot, dirfd, a.allocateFrom(name), mode, dev);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (r < 0) throw fail("mknodat", name, slot);
        }
    }

    @Override
    public void symlinkat(String target, int dirfd, String name) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment slot = Native.newErrnoSlot(a);
            int r;
            try {
                r = (int) SYMLINKAT.invokeExact(slot, a.allocateFrom(target), dirfd, a.allocateFrom(name));
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (r < 0) throw fail("symlinkat", name, slot);
        }
    }

    @Override
    public void linkat(int olddirfd, String oldname, int newdirfd, String newname, int flags) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment slot = Native.newErrnoSlot(a);
            int r;
            try {
                r = (int) LINKAT.invokeExact(slot, olddirfd, a.allocateFrom(oldname), newdirfd, a.allocateFrom(newname), flags);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (r < 0) throw fail("linkat", newname, slot);
        }
    }

    @Override
    public void unlinkat(int dirfd, String name, int flags) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment slot = Native.newErrnoSlot(a);
            int r;
            try {
                r = (int) UNLINKAT.invokeExact(slot, dirfd, a.allocateFrom(name), flags);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (r < 0) throw fail("unlinkat", name, slot);
        }
    }

    @Override
    public void renameat2(int olddirfd, String oldname, int newdirfd, String newname, int flags) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment slot = Native.newErrnoSlot(a);
            int r;
            try {
                r = (int) RENAMEAT2.invokeExact(slot, olddirfd, a.allocateFrom(oldname), newdirfd, a.allocateFrom(newname), flags);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (r < 0) throw fail("renameat2", newname, slot);
        }
    }

    @Override
    public void fchownat(int dirfd, String name, int uid, int gid, int flags) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment slot = Native.newErrnoSlot(a);
            int r;
            try {
                r = (int) FCHOWNAT.invokeExact(slot, dirfd, a.allocateFrom(name), uid, gid, flags);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (r < 0) throw fail("lchown", name, slot);
        }
    }

    @Override
    public void fchown(int fd, int uid, int gid) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment slot = Native.newErrnoSlot(a);
            int r;
            try {
                r = (int) FCHOWN.invokeExact(slot, fd, uid, gid);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (r < 0) throw fail("fchown", null, slot);
        }
    }

    @Override
    public void fchmod(int fd, int mode) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment slot = Native.newErrnoSlot(a);
            int r;
            try {
                r = (int) FCHMOD.invokeExact(slot, fd, mode);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (r < 0) throw fail("fchmod", null, slot);
        }
    }

    @Override
    public void fchmodat(int dirfd, String name, int mode) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment slot = Native.newErrnoSlot(a);
            int r;
            try {
                r = (int) FCHMODAT.invokeExact(slot, dirfd, a.allocateFrom(name), mode, 0);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (r < 0) throw fail("fchmodat", name, slot);
        }
    }

    private static MemorySegment times(Arena a, long as, long an, long ms, long mn) {
        MemorySegment ts = a.allocate(32, 8);
        ts.set(ValueLayout.JAVA_LONG, 0, as);
        ts.set(ValueLayout.JAVA_LONG, 8, an);
        ts.set(ValueLayout.JAVA_LONG, 16, ms);
        ts.set(ValueLayout.JAVA_LONG, 24, mn);
        return ts;
    }

    @Override
    public void utimensat(int dirfd, String name, long as, long an, long ms, long mn, int flags) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment slot = Native.newErrnoSlot(a);
            int r;
            try {
                r = (int) UTIMENSAT.invokeExact(slot, dirfd, a.allocateFrom(name), times(a, as, an, ms, mn), flags);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (r < 0) throw fail("utimensat", name, slot);
        }
    }

    @Override
    public void futimens(int fd, long as, long an, long ms, long mn) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment slot = Native.newErrnoSlot(a);
            int r;
            try {
                r = (int) FUTIMENS.invokeExact(slot, fd, times(a, as, an, ms, mn));
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (r < 0) throw fail("futimens", null, slot);
        }
    }

    @Override
    public void fsetxattr(int fd, String name, byte[] value) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment slot = Native.newErrnoSlot(a);
            MemorySegment v = a.allocate(Math.max(1, value.length));
            MemorySegment.copy(value, 0, v, ValueLayout.JAVA_BYTE, 0, value.length);
            int r;
            try {
                r = (int) FSETXATTR.invokeExact(slot, fd, a.allocateFrom(name), v, (long) value.length, 0);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (r < 0) throw fail("fsetxattr " + name, null, slot);
        }
    }

    @Override
    public void lsetxattr(String path, String name, byte[] value) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment slot = Native.newErrnoSlot(a);
            MemorySegment v = a.allocate(Math.max(1, value.length));
            MemorySegment.copy(value, 0, v, ValueLayout.JAVA_BYTE, 0, value.length);
            int r;
            try {
                r = (int) LSETXATTR.invokeExact(slot, a.allocateFrom(path), a.allocateFrom(name), v, (long) value.length, 0);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (r < 0) throw fail("lsetxattr " + name, path, slot);
        }
    }

    @Override
    public byte[] lgetxattr(String path, String name) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment slot = Native.newErrnoSlot(a);
            MemorySegment v = a.allocate(65536);
            long r;
            try {
                r = (long) LGETXATTR.invokeExact(slot, a.allocateFrom(path), a.allocateFrom(name), v, 65536L);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (r < 0) {
                if (Native.errno(slot) == Errno.ENODATA) return null;
                throw fail("lgetxattr " + name, path, slot);
            }
            return v.asSlice(0, r).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    @Override
    public java.util.List<String> llistxattr(String path) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment slot = Native.newErrnoSlot(a);
            MemorySegment v = a.allocate(65536);
            long r;
            try {
                r = (long) LLISTXATTR.invokeExact(slot, a.allocateFrom(path), v, 65536L);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (r < 0) throw fail("llistxattr", path, slot);
            java.util.List<String> names = new java.util.ArrayList<>();
            long start = 0;
            for (long i = 0; i < r; i++) {
                if (v.get(ValueLayout.JAVA_BYTE, i) == 0) {
                    names.add(new String(v.asSlice(start, i - start).toArray(ValueLayout.JAVA_BYTE), java.nio.charset.StandardCharsets.UTF_8));
                    start = i + 1;
                }
            }
            return names;
        }
    }

    @Override
    public Stat lstatat(int dirfd, String name) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment slot = Native.newErrnoSlot(a);
            MemorySegment buf = a.allocate(256, 8);
            int r;
            try {
                r = (int) STATX.invokeExact(slot, dirfd, a.allocateFrom(name), AT_SYMLINK_NOFOLLOW | (name.isEmpty() ? AT_EMPTY_PATH : 0),
                        STATX_BASIC_STATS, buf);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (r < 0) throw fail("statx", name, slot);
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
                    r = (long) PWRITE.invokeExact(slot, fd, buf.asSlice(done), len - done, offset + done);
                } catch (Throwable t) {
                    throw rethrow(t);
                }
                if (r < 0) {
                    if (Native.errno(slot) == Errno.EINTR) continue;
                    throw fail("pwrite", null, slot);
                }
                done += r;
            }
        }
    }

    @Override
    public void pwriteFully(int fd, byte[] buf, int len, long offset) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment slot = Native.newErrnoSlot(a);
            MemorySegment heap = MemorySegment.ofArray(buf);
            long done = 0;
            while (done < len) {
                long r;
                try {
                    r = (long) PWRITE_HEAP.invokeExact(slot, fd, heap.asSlice(done), len - done, offset + done);
                } catch (Throwable t) {
                    throw rethrow(t);
                }
                if (r < 0) {
                    if (Native.errno(slot) == Errno.EINTR) continue;
                    throw fail("pwrite", null, slot);
                }
                done += r;
            }
        }
    }

    @Override
    public void ftruncate(int fd, long length) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment slot = Native.newErrnoSlot(a);
            int r;
            try {
                r = (int) FTRUNCATE.invokeExact(slot, fd, length);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (r < 0) throw fail("ftruncate", null, slot);
        }
    }

    @Override
    public int geteuid() {
        try {
            return (int) GETEUID.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
