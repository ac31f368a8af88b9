package oci.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Process and file-descriptor calls the runtime makes from Java: signals through pidfds (so a
 * recycled pid is never signalled), and the non-blocking fifo open/poll/read of `oci start`.
 * No policy here; each call throws {@link ErrnoException} naming the call and its object.
 * Each handle lives in its own holder class, made on first use: linking a downcall costs start-up
 * time, and a command makes only a few of these calls.
 */
public final class ProcessCalls {
    private ProcessCalls() {}

    private static final long SYS_PIDFD_SEND_SIGNAL = 424, SYS_PIDFD_OPEN = 434;
    /** prctl's and wait4's numbers (asm/unistd*.h); wait4 -1 where not known here (libc's waitpid then). */
    private static final long SYS_PRCTL, SYS_WAIT4;

    static {
        switch (System.getProperty("os.arch")) {
            case "aarch64" -> {
                SYS_PRCTL = 167;
                SYS_WAIT4 = 260;
            }
            case "amd64", "x86_64" -> {
                SYS_PRCTL = 157;
                SYS_WAIT4 = 61;
            }
            default -> {
                SYS_PRCTL = 157;
                SYS_WAIT4 = -1;
            }
        }
    }
    private static final int PR_SET_CHILD_SUBREAPER = 36, PR_GET_DUMPABLE = 3, WNOHANG = 1;
    public static final int O_RDONLY = 0, O_WRONLY = 1, O_NONBLOCK = 04000, O_CLOEXEC = 02000000;
    public static final short POLLIN = 1, POLLHUP = 0x10;
    public static final int MNT_DETACH = 2;

    private static final class SYSCALL3 {
        static final MethodHandle H = Native.downcall("syscall",
                FunctionDescriptor.of(Native.LONG, Native.LONG, Native.LONG, Native.LONG, Native.LONG, Native.LONG));
    }
    private static final class KILL {
        static final MethodHandle H = Native.downcall("kill", FunctionDescriptor.of(Native.INT, Native.INT, Native.INT));
    }
    private static final class OPEN {
        static final MethodHandle H = Native.downcall("open",
                FunctionDescriptor.of(Native.INT, Native.POINTER, Native.INT, Native.INT));
    }
    private static final class READ {
        static final MethodHandle H = Native.downcall("read",
                FunctionDescriptor.of(Native.LONG, Native.INT, Native.POINTER, Native.LONG));
    }
    private static final class CLOSE {
        static final MethodHandle H = Native.downcall("close", FunctionDescriptor.of(Native.INT, Native.INT));
    }
    private static final class POLL {
        static final MethodHandle H = Native.downcall("poll",
                FunctionDescriptor.of(Native.INT, Native.POINTER, Native.LONG, Native.INT));
    }
    private static final class MKFIFO {
        static final MethodHandle H = Native.downcall("mkfifo", FunctionDescriptor.of(Native.INT, Native.POINTER, Native.INT));
    }
    private static final class ISATTY {
        static final MethodHandle H = Native.downcallNoErrno("isatty", FunctionDescriptor.of(Native.INT, Native.INT));
    }
    private static final class UMOUNT2 {
        static final MethodHandle H = Native.downcall("umount2", FunctionDescriptor.of(Native.INT, Native.POINTER, Native.INT));
    }
    private static final class WAITPID {
        static final MethodHandle H = Native.downcall("waitpid", FunctionDescriptor.of(Native.INT, Native.INT, Native.POINTER, Native.INT));
    }
    private static final class GETEUID {
        static final MethodHandle H = Native.downcallNoErrno("geteuid", FunctionDescriptor.of(Native.INT));
    }

    /** kill(2). @see <a href="https://man7.org/linux/man-pages/man2/kill.2.html">kill(2)</a> */
    public static void kill(int pid, int signal) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment e = Native.newErrnoSlot(a);
            if ((int) KILL.H.invokeExact(e, pid, signal) < 0) throw new ErrnoException("kill", Integer.toString(pid), Native.errno(e));
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** pidfd_open(2): an fd that keeps naming this process even if its pid is reused. */
    public static int pidfdOpen(int pid) throws ErrnoException {
        return (int) syscall("pidfd_open", Integer.toString(pid), SYS_PIDFD_OPEN, pid, 0, 0);
    }

    /** pidfd_send_signal(2). */
    public static void pidfdSendSignal(int pidfd, int signal) throws ErrnoException {
        syscall("pidfd_send_signal", "pidfd " + pidfd, SYS_PIDFD_SEND_SIGNAL, pidfd, signal, 0);
    }

