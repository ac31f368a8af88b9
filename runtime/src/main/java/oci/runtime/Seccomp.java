package oci.runtime;

import oci.bundle.spec.RuntimeSpec;

/** Compiles linux.seccomp to a classic BPF program. */
final class Seccomp {
    private Seccomp() {}

    record Program(int flags, byte[] bytes) {}

    static Program compile(RuntimeSpec.Seccomp s) {
        throw ContainerException.unsupported("linux.seccomp", "seccomp is not implemented yet");
    }
}
