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
 * <p>Shape, as libseccomp's gen_bpf.c builds it: load seccomp_data.arch and dispatch to one block
 * per architecture of the filter (the native one, which libseccomp's seccomp_init always adds,
 * then those of {@code architectures} in order); a syscall of any other architecture gets the
 * "bad arch" action. Each block compares the syscall number with that architecture's own numbers,
 * one rule after the other in config order (first match wins): the number, then each argument
 * condition (all must hold), then the rule's action; finally the default action. A syscall name
 * an architecture's table does not know is skipped for that architecture, as libseccomp does.
 *
 * <p>x86_64 and x32 share AUDIT_ARCH_X86_64; an x32 syscall number has bit 0x40000000 set. When
 * x32 is not in the filter, an x86_64 block sends such a number (other than -1, which a tracer
 * uses to skip a call) to the bad-arch action, so a deny-list cannot be bypassed through the x32
 * numbering; when both are listed they share one block, as in libseccomp.
 *
 * <p>The bad-arch action is SECCOMP_RET_KILL_THREAD: libseccomp's db_col_reset sets
 * {@code attr.act_badarch = SCMP_ACT_KILL}, and runc (libcontainer/seccomp/seccomp_linux.go)
 * never changes it (no SetBadArchAction call).
 *
 * @see <a href="https://docs.kernel.org/userspace-api/seccomp_filter.html">seccomp_filter</a>
 * @see <a href="https://github.com/seccomp/libseccomp/blob/main/src/gen_bpf.c">libseccomp gen_bpf.c</a>
 */
final class Seccomp {
    private Seccomp() {}

    /** The program and the seccomp(2) flags to load it with. */
    record Program(int flags, byte[] bytes) {
        int length() {
            return bytes.length / 8;
        }
    }

    /**
     * An architecture a filter can cover: its libseccomp name, the AUDIT_ARCH_* value the kernel
     * puts in seccomp_data.arch (linux/audit.h: EM_* | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE), its
     * syscall table (resource syscalls-TABLE.txt) and whether its syscall arguments are 32 bits
     * wide (only the low word of an argument is compared then, as libseccomp does for 32-bit ABIs).
     */
    enum Arch {
        X86_64("SCMP_ARCH_X86_64", 0xC000003E, "x86_64", false),
        X86("SCMP_ARCH_X86", 0x40000003, "x86", true),
        X32("SCMP_ARCH_X32", 0xC000003E, "x32", false),
        AARCH64("SCMP_ARCH_AARCH64", 0xC00000B7, "aarch64", false),
        ARM("SCMP_ARCH_ARM", 0x40000028, "arm", true),
        RISCV64("SCMP_ARCH_RISCV64", 0xC00000F3, "riscv64", false),
        PPC64LE("SCMP_ARCH_PPC64LE", 0xC0000015, "ppc64", false),
        PPC64("SCMP_ARCH_PPC64", 0x80000015, "ppc64", false),
        PPC("SCMP_ARCH_PPC", 0x00000014, "ppc", true),
        S390X("SCMP_ARCH_S390X", 0x80000016, "s390x", false),
        S390("SCMP_ARCH_S390", 0x00000016, "s390", true);

        final String scmpName;
        final int audit;
        final String table;
        final boolean args32;

        Arch(String scmpName, int audit, String table, boolean args32) {
            this.scmpName = scmpName;
            this.audit = audit;
            this.table = table;
            this.args32 = args32;
        }

        static Arch named(String scmpName) {
            for (Arch a : values()) if (a.scmpName.equals(scmpName)) return a;
            return null;
        }

        /** The architecture of this JVM (os.arch), or null when there is no table for it. */
        static Arch native_() {
            return switch (System.getProperty("os.arch")) {
                case "amd64", "x86_64" -> X86_64;
                case "x86", "i386", "i486", "i586", "i686" -> X86;
                case "aarch64", "arm64" -> AARCH64;
                case "arm", "armv7l", "armhf" -> ARM;
                case "riscv64" -> RISCV64;
                case "ppc64le" -> PPC64LE;
                case "ppc64" -> PPC64;
                case "s390x" -> S390X;
                default -> null;
            };
        }
    }

