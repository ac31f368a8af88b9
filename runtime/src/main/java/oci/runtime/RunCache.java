package oci.runtime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a foreground `oci run` of one bundle under one id decided, kept so the next identical run
 * needs no JVM: the native front end (runtime/src/native/fastrun.c, started by the launcher for
 * `run`) replays it. Java still decides everything; the entry is its decision, written down.
 *
 * <p>An entry is used only while every input it was decided from is unchanged, and the front end
 * checks each: the exact config.json bytes, the bundle path, the id and state root, the boot (the
 * kernel's capabilities and cgroup mounts), and the runtime jar that compiled it. Anything else
 * (hooks, a terminal, --pid-file, --console-socket, -d, --debug) is never cached: those runs always
 * take the JVM path.
 *
 * <p>File {@code ROOT/.fastrun/ID}: a list of fields, each u32 length (host order) + bytes, in the
 * order of {@link #write}. Readable by its owner only: it holds a plan the front end runs as root.
 */
final class RunCache {
    private RunCache() {}

    static final String MAGIC = "oci-fastrun 1";
    /** Stand-ins in the state templates, replaced by the front end. */
    private static final long PID = 987_654_321_987L, START = 876_543_219_876L;
    private static final String CREATED = "@oci-created@";

    /** The {@link Cgroups#createSteps} kinds fastrun.c performs (not "bpf": loading an eBPF program stays in Java). */
    private static final java.util.Set<String> REPLAYED_STEPS = java.util.Set.of("mkdir", "mkcpuset", "enable", "write", "write2");

    static Path file(Path root, String id) {
        return root.resolve(".fastrun").resolve(id);
    }

    /** Whether a create with these inputs can be replayed by the native front end. */
    static boolean cacheable(oci.bundle.spec.RuntimeSpec spec, ContainerPlan plan, Path pidFile, Path consoleSocket, boolean attached) {
        if (!attached || pidFile != null || consoleSocket != null) return false;
        if (spec.process != null && Boolean.TRUE.equals(spec.process.terminal)) return false;
        var h = spec.hooks;
        return h == null || (empty(h.prestart) && empty(h.createRuntime) && empty(h.createContainer) && empty(h.startContainer)
                && empty(h.poststart) && empty(h.poststop));
    }

    private static boolean empty(List<?> l) {
        return l == null || l.isEmpty();
    }

    /**
     * Writes the entry for a create that {@link #cacheable} allowed, atomically. The cgroup steps
     * repeat {@link Cgroups#create}: "mkdir DIR", "mkcpuset PARENT CHILD" (a new v1 cpuset level
     * copies its parent's cpus and mems), "write FILE VALUE".
     */
    static void write(Path root, String id, Path bundle, byte[] config, ContainerPlan plan, Cgroups cgroups, Saved creating,
                      Path initBinary, List<String> cgroupDirs) throws IOException {
        List<byte[]> f = new ArrayList<>();
        add(f, MAGIC);
        add(f, codeIdentity());
        add(f, Cgroups.readVirtual(Path.of("/proc/sys/kernel/random/boot_id")));
        add(f, root.toString());
        add(f, id);
        add(f, bundle.toString());
        f.add(config);
        add(f, initBinary.toString());
        f.add(plan.init().serialise());
        Saved template = new Saved(creating.ociVersion(), creating.id(), PID, START, creating.bundle(), creating.annotations(),
                CREATED, creating.owner(), creating.cgroupDirs(), creating.pidns(), false);
        for (boolean ready : new boolean[] {false, true}) {
            Saved s = new Saved(template.ociVersion(), template.id(), PID, START, template.bundle(), template.annotations(),
                    CREATED, template.owner(), template.cgroupDirs(), template.pidns(), ready);
            for (String part : split(s.toJson())) add(f, part);
        }
        add(f, plan.uidMap() == null ? "" : plan.uidMap());
        add(f, plan.gidMap() == null ? "" : plan.gidMap());
        add(f, creating.pidns() ? "1" : "0");
        add(f, String.join("\n", cgroupDirs));
        // A rootless container stays in the caller's cgroups: nothing to create.
        for (String[] step : cgroups.callers() ? List.<String[]>of() : cgroups.createSteps(plan.cgroupPath(), plan.cgroupSettings())) {
            if (!REPLAYED_STEPS.contains(step[0])) throw new IOException("cgroup step \"" + step[0] + "\" is done in Java only");
            for (String s : step) add(f, s);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer b4 = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder());
        for (byte[] b : f) {
            out.writeBytes(b4.putInt(0, b.length).array());
            out.writeBytes(b);
        }
        Path dir = root.resolve(".fastrun");
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path tmp = Files.createTempFile(dir, "." + id, ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.write(tmp, out.toByteArray());
            Files.move(tmp, file(root, id), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Removes the entry of {@code id}, if any: a run that could not be cached must not replay an older one. */
    static void forget(Path root, String id) {
        try {
            Files.deleteIfExists(file(root, id));
        } catch (IOException ignored) {
            // the front end also checks every input; a stale entry is never replayed
        }
    }

    /**
     * The runtime code that made the plan: its jar (or classes directory) as "PATH\nMTIME SIZE INODE",
     * with the time in nanoseconds. The front end stats PATH and compares.
     */
    static String codeIdentity() throws IOException {
        Path code;
        try {
            code = Path.of(RunCache.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException | RuntimeException e) {
            throw new IOException("locate the runtime's code: " + e.getMessage());
        }
        Map<String, Object> a = Files.readAttributes(code, "unix:lastModifiedTime,size,ino");
        FileTime t = (FileTime) a.get("lastModifiedTime");
        long ns = t.to(java.util.concurrent.TimeUnit.NANOSECONDS);
        return code + "\n" + ns + " " + a.get("size") + " " + a.get("ino");
    }

    /** The state JSON cut around its stand-ins: before pid, before pidStart, before created, the rest. */
    private static List<String> split(String json) throws IOException {
        List<String> parts = new ArrayList<>();
        String rest = json;
        for (String mark : new String[] {Long.toString(PID), Long.toString(START), "\"" + CREATED + "\""}) {
            int i = rest.indexOf(mark);
            if (i < 0 || rest.indexOf(mark, i + 1) >= 0) throw new IOException("state template: stand-in " + mark + " not found once");
            parts.add(rest.substring(0, i));
            rest = rest.substring(i + mark.length());
        }
        parts.add(rest);
        return parts;
    }

    private static void add(List<byte[]> f, String s) {
        f.add(s.getBytes(StandardCharsets.UTF_8));
    }
}
