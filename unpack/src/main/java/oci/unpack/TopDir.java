package oci.unpack;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import oci.linux.ErrnoException;
import oci.linux.FileCalls;

/**
 * Marks a directory as the top of directory hierarchies ({@code chattr +T}, FS_TOPDIR_FL): ext4's
 * Orlov allocator then places each directory made in it in a block group of its own choice (few
 * directories, at least average free inodes and blocks) instead of next to its parent, and the
 * files below follow their directory.
 *
 * <p>Why, for the snapshot scratch area: each layer becomes a tree of thousands of new inodes. On an
 * ext4 without a journal (this project's CI machines) every inode allocation first steps over the
 * inodes of its group freed in the last minute, reading each one's deletion time
 * (fs/ext4/ialloc.c, {@code recently_deleted}); after a large tree was removed nearby (the previous
 * bundle's store, a test's scratch) that walk took half the apply thread's time in perf (of
 * {@code oci bundle} on bench/pipeline.sh's image, right after its reset). Layers placed as
 * hierarchies of their own mostly land in groups without such inodes. On other file systems the
 * ioctl fails and nothing changes.
 *
 * @see <a href="https://man7.org/linux/man-pages/man2/ioctl_iflags.2.html">ioctl_iflags(2)</a>
 */
final class TopDir {
    private TopDir() {}

    /** FS_IOC_GETFLAGS, FS_IOC_SETFLAGS (x86-64, arm64: _IOR/_IOW('f', 1/2, long)); the value is an int. */
    private static final long GETFLAGS = 0x80086601L, SETFLAGS = 0x40086602L;
    private static final int FS_TOPDIR_FL = 0x00020000;

    private static final MethodHandle IOCTL = bind();

    private static MethodHandle bind() {
        try {
            Linker linker = Linker.nativeLinker();
            return linker.downcallHandle(linker.defaultLookup().find("ioctl").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS),
                    Linker.Option.firstVariadicArg(2));
        } catch (RuntimeException | LinkageError e) {
            return null; // an optimisation only
        }
    }

    /** Sets FS_TOPDIR_FL on {@code dir} if it lacks it; quietly does nothing where that cannot be done. */
    static void mark(Path dir) {
        if (IOCTL == null) return;
        FileCalls fs = FileCalls.system();
        int fd;
        try {
            fd = fs.openat(FileCalls.AT_FDCWD, dir.toString(),
                    FileCalls.O_RDONLY | FileCalls.O_DIRECTORY | FileCalls.O_NOFOLLOW | FileCalls.O_CLOEXEC, 0);
        } catch (ErrnoException e) {
            return;
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment flags = a.allocate(ValueLayout.JAVA_LONG); // room for a long, as the ioctl's name says
            if ((int) IOCTL.invokeExact(fd, GETFLAGS, flags) != 0) return;
            int f = flags.get(ValueLayout.JAVA_INT, 0);
            if ((f & FS_TOPDIR_FL) != 0) return;
            flags.set(ValueLayout.JAVA_INT, 0, f | FS_TOPDIR_FL);
            int ignored = (int) IOCTL.invokeExact(fd, SETFLAGS, flags);
        } catch (Throwable t) {
            // an optimisation only: the snapshot is the same without it
        } finally {
            try {
                fs.close(fd);
            } catch (ErrnoException ignored) {
                // a directory opened read-only
            }
        }
    }
}