    static final int AUDIT_ARCH_X86_64 = 0xC000003E, X32_SYSCALL_BIT = 0x40000000;
    static final int RET_KILL_THREAD = 0, RET_KILL_PROCESS = 0x80000000, RET_TRAP = 0x00030000, RET_ERRNO = 0x00050000,
            RET_TRACE = 0x7ff00000, RET_LOG = 0x7ffc0000, RET_ALLOW = 0x7fff0000;
    /** libseccomp's default SCMP_FLTATR_ACT_BADARCH (SCMP_ACT_KILL), which runc keeps. */
    static final int RET_BAD_ARCH = RET_KILL_THREAD;
    static final int EPERM = 1, ENOSYS = 38;

    // BPF opcodes (linux/filter.h)
    static final short LD_W_ABS = 0x20, JA = 0x05, JEQ_K = 0x15, JGT_K = 0x25, JGE_K = 0x35, AND_K = 0x54, RET_K = 0x06;
    /** Offsets in struct seccomp_data. */
    static final int OFF_NR = 0, OFF_ARCH = 4, OFF_ARGS = 16;

    static final Map<String, Integer> FLAGS = Map.of("SECCOMP_FILTER_FLAG_TSYNC", 1, "SECCOMP_FILTER_FLAG_LOG", 2,
            "SECCOMP_FILTER_FLAG_SPEC_ALLOW", 4, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", 32);

    private static final Map<Arch, Map<String, Integer>> TABLES = new java.util.concurrent.ConcurrentHashMap<>();

    /** The native architecture's syscall name to number. */
    static Map<String, Integer> syscalls() {
        Arch a = Arch.native_();
        if (a == null) throw unknownNative();
        return syscalls(a);
    }

    /** {@code arch}'s syscall name to number (resource syscalls-TABLE.txt). */
    static Map<String, Integer> syscalls(Arch arch) {
        return TABLES.computeIfAbsent(arch, Seccomp::readTable);
    }

    private static Map<String, Integer> readTable(Arch arch) {
        String name = "syscalls-" + arch.table + ".txt";
        Map<String, Integer> m = new HashMap<>();
        try (InputStream in = Seccomp.class.getResourceAsStream(name);
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII))) {
            for (String l; (l = r.readLine()) != null; ) {
                if (l.isBlank() || l.startsWith("#")) continue;
                String[] f = l.trim().split("\\s+");
                m.put(f[0], Integer.parseUnsignedInt(f[1]));
            }
        } catch (IOException | NullPointerException e) {
            throw new ContainerException("read the syscall table " + name + ": " + e);
        }
        return Map.copyOf(m);
    }

    private static ContainerException unknownNative() {
        return ContainerException.unsupported("linux.seccomp", "no syscall table for this machine's architecture (os.arch "
                + System.getProperty("os.arch") + ")");
    }

    /** One BPF instruction; a jump target of FAIL is patched to the end of its rule's block. */
    private record Insn(short code, int jt, int jf, int k) {}

    private static final int FAIL = -1;

    static Program compile(RuntimeSpec.Seccomp s) {
        Arch nat = Arch.native_();
        if (nat == null) throw unknownNative();
        return compile(s, nat);
    }

    /** Compiles {@code s} for a machine whose native architecture is {@code nat}. */
    static Program compile(RuntimeSpec.Seccomp s, Arch nat) {
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
        // The filter's architectures: the native one first (seccomp_init adds it), then the listed ones.
        java.util.LinkedHashSet<Arch> archs = new java.util.LinkedHashSet<>();
        archs.add(nat);
        for (String a : s.architectures == null ? List.<String>of() : s.architectures) {
            Arch arch = Arch.named(a);
            if (arch == null) {
                if (!a.startsWith("SCMP_ARCH_")) throw new ContainerException("linux.seccomp.architectures: unknown \"" + a + "\"");
                throw ContainerException.unsupported("linux.seccomp.architectures " + a, "this runtime has syscall tables for "
                        + java.util.Arrays.stream(Arch.values()).map(x -> x.scmpName).toList() + " only");
            }
            archs.add(arch);
        }
        // One block per AUDIT_ARCH value, in filter order (x86_64 and x32 share one).
        Map<Integer, List<Arch>> groups = new java.util.LinkedHashMap<>();
        for (Arch a : archs) groups.computeIfAbsent(a.audit, k -> new ArrayList<>()).add(a);
        List<RuntimeSpec.Syscall> rules = s.syscalls == null ? List.of() : s.syscalls;
        List<List<Insn>> blocks = new ArrayList<>();
        for (List<Arch> members : groups.values()) blocks.add(block(members, rules, dflt, errnoDefault));

        List<Insn> prog = new ArrayList<>();
        prog.add(new Insn(LD_W_ABS, 0, 0, OFF_ARCH));
        int header = 1 + 2 * groups.size() + 1, start = header, g = 0;
        for (int audit : groups.keySet()) {
            prog.add(new Insn(JEQ_K, 0, 1, audit));
            int ja = prog.size();
            prog.add(new Insn(JA, 0, 0, start - (ja + 1)));
            start += blocks.get(g++).size();
        }
        prog.add(new Insn(RET_K, 0, 0, RET_BAD_ARCH));
        for (List<Insn> b : blocks) prog.addAll(b);
        if (prog.size() > 4096) throw new ContainerException("linux.seccomp: the program has " + prog.size() + " instructions, more than the kernel's 4096");
        ByteBuffer b = ByteBuffer.allocate(prog.size() * 8).order(ByteOrder.nativeOrder());
        for (Insn i : prog) b.putShort(i.code()).put((byte) i.jt()).put((byte) i.jf()).putInt(i.k());
        return new Program(flags, b.array());
    }

    /** The block of one AUDIT_ARCH value: starts by loading the syscall number, ends with the default action. */
    private static List<Insn> block(List<Arch> members, List<RuntimeSpec.Syscall> rules, int dflt, int errnoDefault) {
        List<Insn> out = new ArrayList<>();
        out.add(new Insn(LD_W_ABS, 0, 0, OFF_NR));
        boolean x86_64 = members.contains(Arch.X86_64), x32 = members.contains(Arch.X32);
        if (x86_64 && !x32) {
            // x32 numbers (bit 30 set) are another ABI: bad arch, except -1 (libseccomp does the same).
            out.add(new Insn(JGE_K, 0, 2, X32_SYSCALL_BIT));
            out.add(new Insn(JEQ_K, 1, 0, -1));
            out.add(new Insn(RET_K, 0, 0, RET_BAD_ARCH));
        } else if (x32 && !x86_64) {
            out.add(new Insn(JGE_K, 1, 0, X32_SYSCALL_BIT));
            out.add(new Insn(RET_K, 0, 0, RET_BAD_ARCH));
        }
        boolean accIsNr = true;
        for (RuntimeSpec.Syscall rule : rules) {
            if (rule.names == null || rule.names.isEmpty()) throw new ContainerException("linux.seccomp.syscalls: a rule has no names");
            int errno = rule.errnoRet != null ? rule.errnoRet : errnoDefault;
            int act = action(rule.action, errno, "linux.seccomp.syscalls[" + rule.names.getFirst() + "].action");
            boolean hasArgs = rule.args != null && !rule.args.isEmpty();
            for (Arch arch : members) {
                Map<String, Integer> nrs = syscalls(arch);
                List<Integer> numbers = new ArrayList<>();
                for (String name : rule.names) {
                    Integer nr = nrs.get(name);
                    if (nr != null) numbers.add(nr); // unknown to this arch's table: skipped, as libseccomp does
                }
                if (numbers.isEmpty()) continue;
                if (!hasArgs) {
                    // JEQ nr1..nrN, each jumping to one shared RET (chunks: a jump reaches 255 at most).
                    for (int from = 0; from < numbers.size(); from += 255) {
                        List<Integer> chunk = numbers.subList(from, Math.min(numbers.size(), from + 255));
                        if (!accIsNr) out.add(new Insn(LD_W_ABS, 0, 0, OFF_NR));
                        accIsNr = true;
                        for (int i = 0; i < chunk.size(); i++) {
                            boolean last = i == chunk.size() - 1;
                            out.add(new Insn(JEQ_K, chunk.size() - 1 - i, last ? 1 : 0, chunk.get(i)));
                        }
                        out.add(new Insn(RET_K, 0, 0, act));
                    }
                    continue;
                }
                for (int i = 0; i < numbers.size(); i++) {
                    String name = rule.names.getFirst();
                    List<Insn> block = new ArrayList<>();
                    if (!accIsNr) block.add(new Insn(LD_W_ABS, 0, 0, OFF_NR));
                    block.add(new Insn(JEQ_K, 0, FAIL, numbers.get(i)));
                    for (RuntimeSpec.SyscallArg a : rule.args) condition(block, a, name, arch.args32);
                    block.add(new Insn(RET_K, 0, 0, act));
                    accIsNr = false;
                    // Patch FAIL to "the instruction after this block".
                    for (int j = 0; j < block.size(); j++) {
                        Insn in = block.get(j);
                        int end = block.size() - j - 1;
                        if (in.jt() == FAIL || in.jf() == FAIL) {
                            if (end > 255) throw new ContainerException("linux.seccomp: rule for " + name + " is too long");
                            block.set(j, new Insn(in.code(), in.jt() == FAIL ? end : in.jt(), in.jf() == FAIL ? end : in.jf(), in.k()));
                        }
                    }
                    out.addAll(block);
                }
            }
        }
        out.add(new Insn(RET_K, 0, 0, dflt));
        return out;
    }

    /**
     * Appends a comparison of argument {@code a.index} that jumps to FAIL when it does not hold.
     * With {@code args32} (a 32-bit ABI) only the low word is compared, as libseccomp does.
     */
    private static void condition(List<Insn> b, RuntimeSpec.SyscallArg a, String name, boolean args32) {
        if (a.index < 0 || a.index > 5) throw new ContainerException("linux.seccomp " + name + ": argument index " + a.index + " is not 0..5");
        if (a.op == null) throw new ContainerException("linux.seccomp " + name + ": argument condition has no op");
        // seccomp_data.args are u64 in the kernel's byte order (the same as this JVM's).
        boolean le = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
        int lo = OFF_ARGS + 8 * a.index + (le ? 0 : 4), hi = OFF_ARGS + 8 * a.index + (le ? 4 : 0);
        int vlo = (int) a.value, vhi = (int) (a.value >>> 32);
        if (args32) {
            b.add(new Insn(LD_W_ABS, 0, 0, lo));
            switch (a.op) {
                case "SCMP_CMP_EQ" -> b.add(new Insn(JEQ_K, 0, FAIL, vlo));
                case "SCMP_CMP_NE" -> b.add(new Insn(JEQ_K, FAIL, 0, vlo));
                case "SCMP_CMP_GT" -> b.add(new Insn(JGT_K, 0, FAIL, vlo));
                case "SCMP_CMP_GE" -> b.add(new Insn(JGE_K, 0, FAIL, vlo));
                case "SCMP_CMP_LT" -> b.add(new Insn(JGE_K, FAIL, 0, vlo));
                case "SCMP_CMP_LE" -> b.add(new Insn(JGT_K, FAIL, 0, vlo));
                case "SCMP_CMP_MASKED_EQ" -> {
                    b.add(new Insn(AND_K, 0, 0, vlo));
                    b.add(new Insn(JEQ_K, 0, FAIL, (int) (a.valueTwo == null ? 0 : a.valueTwo.longValue())));
                }
                default -> throw new ContainerException("linux.seccomp " + name + ": unknown op \"" + a.op + "\"");
            }
            return;
        }
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
