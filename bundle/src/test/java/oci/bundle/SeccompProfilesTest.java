package oci.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import oci.bundle.spec.RuntimeSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The default profile resolves per architecture and capability set, as docker's does. */
class SeccompProfilesTest {
    @TempDir
    Path tmp;

    static Set<String> allowed(RuntimeSpec.Seccomp s) {
        return s.syscalls.stream().filter(c -> c.action.equals("SCMP_ACT_ALLOW") && c.args == null)
                .flatMap(c -> c.names.stream()).collect(Collectors.toSet());
    }

    @Test
    void defaultDeniesWithEperm() {
        RuntimeSpec.Seccomp s = SeccompProfiles.defaultProfile("amd64", Capabilities.CONTAINER_DEFAULT);
        assertEquals("SCMP_ACT_ERRNO", s.defaultAction);
        assertEquals(1, s.defaultErrnoRet);
        assertEquals(List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"), s.architectures);
        Set<String> a = allowed(s);
        assertTrue(a.containsAll(Set.of("read", "write", "execve", "openat", "arch_prctl", "chroot")));
        for (String denied : List.of("mount", "unshare", "setns", "keyctl", "add_key", "kexec_load", "swapon", "reboot", "bpf", "userfaultfd")) {
            assertFalse(a.contains(denied), denied);
        }
    }

    @Test
    void architectureRules() {
        RuntimeSpec.Seccomp arm = SeccompProfiles.defaultProfile("arm64", Capabilities.CONTAINER_DEFAULT);
        assertEquals(List.of("SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"), arm.architectures);
        assertTrue(allowed(arm).contains("cacheflush"));
        assertFalse(allowed(arm).contains("arch_prctl"));
        RuntimeSpec.Seccomp s390 = SeccompProfiles.defaultProfile("s390x", Capabilities.CONTAINER_DEFAULT);
        RuntimeSpec.Syscall clone = s390.syscalls.stream().filter(c -> c.names.equals(List.of("clone"))).findFirst().orElseThrow();
        assertEquals(1, clone.args.getFirst().index, "s390 passes clone's flags second");
    }

    @Test
    void capabilityRules() {
        RuntimeSpec.Seccomp plain = SeccompProfiles.defaultProfile("amd64", Capabilities.CONTAINER_DEFAULT);
        assertTrue(plain.syscalls.stream().anyMatch(c -> c.names.equals(List.of("clone3")) && c.errnoRet == 38));
        List<String> admin = Capabilities.apply(Capabilities.CONTAINER_DEFAULT, List.of("SYS_ADMIN", "SYS_PTRACE"), List.of("SYS_CHROOT"));
        RuntimeSpec.Seccomp s = SeccompProfiles.defaultProfile("amd64", admin);
        Set<String> a = allowed(s);
        assertTrue(a.containsAll(Set.of("mount", "unshare", "setns", "clone", "clone3", "kcmp", "pidfd_getfd")));
        assertFalse(a.contains("chroot"));
        assertFalse(s.syscalls.stream().anyMatch(c -> c.names.equals(List.of("clone3")) && c.errnoRet != null));
    }

    @Test
    void profileFileProblemsNamed() throws Exception {
        Path f = Files.writeString(tmp.resolve("p.json"), "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_NOPE\"}]}");
        assertEquals("seccomp profile " + f + ": $.syscalls[0].action: unknown action \"SCMP_ACT_NOPE\"",
                org.junit.jupiter.api.Assertions.assertThrows(BundleException.class,
                        () -> SeccompProfiles.fromFile(f, "amd64", List.of())).getMessage());
        Files.writeString(f, "{\"syscalls\": []}");
        assertEquals("seccomp profile " + f + ": defaultAction is missing",
                org.junit.jupiter.api.Assertions.assertThrows(BundleException.class,
                        () -> SeccompProfiles.fromFile(f, "amd64", List.of())).getMessage());
        Files.writeString(f, "{not json");
        assertTrue(org.junit.jupiter.api.Assertions.assertThrows(BundleException.class,
                () -> SeccompProfiles.fromFile(f, "amd64", List.of())).getMessage().startsWith("read seccomp profile " + f + ": "));
    }
}
