package oci.linux;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The shared FFM plumbing of the libc bindings: the linker, the layouts, and errno captured per call
 * (each call passes its own capture segment, so several threads can make calls at once; no shared
 * mutable native state).
 *
 * <p>Binding classes ({@code FileCalls}, {@code ProcessCalls}, ...) hold {@code static final}
 * handles made with {@link #downcall} and pass {@link #newErrnoSlot} as the first argument.
 */
public final class Native {
    private Native() {}

    public static final Linker LINKER = Linker.nativeLinker();
    public static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    public static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    public static final AddressLayout POINTER = ValueLayout.ADDRESS;

    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    /** A handle to libc function {@code name} whose first argument is an errno capture segment. */
    public static MethodHandle downcall(String name, FunctionDescriptor fd) {
        MemorySegment addr = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(addr, fd, CAPTURE_ERRNO);
    }

    /** A handle without errno capture (for calls that cannot fail). */
    public static MethodHandle downcallNoErrno(String name, FunctionDescriptor fd) {
        MemorySegment addr = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(addr, fd);
    }

    /** A fresh errno capture slot in {@code arena}. */
    public static MemorySegment newErrnoSlot(Arena arena) {
        return arena.allocate(CAPTURE_LAYOUT);
    }

    /** The errno a call stored in {@code slot}. */
    public static int errno(MemorySegment slot) {
        return (int) ERRNO.get(slot, 0L);
    }
}
