package oci.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import oci.bundle.spec.RuntimeSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The compiled programs, run by a small classic-BPF interpreter (the subset the compiler emits)
 * on hand-made seccomp_data: what the kernel would decide for each call.
 */
class SeccompTest {
    static final int X86_64 = 0xC000003E, I386 = 0x40000003;
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
    void otherArchitecturesAreKilledAndX32GetsEnosys() {
        byte[] p = Seccomp.compile(profile("SCMP_ACT_ALLOW")).bytes();
        assertEquals(Seccomp.RET_KILL_PROCESS, eval(p, I386, WRITE));
        assertEquals(Seccomp.RET_ERRNO | 38, eval(p, X86_64, 0x40000000 | MKDIR));
        assertEquals(Seccomp.RET_ALLOW, eval(p, X86_64, MKDIR));
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
}
