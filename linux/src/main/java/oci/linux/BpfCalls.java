package oci.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The two bpf(2) commands a cgroup v2 device filter needs: load a program and attach it to a
 * cgroup directory. No policy here: the program is built by the caller; each call throws
 * {@link ErrnoException} naming the call and its object.
 *
 * @see <a href="https://man7.org/linux/man-pages/man2/bpf.2.html">bpf(2)</a>
 * @see <a href="https://docs.kernel.org/bpf/prog_cgroup_sysctl.html">union bpf_attr (linux/bpf.h)</a>
 */
public final class BpfCalls {
    private BpfCalls() {}

    public static final int BPF_PROG_TYPE_CGROUP_DEVICE = 15, BPF_CGROUP_DEVICE = 6, BPF_F_ALLOW_MULTI = 2;
    private static final int BPF_PROG_LOAD = 5, BPF_PROG_ATTACH = 8;
    /** sizeof(union bpf_attr) is larger on newer kernels; they accept a shorter, zero-padded one. */
    private static final int ATTR_SIZE = 144, LOG_SIZE = 1 << 16;
    private static final int O_RDONLY = 0, O_DIRECTORY = 0200000, O_CLOEXEC = 02000000;

    private static final class SYSCALL3 {
        static final MethodHandle H = Native.downcall("syscall",
                FunctionDescriptor.of(Native.LONG, Native.LONG, Native.LONG, Native.POINTER, Native.LONG));
    }
    private static final class OPEN {
        static final MethodHandle H = Native.downcall("open", FunctionDescriptor.of(Native.INT, Native.POINTER, Native.INT, Native.INT));
    }

    /** bpf's syscall number on this machine (asm/unistd*.h), or -1 where it is not known here. */
    static long sysBpf() {
        return switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> 321;
            case "aarch64", "riscv64" -> 280;
            case "ppc64le", "ppc64" -> 361;
            case "s390x" -> 351;
            default -> -1;
        };
    }

    /**
     * BPF_PROG_LOAD: loads {@code insns} (8 bytes each, host byte order) as a program of
     * {@code type}. Returns the program's fd (close-on-exec); the verifier's log is in the error.
     */
    public static int progLoad(int type, byte[] insns, String license) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment code = a.allocate(insns.length, 8);
            code.copyFrom(MemorySegment.ofArray(insns));
            MemorySegment lic = a.allocateFrom(license);
            MemorySegment log = a.allocate(LOG_SIZE);
            MemorySegment attr = a.allocate(ATTR_SIZE, 8);
            attr.set(ValueLayout.JAVA_INT, 0, type);
            attr.set(ValueLayout.JAVA_INT, 4, insns.length / 8);
            attr.set(ValueLayout.JAVA_LONG, 8, code.address());
            attr.set(ValueLayout.JAVA_LONG, 16, lic.address());
            attr.set(ValueLayout.JAVA_INT, 24, 1); // log_level
            attr.set(ValueLayout.JAVA_INT, 28, LOG_SIZE);
            attr.set(ValueLayout.JAVA_LONG, 32, log.address());
            try {
                return (int) bpf(a, BPF_PROG_LOAD, attr, "BPF_PROG_LOAD", "program of type " + type);
            } catch (ErrnoException e) {
                String verifier = log.getString(0).strip();
                if (verifier.isEmpty()) throw e;
                throw new ErrnoException("BPF_PROG_LOAD", "program of type " + type + " (verifier: "
                        + verifier.replace('\n', ' ') + ")", e.errno());
            }
        }
    }

    /** BPF_PROG_ATTACH of program {@code progFd} to the cgroup directory {@code cgroupDir}. */
    public static void progAttach(String cgroupDir, int progFd, int attachType, int flags) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment e = Native.newErrnoSlot(a);
            int dir = (int) OPEN.H.invokeExact(e, a.allocateFrom(cgroupDir), O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
            if (dir < 0) throw new ErrnoException("open", cgroupDir, Native.errno(e));
            try {
                MemorySegment attr = a.allocate(ATTR_SIZE, 8);
                attr.set(ValueLayout.JAVA_INT, 0, dir);
                attr.set(ValueLayout.JAVA_INT, 4, progFd);
                attr.set(ValueLayout.JAVA_INT, 8, attachType);
                attr.set(ValueLayout.JAVA_INT, 12, flags);
                bpf(a, BPF_PROG_ATTACH, attr, "BPF_PROG_ATTACH", cgroupDir);
            } finally {
                ProcessCalls.close(dir);
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static long bpf(Arena a, int cmd, MemorySegment attr, String call, String object) throws ErrnoException {
        long nr = sysBpf();
        if (nr < 0) throw new ErrnoException(call, object + " (no bpf syscall number for " + System.getProperty("os.arch") + ")", Errno.ENOSYS);
        try {
            MemorySegment e = Native.newErrnoSlot(a);
            long r = (long) SYSCALL3.H.invokeExact(e, nr, (long) cmd, attr, (long) ATTR_SIZE);
            if (r < 0) throw new ErrnoException(call, object, Native.errno(e));
            return r;
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
