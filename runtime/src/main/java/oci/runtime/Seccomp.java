package oci.runtime;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import oci.bundle.spec.RuntimeSpec;

/**
 * Compiles the OCI seccomp section (config-linux.md "Seccomp") to a classic BPF program for
 * seccomp(2) SECCOMP_SET_MODE_FILTER, without libseccomp.
 *
 * <p>Shape: check the architecture (only the native x86_64 passes; an x32 syscall gets ENOSYS, so
 * a deny-list cannot be bypassed through the x32 numbering), then one block per rule in config
 * order (first match wins): compare the syscall number, then each argument condition (all must
 * hold), then return the rule's action; finally the default action. A syscall name this
 * kernel's table does not know is skipped, as libseccomp does.
 *
 * @see <a href="https://docs.kernel.org/userspace-api/seccomp_filter.html">seccomp_filter</a>
 */
final class Seccomp {
    private Seccomp() {}

    /** The program and the seccomp(2) flags to load it with. */
    record Program(int flags, byte[] bytes) {
        int length() {
            return bytes.length / 8;
        }
    }

    static final int AUDIT_ARCH_X86_64 = 0xC000003E, X32_SYSCALL_BIT = 0x40000000;
    static final int RET_KILL_THREAD = 0, RET_KILL_PROCESS = 0x80000000, RET_TRAP = 0x00030000, RET_ERRNO = 0x00050000,
            RET_TRACE = 0x7ff00000, RET_LOG = 0x7ffc0000, RET_ALLOW = 0x7fff0000;
    static final int EPERM = 1, ENOSYS = 38;

    // BPF opcodes (linux/filter.h)
    static final short LD_W_ABS = 0x20, JEQ_K = 0x15, JGT_K = 0x25, JGE_K = 0x35, AND_K = 0x54, RET_K = 0x06;
    /** Offsets in struct seccomp_data. */
    static final int OFF_NR = 0, OFF_ARCH = 4, OFF_ARGS = 16;

