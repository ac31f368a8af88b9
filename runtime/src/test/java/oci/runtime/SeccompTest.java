package oci.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import oci.bundle.spec.RuntimeSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The compiled programs, run by a small classic-BPF interpreter (the subset the compiler emits)
 * on hand-made seccomp_data: what the kernel would decide for each call.
 */
class SeccompTest {
    static final int X86_64 = 0xC000003E, I386 = 0x40000003, AARCH64 = 0xC00000B7, ARM = 0x40000028, RISCV64 = 0xC00000F3,
            X32_BIT = 0x40000000;
    static final int MKDIR = 83, MKDIRAT = 258, PERSONALITY = 135, WRITE = 1, CLONE = 56;

    /** Runs {@code prog} on (arch, nr, args) and returns the SECCOMP_RET_* value. */
    static int eval(byte[] prog, int arch, int nr, long... args) {
        ByteBuffer data = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        data.putInt(0, nr).putInt(4, arch);
        for (int i = 0; i < args.length; i++) data.putLong(16 + 8 * i, args[i]);
        ByteBuffer p = ByteBuffer.wrap(prog).order(ByteOrder.nativeOrder());
        int acc = 0;
        for (int pc = 0; pc < prog.length / 8; ) {
            int code = p.getShort(pc * 8) & 0xffff, jt = p.get(pc * 8 + 2) & 0xff, jf = p.get(pc * 8 + 3) & 0xff, k = p.getInt(pc * 8 + 4);
            switch (code) {
                case 0x20 -> { acc = data.getInt(k); pc++; }
                case 0x54 -> { acc &= k; pc++; }
                case 0x15 -> pc += 1 + (acc == k ? jt : jf);
                case 0x25 -> pc += 1 + (Integer.compareUnsigned(acc, k) > 0 ? jt : jf);
                case 0x35 -> pc += 1 + (Integer.compareUnsigned(acc, k) >= 0 ? jt : jf);
                case 0x05 -> pc += 1 + k;
                case 0x06 -> { return k; }
                default -> throw new AssertionError("unexpected opcode " + code);
            }
        }
        throw new AssertionError("fell off the end of the program");
    }

    static RuntimeSpec.Seccomp profile(String dflt, RuntimeSpec.Syscall... rules) {
        RuntimeSpec.Seccomp s = new RuntimeSpec.Seccomp();
        s.defaultAction = dflt;
        s.architectures = List.of("SCMP_ARCH_X86_64");
        s.syscalls = List.of(rules);
        return s;
    }

    static RuntimeSpec.Syscall rule(String action, Integer errno, List<String> names, RuntimeSpec.SyscallArg... args) {
        RuntimeSpec.Syscall r = new RuntimeSpec.Syscall();
        r.names = names;
        r.action = action;
        r.errnoRet = errno;
        r.args = args.length == 0 ? null : List.of(args);
        return r;
    }

    static RuntimeSpec.SyscallArg arg(int index, String op, long value, Long two) {
        RuntimeSpec.SyscallArg a = new RuntimeSpec.SyscallArg();
        a.index = index;
        a.op = op;
        a.value = value;
        a.valueTwo = two;
        return a;
    }

    @Test
    void denyListWithErrno() {
        byte[] p = Seccomp.compile(profile("SCMP_ACT_ALLOW", rule("SCMP_ACT_ERRNO", 13, List.of("mkdir", "mkdirat", "not_a_syscall")))).bytes();
        assertEquals(Seccomp.RET_ERRNO | 13, eval(p, X86_64, MKDIR));
        assertEquals(Seccomp.RET_ERRNO | 13, eval(p, X86_64, MKDIRAT));
        assertEquals(Seccomp.RET_ALLOW, eval(p, X86_64, WRITE));
    }

    @Test
    void allowListDefaultErrnoIsEperm() {
        byte[] p = Seccomp.compile(profile("SCMP_ACT_ERRNO", rule("SCMP_ACT_ALLOW", null, List.of("write")))).bytes();
        assertEquals(Seccomp.RET_ALLOW, eval(p, X86_64, WRITE));
        assertEquals(Seccomp.RET_ERRNO | 1, eval(p, X86_64, MKDIR));
    }

