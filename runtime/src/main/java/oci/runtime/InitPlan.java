package oci.runtime;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What the native init does, in order: pure data, decided entirely in Java ({@link PlanBuilder}).
 * Serialised as op = u32 code, u32 argc, argc x (u32 length, bytes), little-endian (the init
 * only runs on the machine that wrote it).
 */
public final class InitPlan {
    /** One operation and its arguments (text, except a seccomp program's raw bytes). */
    public record Step(Op op, List<byte[]> args) {
        public List<String> text() {
            return args.stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
        }

        @Override
        public String toString() {
            return op + " " + text().stream().collect(Collectors.joining(" "));
        }
    }

    private final List<Step> steps = new ArrayList<>();

    void add(Op op, Object... args) {
        List<byte[]> a = new ArrayList<>(args.length);
        for (Object o : args) a.add(o instanceof byte[] b ? b : String.valueOf(o).getBytes(StandardCharsets.UTF_8));
        steps.add(new Step(op, a));
    }

    void add(Op op, List<?> args) {
        add(op, args.toArray());
    }

    public List<Step> steps() {
        return List.copyOf(steps);
    }

    /** The steps using {@code op}, for tests and the debug log. */
    public List<Step> steps(Op op) {
        return steps.stream().filter(s -> s.op() == op).toList();
    }

    byte[] serialise() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer b4 = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder());
        for (Step s : steps) {
            out.writeBytes(b4.putInt(0, s.op().code).array());
            out.writeBytes(b4.putInt(0, s.args().size()).array());
            for (byte[] a : s.args()) {
                out.writeBytes(b4.putInt(0, a.length).array());
                out.writeBytes(a);
            }
        }
        return out.toByteArray();
    }

    @Override
    public String toString() {
        return steps.stream().map(Step::toString).collect(Collectors.joining("\n"));
    }
}
