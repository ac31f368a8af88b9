package oci.runtime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the runtime decides for a foreground `oci run` of one bundle, kept so that the next run of
 * it needs no JVM: the native front end (runtime/src/native/fastrun.c, started by the launcher for
 * `run`) replays it. Java still decides everything; the entry is its decision, written down, with
 * {@link #ID_MARK} wherever the container's id goes (state paths, the default cgroup path, the
 * state), for the front end to fill in: one entry serves any id.
 *
 * <p>An entry is written by a foreground run once its container runs, and by `oci bundle` for the
 * bundle it writes ({@link Containers#prepareRun}). It is used only while every input it was decided
 * from is unchanged, and the front end checks each: the exact config.json bytes, the bundle path,
 * the state root, the boot (the kernel's cgroup mounts), the bounding capability set, and the
 * runtime jar that compiled it. Anything else (hooks, a terminal, --pid-file, --console-socket,
 * -d, --debug) is never cached: those runs always take the JVM path.
 *
 * <p>File {@code ROOT/.fastrun/HASH}, HASH the FNV-1a 64 of the bundle path: a list of fields, each
 * u32 length (host order) + bytes, in the order of {@link #write}. Readable by its owner only: it
 * holds a plan the front end runs, as root most of the time.
 */
final class RunCache {
    private RunCache() {}

    static final String MAGIC = "oci-fastrun 2";
    /** Stands for the container id: control characters, which no id holds (Containers.checkId). */
    static final String ID_MARK = "\u0001oci-id\u0001";
    /** Stand-ins in the state templates, replaced by the front end. */
    private static final long PID = 987_654_321_987L, START = 876_543_219_876L;
    private static final String CREATED = "@oci-created@";
    /** The {@link Cgroups#createSteps} kinds fastrun.c performs (not "bpf": loading an eBPF program stays in Java). */
    private static final Set<String> REPLAYED_STEPS = Set.of("mkdir", "mkcpuset", "enable", "write", "write2");

    static Path file(Path root, Path bundle) {
        long h = 0xcbf29ce484222325L; // FNV-1a 64, as fastrun.c computes it
        for (byte b : bundle.toString().getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        String hex = Long.toHexString(h); // zero-padded to 16 digits, as fastrun.c names it (no Formatter on the create path)
        return root.resolve(".fastrun").resolve("0".repeat(16 - hex.length()) + hex);
    }

    /** Whether a create with these inputs can be replayed by the native front end. */
    static boolean cacheable(oci.bundle.spec.RuntimeSpec spec, Path pidFile, Path consoleSocket, boolean attached) {
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
     * Writes the entry for {@code bundle} from a decision made for {@link #ID_MARK}, atomically.
     * The cgroup steps are {@link Cgroups#createSteps}.
     */
    static void write(Path root, Path bundle, byte[] config, Containers.Decision d, Path initBinary) throws IOException {
        if (!d.saved().id().equals(ID_MARK)) throw new IllegalArgumentException("a run cache entry is decided for ID_MARK");
        ContainerPlan plan = d.plan();
        List<byte[]> f = new ArrayList<>();
        add(f, MAGIC);
        add(f, codeIdentity());
        add(f, Cgroups.readVirtual(Path.of("/proc/sys/kernel/random/boot_id")));
        add(f, Long.toHexString(Capabilities.available()));
        add(f, root.toString());
        add(f, bundle.toString());
        f.add(config);
        add(f, initBinary.toString());
        f.add(plan.init().serialise());
        Saved c = d.saved();
        for (boolean ready : new boolean[] {false, true}) {
            Saved s = new Saved(c.ociVersion(), c.id(), PID, START, c.bundle(), c.annotations(), CREATED, c.owner(), c.cgroupDirs(),
                    c.pidns(), ready, c.callersKeyring(), c.stateOnly());
            for (String part : split(s.toJson())) add(f, part);
        }
        add(f, plan.uidMap() == null ? "" : plan.uidMap());
        add(f, plan.gidMap() == null ? "" : plan.gidMap());
        add(f, c.pidns() ? "1" : "0");
        add(f, String.join("\n", d.cgroupDirs()));
        // A rootless container stays in the caller's cgroups: nothing to create.
        Cgroups cgroups = d.cgroups();
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
        StateFiles.makeRoot(root);
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        prune(dir);
        // A name of our own, made exclusively: Files.createTempFile would seed a SecureRandom for it,
        // ~30 ms of class loading and hashing in a run that waits for this writer before it exits.
        Path tmp = dir.resolve(".entry" + ProcessHandle.current().pid() + "-" + Long.toHexString(System.nanoTime()) + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
                ByteBuffer b = ByteBuffer.wrap(out.toByteArray());
                while (b.hasRemaining()) ch.write(b);
            }
            Files.move(tmp, file(root, bundle), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Most entries kept: every bundle made or run adds one, and bundles come and go. */
    static final int KEEP = 256;

    /** Drops the entries written longest ago once there are more than {@link #KEEP}: a cache, so any may go. */
    private static void prune(Path dir) throws IOException {
        List<Path> entries = new ArrayList<>();
        long stale = System.currentTimeMillis() - 60_000;
        try (var s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                // A temp file a minute old was left by a process that exited mid-write (oci run's JVM does not wait for a failed run's writer).
                if (p.getFileName().toString().startsWith(".")) {
                    if (Files.getLastModifiedTime(p).toMillis() < stale) Files.deleteIfExists(p);
                } else {
                    entries.add(p);
                }
            }
        }
        if (entries.size() < KEEP) return;
        List<Path> oldest = new ArrayList<>(entries);
        oldest.sort(java.util.Comparator.comparing(p -> {
            try {
                return Files.getLastModifiedTime(p);
            } catch (IOException e) {
                return FileTime.fromMillis(0);
            }
        }));
        for (Path p : oldest.subList(0, entries.size() - KEEP / 2)) Files.deleteIfExists(p);
    }

    /** Removes the entry of {@code bundle}, if any: a run that could not be cached must not replay an older one. */
    static void forget(Path root, Path bundle) {
        try {
            Files.deleteIfExists(file(root, bundle));
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
        // The JSON writer escapes the mark's control characters; the front end looks for it raw.
        String escaped = Json.write(ID_MARK);
        String rest = json.replace(escaped.substring(1, escaped.length() - 1), ID_MARK);
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