    static final Map<String, Integer> FLAGS = Map.of("SECCOMP_FILTER_FLAG_TSYNC", 1, "SECCOMP_FILTER_FLAG_LOG", 2,
            "SECCOMP_FILTER_FLAG_SPEC_ALLOW", 4, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", 32);

    private static volatile Map<String, Integer> table;

    /** x86_64 syscall name to number (resource syscalls-x86_64.txt). */
    static Map<String, Integer> syscalls() {
        Map<String, Integer> t = table;
        if (t != null) return t;
        Map<String, Integer> m = new HashMap<>();
        try (InputStream in = Seccomp.class.getResourceAsStream("syscalls-x86_64.txt");
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII))) {
            for (String l; (l = r.readLine()) != null; ) {
                if (l.isBlank() || l.startsWith("#")) continue;
                String[] f = l.trim().split("\\s+");
                m.put(f[0], Integer.parseInt(f[1]));
            }
        } catch (IOException | NullPointerException e) {
            throw new ContainerException("read the syscall table: " + e);
        }
        table = Map.copyOf(m);
        return table;
    }

    /** One BPF instruction; a jump target of FAIL is patched to the end of its rule's block. */
    private record Insn(short code, int jt, int jf, int k) {}

    private static final int FAIL = -1;

    static Program compile(RuntimeSpec.Seccomp s) {
        if (!System.getProperty("os.arch").equals("amd64")) {
            throw ContainerException.unsupported("linux.seccomp", "the seccomp compiler only knows x86_64 syscall numbers");
        }
        if (s.listenerPath != null && !s.listenerPath.isEmpty()) {
            throw ContainerException.unsupported("linux.seccomp.listenerPath", "seccomp user notification is not implemented");
        }
        if (s.defaultAction == null) throw new ContainerException("linux.seccomp.defaultAction is missing");
        int flags = 0;
        for (String f : s.flags == null ? List.<String>of() : s.flags) {
            Integer v = FLAGS.get(f);
            if (v == null) throw new ContainerException("linux.seccomp.flags: unknown flag \"" + f + "\"");
            flags |= v;
        }
        int errnoDefault = s.defaultErrnoRet != null ? s.defaultErrnoRet : EPERM;
        int dflt = action(s.defaultAction, errnoDefault, "linux.seccomp.defaultAction");
        for (String a : s.architectures == null ? List.<String>of() : s.architectures) {
            if (!a.startsWith("SCMP_ARCH_")) throw new ContainerException("linux.seccomp.architectures: unknown \"" + a + "\"");
        }
        Map<String, Integer> nrs = syscalls();
        List<Insn> prog = new ArrayList<>();
        // Architecture: anything but x86_64 is killed (its numbers mean other syscalls).
        prog.add(new Insn(LD_W_ABS, 0, 0, OFF_ARCH));
        prog.add(new Insn(JEQ_K, 1, 0, AUDIT_ARCH_X86_64));
        prog.add(new Insn(RET_K, 0, 0, RET_KILL_PROCESS));
        prog.add(new Insn(LD_W_ABS, 0, 0, OFF_NR));
        prog.add(new Insn(JGE_K, 0, 1, X32_SYSCALL_BIT));
        prog.add(new Insn(RET_K, 0, 0, RET_ERRNO | ENOSYS));
        boolean accIsNr = true;
        for (RuntimeSpec.Syscall rule : s.syscalls == null ? List.<RuntimeSpec.Syscall>of() : s.syscalls) {
            if (rule.names == null || rule.names.isEmpty()) throw new ContainerException("linux.seccomp.syscalls: a rule has no names");
            int errno = rule.errnoRet != null ? rule.errnoRet : errnoDefault;
            int act = action(rule.action, errno, "linux.seccomp.syscalls[" + rule.names.getFirst() + "].action");
            for (String name : rule.names) {
                Integer nr = nrs.get(name);
                if (nr == null) continue; // unknown to this kernel's table: skipped, as libseccomp does
                List<Insn> block = new ArrayList<>();
                if (!accIsNr) block.add(new Insn(LD_W_ABS, 0, 0, OFF_NR));
                block.add(new Insn(JEQ_K, 0, FAIL, nr));
                for (RuntimeSpec.SyscallArg a : rule.args == null ? List.<RuntimeSpec.SyscallArg>of() : rule.args) {
                    condition(block, a, name);
                }
                block.add(new Insn(RET_K, 0, 0, act));
                accIsNr = rule.args == null || rule.args.isEmpty();
                // Patch FAIL to "the instruction after this block".
                for (int i = 0; i < block.size(); i++) {
                    Insn in = block.get(i);
                    int end = block.size() - i - 1;
                    if (in.jt() == FAIL || in.jf() == FAIL) {
                        if (end > 255) throw new ContainerException("linux.seccomp: rule for " + name + " is too long");
                        block.set(i, new Insn(in.code(), in.jt() == FAIL ? end : in.jt(), in.jf() == FAIL ? end : in.jf(), in.k()));
                    }
                }
                prog.addAll(block);
            }
        }
        prog.add(new Insn(RET_K, 0, 0, dflt));
        if (prog.size() > 4096) throw new ContainerException("linux.seccomp: the program has " + prog.size() + " instructions, more than the kernel's 4096");
        ByteBuffer b = ByteBuffer.allocate(prog.size() * 8).order(ByteOrder.nativeOrder());
        for (Insn i : prog) b.putShort(i.code()).put((byte) i.jt()).put((byte) i.jf()).putInt(i.k());
        return new Program(flags, b.array());
    }

    /** Appends a comparison of argument {@code a.index} that jumps to FAIL when it does not hold. */
    private static void condition(List<Insn> b, RuntimeSpec.SyscallArg a, String name) {
        if (a.index < 0 || a.index > 5) throw new ContainerException("linux.seccomp " + name + ": argument index " + a.index + " is not 0..5");
        if (a.op == null) throw new ContainerException("linux.seccomp " + name + ": argument condition has no op");
        int lo = OFF_ARGS + 8 * a.index, hi = lo + 4; // little-endian u64
        int vlo = (int) a.value, vhi = (int) (a.value >>> 32);
        switch (a.op) {
            case "SCMP_CMP_EQ" -> {
                b.add(new Insn(LD_W_ABS, 0, 0, hi));
                b.add(new Insn(JEQ_K, 0, FAIL, vhi));
                b.add(new Insn(LD_W_ABS, 0, 0, lo));
                b.add(new Insn(JEQ_K, 0, FAIL, vlo));
            }
            case "SCMP_CMP_NE" -> {
                b.add(new Insn(LD_W_ABS, 0, 0, hi));
                b.add(new Insn(JEQ_K, 0, 2, vhi));
                b.add(new Insn(LD_W_ABS, 0, 0, lo));
                b.add(new Insn(JEQ_K, FAIL, 0, vlo));
            }
            case "SCMP_CMP_GT", "SCMP_CMP_GE" -> {
                b.add(new Insn(LD_W_ABS, 0, 0, hi));
                b.add(new Insn(JGT_K, 3, 0, vhi));
                b.add(new Insn(JEQ_K, 0, FAIL, vhi));
                b.add(new Insn(LD_W_ABS, 0, 0, lo));
                b.add(new Insn(a.op.equals("SCMP_CMP_GT") ? JGT_K : JGE_K, 0, FAIL, vlo));
            }
            case "SCMP_CMP_LT", "SCMP_CMP_LE" -> {
                b.add(new Insn(LD_W_ABS, 0, 0, hi));
                b.add(new Insn(JGT_K, FAIL, 0, vhi));
                b.add(new Insn(JEQ_K, 0, 2, vhi));
                b.add(new Insn(LD_W_ABS, 0, 0, lo));
                b.add(new Insn(a.op.equals("SCMP_CMP_LT") ? JGE_K : JGT_K, FAIL, 0, vlo));
            }
            case "SCMP_CMP_MASKED_EQ" -> {
                long want = a.valueTwo == null ? 0 : a.valueTwo;
                b.add(new Insn(LD_W_ABS, 0, 0, hi));
                b.add(new Insn(AND_K, 0, 0, vhi));
                b.add(new Insn(JEQ_K, 0, FAIL, (int) (want >>> 32)));
                b.add(new Insn(LD_W_ABS, 0, 0, lo));
                b.add(new Insn(AND_K, 0, 0, vlo));
                b.add(new Insn(JEQ_K, 0, FAIL, (int) want));
            }
            default -> throw new ContainerException("linux.seccomp " + name + ": unknown op \"" + a.op + "\"");
        }
    }

    static int action(String name, int errno, String field) {
        if (name == null) throw new ContainerException(field + " is missing");
        return switch (name.toUpperCase(Locale.ROOT)) {
            case "SCMP_ACT_ALLOW" -> RET_ALLOW;
            case "SCMP_ACT_ERRNO" -> RET_ERRNO | (errno & 0xffff);
            case "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD" -> RET_KILL_THREAD;
            case "SCMP_ACT_KILL_PROCESS" -> RET_KILL_PROCESS;
            case "SCMP_ACT_TRAP" -> RET_TRAP;
            case "SCMP_ACT_LOG" -> RET_LOG;
            case "SCMP_ACT_TRACE" -> RET_TRACE | (errno & 0xffff);
            case "SCMP_ACT_NOTIFY" -> throw ContainerException.unsupported(field + " SCMP_ACT_NOTIFY", "seccomp user notification is not implemented");
            default -> throw new ContainerException(field + ": unknown action \"" + name + "\"");
        };
    }
}