    @Test
    void architecturesNotInTheFilterGetTheBadArchActionAndX32IsOneOfThem() {
        // Only the native x86_64: libseccomp's bad-arch action (SCMP_ACT_KILL, kept by runc) for
        // i386, aarch64, and x32 numbers under AUDIT_ARCH_X86_64; -1 (a tracer's skip) is not x32.
        byte[] p = Seccomp.compile(profile("SCMP_ACT_ALLOW", rule("SCMP_ACT_ERRNO", 13, List.of("mkdir"))), Seccomp.Arch.X86_64).bytes();
        assertEquals(Seccomp.RET_KILL_THREAD, eval(p, I386, WRITE));
        assertEquals(Seccomp.RET_KILL_THREAD, eval(p, AARCH64, 34));
        assertEquals(Seccomp.RET_KILL_THREAD, eval(p, X86_64, X32_BIT | MKDIR));
        assertEquals(Seccomp.RET_KILL_THREAD, eval(p, X86_64, X32_BIT | WRITE));
        assertEquals(Seccomp.RET_ALLOW, eval(p, X86_64, -1));
        assertEquals(Seccomp.RET_ERRNO | 13, eval(p, X86_64, MKDIR));
        assertEquals(Seccomp.RET_ALLOW, eval(p, X86_64, WRITE));
    }

    /** One row: the native arch, the listed ones, then (arch data, syscall nr, expected) checks of a mkdir/mkdirat deny-list. */
    record ArchRow(String name, Seccomp.Arch nat, List<String> listed, List<int[]> checks) {
        @Override
        public String toString() {
            return name;
        }
    }

    static final int DENIED = Seccomp.RET_ERRNO | 13, ALLOWED = Seccomp.RET_ALLOW, BAD = Seccomp.RET_KILL_THREAD;

    static List<ArchRow> archRows() {
        return List.of(
                // Docker's default profile on amd64 lists x86_64, x86 and x32.
                new ArchRow("amd64 with x86 and x32", Seccomp.Arch.X86_64, List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"), List.of(
                        new int[] {X86_64, MKDIR, DENIED}, new int[] {X86_64, WRITE, ALLOWED},
                        new int[] {I386, 39, DENIED}, new int[] {I386, 296, DENIED}, new int[] {I386, MKDIR, ALLOWED}, new int[] {I386, 4, ALLOWED},
                        new int[] {X86_64, X32_BIT | MKDIR, DENIED}, new int[] {X86_64, X32_BIT | MKDIRAT, DENIED}, new int[] {X86_64, X32_BIT | WRITE, ALLOWED},
                        new int[] {AARCH64, 34, BAD}, new int[] {ARM, 39, BAD})),
                new ArchRow("amd64 with x86 only: x32 stays bad", Seccomp.Arch.X86_64, List.of("SCMP_ARCH_X86"), List.of(
                        new int[] {I386, 39, DENIED}, new int[] {X86_64, MKDIR, DENIED}, new int[] {X86_64, X32_BIT | WRITE, BAD})),
                new ArchRow("amd64 listing only x86: the native arch is still filtered", Seccomp.Arch.X86_64, List.of("SCMP_ARCH_X86"), List.of(
                        new int[] {X86_64, MKDIRAT, DENIED}, new int[] {X86_64, PERSONALITY, ALLOWED})),
                // Docker's default profile on arm64 lists aarch64 and arm.
                new ArchRow("arm64 with arm", Seccomp.Arch.AARCH64, List.of("SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"), List.of(
                        new int[] {AARCH64, 34, DENIED}, new int[] {AARCH64, MKDIR, ALLOWED}, new int[] {AARCH64, 64, ALLOWED},
                        new int[] {ARM, 39, DENIED}, new int[] {ARM, 323, DENIED}, new int[] {ARM, 34, ALLOWED},
                        new int[] {X86_64, MKDIR, BAD}, new int[] {I386, 39, BAD})),
                new ArchRow("arm64 alone: arm is bad", Seccomp.Arch.AARCH64, List.of(), List.of(
                        new int[] {AARCH64, 34, DENIED}, new int[] {ARM, 4, BAD})),
                new ArchRow("riscv64", Seccomp.Arch.RISCV64, List.of("SCMP_ARCH_RISCV64"), List.of(
                        new int[] {RISCV64, 34, DENIED}, new int[] {RISCV64, 64, ALLOWED}, new int[] {AARCH64, 34, BAD})),
                new ArchRow("ppc64le", Seccomp.Arch.PPC64LE, List.of(), List.of(
                        new int[] {0xC0000015, 39, DENIED}, new int[] {0xC0000015, 287, DENIED}, new int[] {0xC0000015, 4, ALLOWED})),
                new ArchRow("s390x", Seccomp.Arch.S390X, List.of("SCMP_ARCH_S390X"), List.of(
                        new int[] {0x80000016, 39, DENIED}, new int[] {0x80000016, 289, DENIED}, new int[] {0x80000016, 4, ALLOWED})));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("archRows")
    void eachArchitectureUsesItsOwnNumbers(ArchRow row) {
        RuntimeSpec.Seccomp s = profile("SCMP_ACT_ALLOW", rule("SCMP_ACT_ERRNO", 13, List.of("mkdir", "mkdirat")));
        s.architectures = row.listed();
        byte[] p = Seccomp.compile(s, row.nat()).bytes();
        for (int[] c : row.checks()) {
            assertEquals(c[2], eval(p, c[0], c[1]), String.format("arch 0x%08x nr 0x%x", c[0], c[1]));
        }
    }

