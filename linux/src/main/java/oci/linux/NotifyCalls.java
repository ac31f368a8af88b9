package oci.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * eventfd(2), for cgroup v1 memory notifications (cgroup.event_control takes an eventfd and the
 * file to watch; the kernel signals the eventfd on each event: memory.oom_control on an OOM).
 *
 * @see <a href="https://docs.kernel.org/admin-guide/cgroup-v1/memory.html">cgroup-v1 memory, "OOM Control"</a>
 */
public final class NotifyCalls {
    private NotifyCalls() {}

    public static final int EFD_CLOEXEC = 02000000;

    private static final class EVENTFD {
        static final MethodHandle H = Native.downcall("eventfd", FunctionDescriptor.of(Native.INT, Native.INT, Native.INT));
    }

    /** eventfd(2): a new event counter, read as 8 bytes. */
    public static int eventfd(int initval, int flags) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment e = Native.newErrnoSlot(a);
            int fd = (int) EVENTFD.H.invokeExact(e, initval, flags);
            if (fd < 0) throw new ErrnoException("eventfd", null, Native.errno(e));
            return fd;
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
