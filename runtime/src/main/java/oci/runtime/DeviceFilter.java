package oci.runtime;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Device cgroup rules for cgroup v2, which has no devices.allow/deny files: an eBPF program of
 * type BPF_PROG_TYPE_CGROUP_DEVICE attached to the container's cgroup decides each open/mknod of
 * a device node (cgroup-v2.html "Device controller"), as runc's devicefilter does.
 *
 * <p>The rules are the v1 ones ("a", "c 1:3 rwm", "b *:* m"), in the order v1 would apply them.
 * v1 semantics are emulated: a type-"a" rule resets the default (allow or deny everything) and
 * drops what came before; each later rule is an exception, and the last matching one wins. An
 * allow rule matches when every requested access is in its access; a deny rule when any is. With
 * no "a" rule the default is allow, as a new v1 cgroup inherits its parent's allow-all. (runc
 * first reduces the rules with its v1 emulator and matches a deny rule only when it covers every
 * requested access; here a deny rule matches when it covers any, as the v1 kernel's deny-list does.)
 *
 * @see <a href="https://github.com/opencontainers/runc/blob/v1.1.0/libcontainer/cgroups/ebpf/devicefilter/devicefilter.go">runc's devicefilter.go</a>
 */
final class DeviceFilter {
    private DeviceFilter() {}

    /** The setting's file name that stands for "attach a device program" rather than a file to write. */
    static final String PSEUDO_FILE = "(eBPF device program)";

    /** One rule: type 'a', 'b' or 'c'; major/minor -1 for "*"; access bits of ACC_*. */
    record Rule(boolean allow, char type, long major, long minor, int access) {
        /** Parses the v1 form that {@link CgroupSettings#rule} writes, with "allow "/"deny " in front. */
        static Rule parse(String line) {
            String[] w = line.trim().split("\\s+");
            boolean allow = switch (w[0]) {
                case "allow" -> true;
                case "deny" -> false;
                default -> throw new ContainerException("device rule \"" + line + "\": no allow/deny");
            };
            char type = w[1].charAt(0);
            if (type == 'a') return new Rule(allow, 'a', -1, -1, ACC_ALL);
            String[] mm = w[2].split(":");
            int access = 0;
            for (char c : w[3].toCharArray()) access |= c == 'r' ? ACC_READ : c == 'w' ? ACC_WRITE : c == 'm' ? ACC_MKNOD : 0;
            return new Rule(allow, type, mm[0].equals("*") ? -1 : Long.parseLong(mm[0]), mm[1].equals("*") ? -1 : Long.parseLong(mm[1]), access);
        }
    }

    // linux/bpf.h: struct bpf_cgroup_dev_ctx { u32 access_type (access << 16 | type); u32 major; u32 minor; }
    static final int DEV_BLOCK = 1, DEV_CHAR = 2, ACC_MKNOD = 1, ACC_READ = 2, ACC_WRITE = 4, ACC_ALL = 7;

    // eBPF opcodes (linux/bpf_common.h, linux/bpf.h)
    static final int LDX_W = 0x61, AND32_K = 0x54, RSH32_K = 0x74, AND64_K = 0x57, MOV64_K = 0xb7, MOV64_X = 0xbf,
            JNE_K = 0x55, JEQ_K = 0x15, EXIT = 0x95;

    private record Insn(int code, int dst, int src, int off, int imm) {}

    private static final int FAIL = Integer.MIN_VALUE;

    /** The program for {@code rules} (in v1 order), as bytes for BPF_PROG_LOAD in this machine's byte order. */
    static byte[] compile(List<Rule> rules) {
        int start = 0;
        boolean dflt = true;
        for (int i = 0; i < rules.size(); i++) {
            if (rules.get(i).type() == 'a') {
                start = i + 1;
                dflt = rules.get(i).allow();
            }
        }
        List<Insn> p = new ArrayList<>();
        p.add(new Insn(LDX_W, 2, 1, 0, 0));
        p.add(new Insn(AND32_K, 2, 0, 0, 0xffff)); // r2 = type
        p.add(new Insn(LDX_W, 3, 1, 0, 0));
        p.add(new Insn(RSH32_K, 3, 0, 0, 16)); // r3 = access
        p.add(new Insn(LDX_W, 4, 1, 4, 0)); // r4 = major
        p.add(new Insn(LDX_W, 5, 1, 8, 0)); // r5 = minor
        // Last rule first: the last matching exception wins.
        for (int i = rules.size() - 1; i >= start; i--) {
            Rule r = rules.get(i);
            List<Insn> b = new ArrayList<>();
            b.add(new Insn(JNE_K, 2, 0, FAIL, r.type() == 'b' ? DEV_BLOCK : DEV_CHAR));
            if (r.access() != ACC_ALL) {
                b.add(new Insn(MOV64_X, 1, 3, 0, 0));
                if (r.allow()) {
                    b.add(new Insn(AND64_K, 1, 0, 0, ~r.access() & ACC_ALL)); // a requested access the rule lacks
                    b.add(new Insn(JNE_K, 1, 0, FAIL, 0));
                } else {
                    b.add(new Insn(AND64_K, 1, 0, 0, r.access())); // a requested access the rule denies
                    b.add(new Insn(JEQ_K, 1, 0, FAIL, 0));
                }
            }
            if (r.major() >= 0) b.add(new Insn(JNE_K, 4, 0, FAIL, (int) r.major()));
            if (r.minor() >= 0) b.add(new Insn(JNE_K, 5, 0, FAIL, (int) r.minor()));
            b.add(new Insn(MOV64_K, 0, 0, 0, r.allow() ? 1 : 0));
            b.add(new Insn(EXIT, 0, 0, 0, 0));
            for (int j = 0; j < b.size(); j++) {
                Insn in = b.get(j);
                if (in.off() == FAIL) b.set(j, new Insn(in.code(), in.dst(), in.src(), b.size() - j - 1, in.imm()));
            }
            p.addAll(b);
        }
        p.add(new Insn(MOV64_K, 0, 0, 0, dflt ? 1 : 0));
        p.add(new Insn(EXIT, 0, 0, 0, 0));
        boolean le = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
        ByteBuffer buf = ByteBuffer.allocate(p.size() * 8).order(ByteOrder.nativeOrder());
        for (Insn i : p) {
            // struct bpf_insn { u8 code; u8 dst_reg:4, src_reg:4; s16 off; s32 imm; }: bitfield order follows the byte order.
            buf.put((byte) i.code()).put((byte) (le ? (i.src() << 4) | i.dst() : (i.dst() << 4) | i.src()))
                    .putShort((short) i.off()).putInt(i.imm());
        }
        return buf.array();
    }
}