    @Test
    void thirtyTwoBitAbisCompareTheLowWordOfArguments() {
        // -1 as a 64-bit value is 0xffffffff in a 32-bit ABI's register, and nothing else there.
        RuntimeSpec.Seccomp s = profile("SCMP_ACT_ERRNO", rule("SCMP_ACT_ALLOW", null, List.of("personality"), arg(0, "SCMP_CMP_EQ", -1L, null)));
        s.architectures = List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86");
        byte[] p = Seccomp.compile(s, Seccomp.Arch.X86_64).bytes();
        assertEquals(Seccomp.RET_ALLOW, eval(p, I386, 136, 0xffffffffL));
        assertEquals(Seccomp.RET_ERRNO | 1, eval(p, I386, 136, 0));
        assertEquals(Seccomp.RET_ERRNO | 1, eval(p, X86_64, PERSONALITY, 0xffffffffL));
        assertEquals(Seccomp.RET_ALLOW, eval(p, X86_64, PERSONALITY, -1L));
        RuntimeSpec.Seccomp m = profile("SCMP_ACT_ALLOW", rule("SCMP_ACT_ERRNO", 13, List.of("clone"), arg(0, "SCMP_CMP_MASKED_EQ", 0x10000000L, 0x10000000L)));
        m.architectures = List.of("SCMP_ARCH_ARM");
        byte[] q = Seccomp.compile(m, Seccomp.Arch.AARCH64).bytes();
        assertEquals(Seccomp.RET_ERRNO | 13, eval(q, ARM, 120, 0x10000011));
        assertEquals(Seccomp.RET_ALLOW, eval(q, ARM, 120, 0x11));
        assertEquals(Seccomp.RET_ERRNO | 13, eval(q, AARCH64, 220, 0x10000011));
    }

    @Test
    void unknownArchitecturesAreRefusedByName() {
        RuntimeSpec.Seccomp s = profile("SCMP_ACT_ALLOW");
        s.architectures = List.of("SCMP_ARCH_MIPS64");
        String msg = assertThrows(ContainerException.class, () -> Seccomp.compile(s, Seccomp.Arch.X86_64)).getMessage();
        assertTrue(msg.contains("SCMP_ARCH_MIPS64"), msg);
        s.architectures = List.of("x86_64");
        assertThrows(ContainerException.class, () -> Seccomp.compile(s, Seccomp.Arch.X86_64));
    }

