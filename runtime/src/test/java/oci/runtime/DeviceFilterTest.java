package oci.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The cgroup v2 device programs, run by a small eBPF interpreter (the subset {@link DeviceFilter}
 * emits) on hand-made bpf_cgroup_dev_ctx: what the kernel would decide for each open or mknod.
 */
class DeviceFilterTest {
    /** Runs {@code prog} for a device access ("c 1 3 rw") and returns r0 (1 allows, 0 denies). */
    static long eval(byte[] prog, char type, int major, int minor, String access) {
        int acc = 0;
        for (char c : access.toCharArray()) acc |= c == 'r' ? DeviceFilter.ACC_READ : c == 'w' ? DeviceFilter.ACC_WRITE : DeviceFilter.ACC_MKNOD;
        int[] ctx = {(acc << 16) | (type == 'b' ? DeviceFilter.DEV_BLOCK : DeviceFilter.DEV_CHAR), major, minor};
        long[] r = new long[11];
        boolean le = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
        ByteBuffer p = ByteBuffer.wrap(prog).order(ByteOrder.nativeOrder());
        for (int pc = 0; pc < prog.length / 8; pc++) {
            int code = p.get(pc * 8) & 0xff, regs = p.get(pc * 8 + 1) & 0xff, off = p.getShort(pc * 8 + 2), imm = p.getInt(pc * 8 + 4);
            int dst = le ? regs & 0xf : regs >> 4, src = le ? regs >> 4 : regs & 0xf;
            switch (code) {
                case DeviceFilter.LDX_W -> {
                    if (src != 1) throw new AssertionError("load from r" + src);
                    r[dst] = ctx[off / 4] & 0xffffffffL;
                }
                case DeviceFilter.AND32_K -> r[dst] = (r[dst] & imm) & 0xffffffffL;
                case DeviceFilter.RSH32_K -> r[dst] = (r[dst] & 0xffffffffL) >>> imm;
                case DeviceFilter.AND64_K -> r[dst] &= imm;
                case DeviceFilter.MOV64_K -> r[dst] = imm;
                case DeviceFilter.MOV64_X -> r[dst] = r[src];
                case DeviceFilter.JNE_K -> pc += r[dst] != imm ? off : 0;
                case DeviceFilter.JEQ_K -> pc += r[dst] == imm ? off : 0;
                case DeviceFilter.EXIT -> {
                    return r[0];
                }
                default -> throw new AssertionError("unexpected opcode " + code);
            }
        }
        throw new AssertionError("fell off the end of the program");
    }

    static byte[] prog(String rules) {
        return DeviceFilter.compile(rules.lines().map(DeviceFilter.Rule::parse).toList());
    }

    /** runc spec's rules: deny everything, then runc's default allow list. */
    static final String DEFAULT = "deny a\n" + String.join("\n", CgroupSettings.DEFAULT_ALLOW.stream().map(a -> "allow " + a).toList());

    @ParameterizedTest(name = "{0}: {1} {2}:{3} {4} -> {5}")
    @CsvSource({
        "default, c, 1, 3, rw, 1", "default, c, 1, 3, m, 1", "default, c, 1, 5, r, 1", "default, c, 136, 7, rw, 1",
        "default, c, 5, 2, rw, 1", "default, c, 1, 1, r, 0", "default, c, 10, 200, rw, 0", "default, b, 8, 0, r, 0",
        "default, b, 8, 0, m, 1", "default, c, 4, 1, m, 1", "default, c, 4, 1, rw, 0",
        "no rules allow all, c, 1, 1, rw, 1",
        "partial, c, 1, 3, r, 1", "partial, c, 1, 3, w, 0", "partial, c, 1, 3, rw, 0", "partial, c, 1, 5, rw, 1",
        "deny-list, c, 1, 3, rw, 1", "deny-list, b, 8, 0, w, 0", "deny-list, b, 8, 0, r, 1", "deny-list, b, 8, 1, w, 1",
        "reset by a later a, c, 1, 3, rw, 1", "reset by a later a, c, 1, 1, rw, 1",
    })
    void rules(String set, char type, int major, int minor, String access, long want) {
        String rules = switch (set) {
            case "default" -> DEFAULT;
            case "no rules allow all" -> "";
            // v1: allow rw on null, then take write away again.
            case "partial" -> "deny a\nallow c 1:3 rw\ndeny c 1:3 w\nallow c 1:5 rwm";
            case "deny-list" -> "allow a\ndeny b 8:0 w";
            case "reset by a later a" -> DEFAULT + "\nallow a";
            default -> throw new AssertionError(set);
        };
        assertEquals(want, eval(prog(rules), type, major, minor, access));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {"allow c 1:3 rwm | true, c, 1, 3, 7", "deny b *:* m | false, b, -1, -1, 1", "deny a | false, a, -1, -1, 7",
        "allow c 136:* rw | true, c, 136, -1, 6"})
    void parse(String line, String want) {
        DeviceFilter.Rule r = DeviceFilter.Rule.parse(line);
        assertEquals(want, r.allow() + ", " + r.type() + ", " + r.major() + ", " + r.minor() + ", " + r.access());
    }

    @org.junit.jupiter.api.Test
    void shapeIsSmall() {
        assertEquals(List.of(), List.of());
        byte[] p = prog(DEFAULT);
        assertEquals(0, p.length % 8);
        // 6 loads, then per exception at most 8 instructions, then the default.
        org.junit.jupiter.api.Assertions.assertTrue(p.length / 8 <= 6 + 8 * 11 + 2, "length " + p.length / 8);
    }
}