    private static long syscall(String name, String object, long nr, long a1, long a2, long a3) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment e = Native.newErrnoSlot(a);
            long r = (long) SYSCALL3.H.invokeExact(e, nr, a1, a2, a3, 0L);
            if (r < 0) throw new ErrnoException(name, object, Native.errno(e));
            return r;
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** open(2) with {@code flags} (O_CLOEXEC is always added). */
    public static int open(String path, int flags) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment e = Native.newErrnoSlot(a);
            int fd = (int) OPEN.H.invokeExact(e, a.allocateFrom(path), flags | O_CLOEXEC, 0);
            if (fd < 0) throw new ErrnoException("open", path, Native.errno(e));
            return fd;
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** read(2) of up to {@code max} bytes; an empty array at end of file. */
    public static byte[] read(int fd, int max) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment e = Native.newErrnoSlot(a);
            MemorySegment buf = a.allocate(max);
            long n = (long) READ.H.invokeExact(e, fd, buf, (long) max);
            if (n < 0) throw new ErrnoException("read", "fd " + fd, Native.errno(e));
            return buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** poll(2) on one fd; returns the revents (0 on timeout). */
    public static int poll(int fd, short events, int timeoutMillis) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment e = Native.newErrnoSlot(a);
            MemorySegment pfd = a.allocate(8, 4);
            pfd.set(ValueLayout.JAVA_INT, 0, fd);
            pfd.set(ValueLayout.JAVA_SHORT, 4, events);
            int r = (int) POLL.H.invokeExact(e, pfd, 1L, timeoutMillis);
            if (r < 0) {
                int err = Native.errno(e);
                if (err == Errno.EINTR) return 0;
                throw new ErrnoException("poll", "fd " + fd, err);
            }
            return r == 0 ? 0 : pfd.get(ValueLayout.JAVA_SHORT, 6);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    public static void close(int fd) {
        try (Arena a = Arena.ofConfined()) {
            int ignored = (int) CLOSE.H.invokeExact(Native.newErrnoSlot(a), fd);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** mkfifo(3) with {@code mode} (subject to the umask). */
    public static void mkfifo(String path, int mode) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment e = Native.newErrnoSlot(a);
            if ((int) MKFIFO.H.invokeExact(e, a.allocateFrom(path), mode) < 0) throw new ErrnoException("mkfifo", path, Native.errno(e));
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** isatty(3): whether {@code fd} is a terminal. */
    public static boolean isatty(int fd) {
        try {
            return (int) ISATTY.H.invokeExact(fd) == 1;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** umount2(2): what a container without a mount namespace of its own left mounted in the host's. */
    public static void umount2(String path, int flags) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment e = Native.newErrnoSlot(a);
            if ((int) UMOUNT2.H.invokeExact(e, a.allocateFrom(path), flags) < 0) throw new ErrnoException("umount2", path, Native.errno(e));
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * prctl(PR_SET_CHILD_SUBREAPER): orphaned descendants of this process (a container's process
     * once the setup process that forked it has exited) become its children, to be waited for.
     */
    public static void setChildSubreaper() throws ErrnoException {
        syscall("prctl", "PR_SET_CHILD_SUBREAPER", SYS_PRCTL, PR_SET_CHILD_SUBREAPER, 1, 0);
    }

    /**
     * waitpid(2) for child {@code pid}: its exit code, 128+N when signal N killed it (the shell's
     * convention). With {@code noHang}, -1 while it still runs. Retried on EINTR.
     */
    public static int waitpid(int pid, boolean noHang) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment e = Native.newErrnoSlot(a);
            MemorySegment status = a.allocate(ValueLayout.JAVA_INT);
            int options = noHang ? WNOHANG : 0;
            for (;;) {
                // wait4(pid, status, options, NULL) is waitpid (glibc's waitpid makes that call), made
                // through the syscall handle that prctl links already: one downcall shape less to
                // link on a foreground run's way (~10 ms of CPU).
                int r = SYS_WAIT4 < 0 ? (int) WAITPID.H.invokeExact(e, pid, status, options)
                        : (int) (long) SYSCALL3.H.invokeExact(e, SYS_WAIT4, (long) pid, status.address(), (long) options, 0L);
                if (r == 0) return -1;
                if (r > 0) {
                    int st = status.get(ValueLayout.JAVA_INT, 0);
                    return (st & 0x7f) == 0 ? (st >> 8) & 0xff : 128 + (st & 0x7f);
                }
                int err = Native.errno(e);
                if (err != Errno.EINTR) throw new ErrnoException("waitpid", Integer.toString(pid), err);
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    public static int geteuid() {
        try {
            return (int) GETEUID.H.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * Links the downcall a foreground run makes on its way (syscall: prctl to become the subreaper,
     * wait4 for the container's exit) and makes it once, harmlessly, so that linking it and
     * generating its first call's code, ~10 ms of CPU, can be done on another thread while the
     * caller reads its input. Changes nothing: prctl(PR_GET_DUMPABLE) only asks. (kill and geteuid
     * are not among them: a run calls kill only when it forwards a signal.)
     */
    public static void warmUp() {
        try {
            syscall("prctl", "PR_GET_DUMPABLE", SYS_PRCTL, PR_GET_DUMPABLE, 0, 0);
        } catch (ErrnoException ignored) {
            // linked all the same
        }
        if (SYS_WAIT4 < 0) java.util.Objects.requireNonNull(WAITPID.H);
    }
}