    @Test
    void aLongAllowListOfThreeAbisFitsAndEveryNameIsMatched() {
        // Docker's shape: every x86_64 name allowed on x86_64, x86 and x32 (more than 255 names: chunked jumps).
        List<String> names = Seccomp.syscalls(Seccomp.Arch.X86_64).keySet().stream().filter(n -> !n.startsWith("mkdir")).sorted().toList();
        RuntimeSpec.Seccomp s = profile("SCMP_ACT_ERRNO", rule("SCMP_ACT_ALLOW", null, names));
        s.architectures = List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32");
        Seccomp.Program prog = Seccomp.compile(s, Seccomp.Arch.X86_64);
        assertTrue(prog.length() < 2000, "length " + prog.length());
        for (Seccomp.Arch a : List.of(Seccomp.Arch.X86_64, Seccomp.Arch.X86, Seccomp.Arch.X32)) {
            Map<String, Integer> t = Seccomp.syscalls(a);
            for (var e : t.entrySet()) {
                int want = e.getKey().startsWith("mkdir") || !names.contains(e.getKey()) ? Seccomp.RET_ERRNO | 1 : Seccomp.RET_ALLOW;
                assertEquals(want, eval(prog.bytes(), a.audit, e.getValue()), a + " " + e.getKey());
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}: arg {2} -> {3}")
    @CsvSource({
        "SCMP_CMP_EQ, 8, 8, true", "SCMP_CMP_EQ, 8, 9, false", "SCMP_CMP_EQ, 8, 4294967304, false",
        "SCMP_CMP_NE, 8, 8, false", "SCMP_CMP_NE, 8, 9, true", "SCMP_CMP_NE, 8, 4294967304, true",
        "SCMP_CMP_GT, 8, 9, true", "SCMP_CMP_GT, 8, 8, false", "SCMP_CMP_GT, 8, 4294967296, true", "SCMP_CMP_GT, 4294967296, 8, false",
        "SCMP_CMP_GE, 8, 8, true", "SCMP_CMP_GE, 8, 7, false",
        "SCMP_CMP_LT, 8, 7, true", "SCMP_CMP_LT, 8, 8, false", "SCMP_CMP_LT, 4294967296, 8, true", "SCMP_CMP_LT, 8, 4294967296, false",
        "SCMP_CMP_LE, 8, 8, true", "SCMP_CMP_LE, 8, 9, false",
    })
    void argumentComparisons(String op, long value, long actual, boolean matches) {
        byte[] p = Seccomp.compile(profile("SCMP_ACT_ERRNO",
                rule("SCMP_ACT_ALLOW", null, List.of("personality"), arg(0, op, value, null)))).bytes();
        assertEquals(matches ? Seccomp.RET_ALLOW : Seccomp.RET_ERRNO | 1, eval(p, X86_64, PERSONALITY, actual));
    }

    @Test
    void maskedEqualAndSeveralConditions() {
        // clone allowed unless it asks for a new user namespace (0x10000000), and only with arg 1 == 0.
        byte[] p = Seccomp.compile(profile("SCMP_ACT_ERRNO", rule("SCMP_ACT_ALLOW", null, List.of("clone"),
                arg(0, "SCMP_CMP_MASKED_EQ", 0x10000000L, 0L), arg(1, "SCMP_CMP_EQ", 0, null)))).bytes();
        assertEquals(Seccomp.RET_ALLOW, eval(p, X86_64, CLONE, 0x11, 0));
        assertEquals(Seccomp.RET_ERRNO | 1, eval(p, X86_64, CLONE, 0x10000011, 0));
        assertEquals(Seccomp.RET_ERRNO | 1, eval(p, X86_64, CLONE, 0x11, 5));
    }

    @Test
    void firstMatchingRuleWins() {
        byte[] p = Seccomp.compile(profile("SCMP_ACT_ALLOW",
                rule("SCMP_ACT_ALLOW", null, List.of("personality"), arg(0, "SCMP_CMP_EQ", 0, null)),
                rule("SCMP_ACT_KILL_PROCESS", null, List.of("personality")))).bytes();
        assertEquals(Seccomp.RET_ALLOW, eval(p, X86_64, PERSONALITY, 0));
        assertEquals(Seccomp.RET_KILL_PROCESS, eval(p, X86_64, PERSONALITY, 3));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"SCMP_ACT_KILL, 0", "SCMP_ACT_KILL_THREAD, 0", "SCMP_ACT_KILL_PROCESS, -2147483648", "SCMP_ACT_TRAP, 196608",
        "SCMP_ACT_LOG, 2147221504", "SCMP_ACT_ALLOW, 2147418112"})
    void actions(String action, int ret) {
        byte[] p = Seccomp.compile(profile("SCMP_ACT_ALLOW", rule(action, null, List.of("mkdir")))).bytes();
        assertEquals(ret, eval(p, X86_64, MKDIR));
    }

    @Test
    void flagsAndRefusals() {
        RuntimeSpec.Seccomp s = profile("SCMP_ACT_ALLOW");
        s.flags = List.of("SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW");
        assertEquals(6, Seccomp.compile(s).flags());
        s.flags = List.of("SECCOMP_FILTER_FLAG_BOGUS");
        assertThrows(ContainerException.class, () -> Seccomp.compile(s));
        RuntimeSpec.Seccomp n = profile("SCMP_ACT_ALLOW", rule("SCMP_ACT_NOTIFY", null, List.of("mkdir")));
        assertTrue(assertThrows(ContainerException.class, () -> Seccomp.compile(n)).getMessage().contains("not implemented"));
        RuntimeSpec.Seccomp bad = profile("SCMP_ACT_ALLOW", rule("SCMP_ACT_ALLOW", null, List.of("mkdir"), arg(7, "SCMP_CMP_EQ", 0, null)));
        assertThrows(ContainerException.class, () -> Seccomp.compile(bad));
    }

    @Test
    void syscallTableHasCommonCalls() {
        assertEquals(0, Seccomp.syscalls().get("read"));
        assertEquals(59, Seccomp.syscalls().get("execve"));
        assertEquals(437, Seccomp.syscalls().get("openat2"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"X86, 11, 4, 5", "X32, 1073742344, 1073741825, 1073741826", "AARCH64, 221, 64, -1", "ARM, 11, 4, 5", "RISCV64, 221, 64, -1",
        "PPC64LE, 11, 4, 5", "PPC64, 11, 4, 5", "PPC, 11, 4, 5", "S390X, 11, 4, 5", "S390, 11, 4, 5"})
    void everyArchitectureHasATable(Seccomp.Arch arch, int execve, int write, int open) {
        Map<String, Integer> t = Seccomp.syscalls(arch);
        assertEquals(execve, t.get("execve"));
        assertEquals(write, t.get("write"));
        assertEquals(open < 0 ? null : open, t.get("open"));
        assertEquals(437 | (arch == Seccomp.Arch.X32 ? X32_BIT : 0), t.get("openat2"));
    }
}
