package oci.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * The training run for the launcher's class-data-sharing archive, started after a build:
 * {@code java -XX:ArchiveClassesAtExit=… -cp oci-cli.jar oci.cli.Training} (it serves a JEP 483 AOT
 * cache, {@code -XX:AOTCacheOutput=…}, as well). It runs the everyday commands in one process, so
 * the archive holds the classes of each: help and version,
 * a pull from a registry served here on 127.0.0.1 (nothing leaves the machine), images, inspect,
 * tag, bundle, spec, validate, fsck, rmi, gc, all in a temporary store; as root, with Debian's
 * busybox-static at /bin/busybox, also `oci run` of a bundle whose config.json is new (a container
 * running busybox `true`, in a state root of its own): the runtime's cold path, which every
 * engine-created container takes. A failing step is skipped: the archive is only an optimisation.
 * {@code Training metadata}, {@code Training runtime} and {@code Training pull} train the launcher's
 * three smaller archives.
 */
final class Training {
    private static final String REPO = "training/image";

    private Training() {}

    public static void main(String[] args) throws Exception {
        boolean verbose = System.getenv("OCI_DEBUG") != null;
        // What Main.main does before a create or a run, which the steps below enter through Main.run.
        Main.startNumbers();
        if (args.length == 1 && args[0].equals("metadata")) {
            metadata(verbose);
        } else if (args.length == 1 && args[0].equals("pull")) {
            pull(verbose);
        } else if (args.length == 1 && args[0].equals("runtime")) {
            if (runtime(verbose) == null) {
                // an archive without the container paths would serve these verbs worse than the big one
                System.err.println("training: no container can run here (needs root and /bin/busybox): no archive for the runtime verbs");
                System.exit(2);
            }
        } else {
            run(verbose);
        }
    }

    /**
     * The training run for the launcher's third archive (oci-runtime.jsa): only the runtime's verbs,
     * as containerd's shim and podman's conmon call them for every container (create with a pid
     * file and a JSON log, start, state, exec, pause, resume, kill, delete), a cold {@code run --rm}
     * and {@code features},
     * on bundles made here (busybox-static in a rootfs, a config.json like an engine's: resources,
     * a seccomp filter with an argument condition, cgroupsPath). These verbs pay for mapping and
     * relocating the archive at every start, so it holds their classes alone (help and usage errors
     * still go to the big one). Returns the steps that did not end as expected, or null where no
     * container can run (not root, no /bin/busybox): the build then makes no such archive.
     */
    static List<String> runtime(boolean verbose) throws IOException {
        Path busybox = Path.of("/bin/busybox");
        if (!"root".equals(System.getProperty("user.name")) || !Files.isExecutable(busybox)) return null;
        List<String> failed = new ArrayList<>();
        Path work = Files.createTempDirectory("oci-training-");
        PrintWriter sink = verbose ? new PrintWriter(System.err, true) : new PrintWriter(OutputStream.nullOutputStream(), true);
        String state = work.resolve("state").toString();
        List<String> global = List.of("--root", state, "--log", work.resolve("runtime.log").toString(), "--log-format", "json");
        try {
            Path rootfs = Files.createDirectories(work.resolve("rootfs/bin"));
            Files.copy(busybox, rootfs.resolve("busybox"));
            for (String d : List.of("proc", "dev", "sys", "tmp")) Files.createDirectories(work.resolve("rootfs").resolve(d));
            String once = bundle(work, "once", "\"/bin/busybox\", \"true\"");
            String sleeper = bundle(work, "sleeper", "\"/bin/busybox\", \"sleep\", \"30\"");
            String pid = work.resolve("pid").toString();
            String process = Files.writeString(work.resolve("process.json"), """
                    {"terminal": false, "user": {"uid": 0, "gid": 0}, "args": ["/bin/busybox", "true"], "env": ["PATH=/bin"], "cwd": "/",
                     "capabilities": {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"]}, "noNewPrivileges": true}
                    """).toString();
            List<List<String>> steps = List.of(
                    List.of("features"),
                    List.of("--root", state, "run", "--rm", "-b", once, "training-run"),
                    // containerd's shim: create, start, (the process runs) kill, wait for the exit, delete
                    concat(global, List.of("create", "--bundle", sleeper, "--pid-file", pid, "training-1")),
                    concat(global, List.of("state", "training-1")),
                    concat(global, List.of("start", "training-1")),
                    concat(global, List.of("kill", "training-1", "KILL")));
            for (List<String> step : steps) {
                if (run(step, sink, verbose) != 0) failed.add(String.join(" ", step));
            }
            if (!stopped(global, "training-1")) failed.add("training-1 did not stop after kill");
            for (List<String> step : List.of(
                    concat(global, List.of("delete", "training-1")),
                    // a create the engine gives up on: deleted, running, with --force
                    concat(global, List.of("create", "--bundle", once, "--pid-file", pid, "training-2")),
                    concat(global, List.of("delete", "--force", "training-2")),
                    // the shim's exec (a process file, detached, a pid file), a plain one, pause and resume
                    concat(global, List.of("create", "--bundle", sleeper, "--pid-file", pid, "training-3")),
                    concat(global, List.of("start", "training-3")),
                    concat(global, List.of("exec", "--process", process, "--detach", "--pid-file", work.resolve("exec-pid").toString(), "training-3")),
                    concat(global, List.of("exec", "training-3", "/bin/busybox", "true")),
                    concat(global, List.of("pause", "training-3")),
                    concat(global, List.of("resume", "training-3")),
                    concat(global, List.of("kill", "training-3", "KILL")))) {
                if (run(step, sink, verbose) != 0) failed.add(String.join(" ", step));
            }
            // The run made this JVM a child subreaper, so the detached processes are its children to
            // reap, as an engine reaps them; a zombie would count as running.
            for (String f : List.of("exec-pid", "pid")) {
                if (!reaped(work.resolve(f))) failed.add("the process in " + f + " was not reaped");
            }
            List<String> delete = concat(global, List.of("delete", "training-3"));
            if (run(delete, sink, verbose) != 0) failed.add(String.join(" ", delete));
            List<String> missing = concat(global, List.of("state", "no-such-container"));
            if (run(missing, sink, verbose) == 0) failed.add(String.join(" ", missing) + " (should have failed)");
        } finally {
            for (String id : List.of("training-run", "training-1", "training-2", "training-3")) {
                run(List.of("--root", state, "delete", "--force", id), new PrintWriter(OutputStream.nullOutputStream(), true), false);
            }
            deleteTree(work);
        }
        return failed;
    }

    /** Whether the process whose pid {@code pidFile} holds has ended and been reaped within a few seconds. */
    private static boolean reaped(Path pidFile) {
        try {
            int pid = Integer.parseInt(Files.readString(pidFile).strip());
            for (int i = 0; i < 250; i++) {
                if (oci.linux.ProcessCalls.waitpid(pid, true) != -1) return true;
                Thread.sleep(20);
            }
        } catch (IOException | RuntimeException | InterruptedException e) { // ErrnoException is an IOException
            return false;
        }
        return false;
    }

    /** Whether container {@code id}'s state says stopped within a few seconds. */
    private static boolean stopped(List<String> global, String id) {
        for (int i = 0; i < 250; i++) {
            java.io.StringWriter out = new java.io.StringWriter();
            PrintWriter w = new PrintWriter(out, true);
            try {
                if (Main.run(concat(global, List.of("state", id)).toArray(String[]::new), w, w) == 0 && out.toString().contains("\"stopped\"")) return true;
                Thread.sleep(20);
            } catch (RuntimeException | InterruptedException e) {
                return false;
            }
        }
        return false;
    }

    /**
     * A bundle directory under {@code work} running {@code args} (JSON array items) in the shared
     * rootfs, with what engines put in every config.json beside `runc spec`'s defaults; its cgroup
     * is named after the work directory, so no user's container has it. (No
     * String.format: its classes would go into the archive that every one of these verbs maps.)
     */
    private static String bundle(Path work, String name, String args) throws IOException {
        Path dir = Files.createDirectories(work.resolve(name));
        Files.writeString(dir.resolve("config.json"), """
                {"ociVersion": "1.2.0",
                 "process": {"terminal": false, "user": {"uid": 0, "gid": 0}, "args": [ARGS],
                   "env": ["PATH=/bin", "HOSTNAME=training"], "cwd": "/",
                   "capabilities": {"bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
                     "effective": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
                     "permitted": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"]},
                   "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
                   "noNewPrivileges": true, "oomScoreAdj": 0},
                 "root": {"path": "ROOTFS", "readonly": true},
                 "hostname": "training",
                 "mounts": [
                   {"destination": "/proc", "type": "proc", "source": "proc"},
                   {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
                   {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
                    "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
                   {"destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
                   {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue", "options": ["nosuid", "noexec", "nodev"]},
                   {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]},
                   {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]},
                   {"destination": "/tmp", "type": "bind", "source": "TMP", "options": ["rbind", "rw"]}],
                 "annotations": {"io.kubernetes.cri.container-type": "container"},
                 "linux": {
                   "cgroupsPath": "/oci/CGROUP",
                   "resources": {"devices": [{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rwm"}],
                     "memory": {"limit": 67108864}, "cpu": {"shares": 512}, "pids": {"limit": 64}},
                   "namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}],
                   "seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_AARCH64"],
                     "syscalls": [{"names": ["kexec_load", "open_by_handle_at"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1},
                       {"names": ["personality"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 4294967295, "op": "SCMP_CMP_EQ"}]}]},
                   "maskedPaths": ["/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/timer_list", "/sys/firmware"],
                   "readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]}}
                """.replace("ARGS", args).replace("ROOTFS", work.resolve("rootfs").toString())
                .replace("TMP", Files.createDirectories(dir.resolve("tmp")).toString()).replace("CGROUP", work.getFileName() + "-" + name));
        return dir.toString();
    }

    /**
     * The training run for the launcher's second, smaller archive (oci-meta.jsa): only the commands
     * that read a little metadata and print it, on their plain command lines (FastQuery): --version,
     * images, inspect, list, spec, validate. Its image is written into the store here (no pull, so no
     * HTTP client classes). Mapping and relocating an archive costs CPU in proportion to its size,
     * which the big archive's pull, bundle and run classes make ~4x what these commands use.
     */
    static List<String> metadata(boolean verbose) throws IOException, NoSuchAlgorithmException {
        List<String> failed = new ArrayList<>();
        Path work = Files.createTempDirectory("oci-training-");
        PrintWriter sink = verbose ? new PrintWriter(System.err, true) : new PrintWriter(OutputStream.nullOutputStream(), true);
        try {
            String store = work.resolve("store").toString();
            String ref = "127.0.0.1:5000/" + REPO + ":1";
            Path bundle = Files.createDirectories(work.resolve("bundle"));
            Files.createDirectories(bundle.resolve("rootfs"));
            String state = Files.createDirectories(work.resolve("state")).toString();
            List<List<String>> steps = List.of(
                    List.of("--version"),
                    List.of("--store", store, "images"),
                    List.of("spec", "--bundle", bundle.toString()),
                    List.of("validate", bundle.toString()),
                    List.of("--root", state, "list"),
                    List.of("--root", state, "list", "--format", "json"));
            for (List<String> step : steps) {
                if (run(step, sink, verbose) != 0) failed.add(String.join(" ", step));
            }
            Map<String, byte[]> blobs = blobs(4 << 20);
            oci.image.store.Store s = oci.image.store.Store.open(Path.of(store));
            for (Map.Entry<String, byte[]> b : blobs.entrySet()) {
                if (!b.getKey().equals("manifest")) s.putBlob("application/octet-stream", b.getValue());
            }
            s.tag(s.putBlob(oci.image.MediaType.OCI_MANIFEST, blobs.get("manifest")), ref);
            for (List<String> step : List.of(
                    List.of("--store", store, "images"),
                    List.of("--store", store, "images", "--format", "json"),
                    List.of("--store", store, "inspect", ref),
                    List.of("--store", store, "inspect", "--manifest", ref),
                    List.of("--store", store, "inspect", "--raw", ref))) {
                if (run(step, sink, verbose) != 0) failed.add(String.join(" ", step));
            }
            List<String> missing = List.of("--store", store, "inspect", "no-such-image");
            if (run(missing, sink, verbose) == 0) failed.add(String.join(" ", missing) + " (should have failed)");
        } finally {
            deleteTree(work);
        }
        return failed;
    }

    /**
     * The training run for the launcher's pull archive (oci-pull.jsa): only {@code oci pull}, as
     * people and scripts type it, from a registry served here on 127.0.0.1 into new stores, and a
     * pull from a registry that does not answer; one of the images is large enough (more than
     * Digest.SMALL) to be hashed by libcrypto, whose FFM binding's classes then enter the archive
     * too. Returns the steps that did not end as expected.
     */
    static List<String> pull(boolean verbose) throws IOException, NoSuchAlgorithmException {
        List<String> failed = new ArrayList<>();
        Path work = Files.createTempDirectory("oci-training-");
        HttpServer server = null, large = null;
        PrintWriter sink = verbose ? new PrintWriter(System.err, true) : new PrintWriter(OutputStream.nullOutputStream(), true);
        try {
            server = registry(blobs(4 << 20));
            large = registry(blobs((int) oci.image.Digest.SMALL + (1 << 20)));
            String ref = "127.0.0.1:" + server.getAddress().getPort() + "/" + REPO + ":1";
            String largeRef = "127.0.0.1:" + large.getAddress().getPort() + "/" + REPO + ":1";
            // The user's credentials (and credential helpers) and mirrors are left alone.
            Path auth = Files.writeString(work.resolve("auth.json"), "{}");
            Path conf = Files.writeString(work.resolve("registries.json"), "{}");
            List<String> isolated = List.of("--authfile", auth.toString(), "--registries-conf", conf.toString());
            for (List<String> step : List.of(
                    concat(List.of("--store", work.resolve("store-1").toString(), "pull", ref), isolated),
                    concat(List.of("--store", work.resolve("store-2").toString(), "pull", "-q", ref), isolated),
                    concat(List.of("--store", work.resolve("store-2").toString(), "pull", "-q", ref), isolated),
                    concat(List.of("--store", work.resolve("store-3").toString(), "pull", "-q", largeRef), isolated))) {
                if (run(step, sink, verbose) != 0) failed.add(String.join(" ", step));
            }
            List<String> missing = concat(List.of("--store", work.resolve("store-1").toString(), "pull", "127.0.0.1:1/" + REPO + ":1"), isolated);
            if (run(missing, sink, verbose) == 0) failed.add(String.join(" ", missing) + " (should have failed)");
        } finally {
            if (server != null) server.stop(0);
            if (large != null) large.stop(0);
            deleteTree(work);
        }
        return failed;
    }

    /** Runs every step; returns the ones that did not exit 0 (the expected failures excepted). */
    static List<String> run(boolean verbose) throws IOException, NoSuchAlgorithmException {
        List<String> failed = new ArrayList<>();
        Path work = Files.createTempDirectory("oci-training-");
        HttpServer server = null;
        PrintWriter sink = verbose ? new PrintWriter(System.err, true) : new PrintWriter(OutputStream.nullOutputStream(), true);
        try {
            server = registry(blobs(4 << 20));
            String store = work.resolve("store").toString();
            String ref = "127.0.0.1:" + server.getAddress().getPort() + "/" + REPO + ":1";
            // The user's credentials (and credential helpers) and mirrors are left alone.
            Path auth = Files.writeString(work.resolve("auth.json"), "{}");
            Path conf = Files.writeString(work.resolve("registries.json"), "{}");
            List<String> isolated = List.of("--authfile", auth.toString(), "--registries-conf", conf.toString());
            Path bundle = work.resolve("bundle");
            Path spec = work.resolve("spec");
            Files.createDirectories(spec);
            List<List<String>> steps = List.of(
                    List.of("--version"),
                    List.of("--help"),
                    List.of("help", "pull"),
                    List.of("pull", "--help"),
                    List.of("--store", store, "images"),
                    concat(List.of("--store", store, "pull", ref), isolated),
                    concat(List.of("--store", store, "pull", "-q", ref), isolated),
                    List.of("--store", store, "images"),
                    List.of("--store", store, "images", "--format", "json"),
                    List.of("--store", store, "inspect", ref),
                    List.of("--store", store, "inspect", "--manifest", ref),
                    List.of("--store", store, "tag", ref, "training:latest"),
                    // --root: the run bundle prepares stays in the work dir, not the machine's state root.
                    List.of("--store", store, "--root", work.resolve("state").toString(), "bundle", "training", bundle.toString()),
                    List.of("validate", bundle.toString()),
                    List.of("rmbundle", bundle.toString()),
                    // a bundle pulled while it unpacks, and removed (its overlay unmounted)
                    concat(List.of("--store", store, "--root", work.resolve("state").toString(), "bundle", "--pull", "always", ref,
                            bundle.toString()), isolated),
                    List.of("rmbundle", bundle.toString()),
                    List.of("spec", "--bundle", spec.toString()),
                    List.of("--root", work.resolve("state").toString(), "list"),
                    List.of("--store", store, "fsck"),
                    List.of("--store", store, "rmi", "training"),
                    List.of("--store", store, "gc"));
            // The error paths too: a missing image, a registry that does not answer.
            List<List<String>> failing = List.of(
                    List.of("--store", store, "inspect", "no-such-image"),
                    concat(List.of("--store", store, "pull", "127.0.0.1:1/" + REPO + ":1"), isolated));
            for (List<String> step : steps) {
                if (run(step, sink, verbose) != 0) failed.add(String.join(" ", step));
            }
            List<String> container = containerRun(spec, work.resolve("run-state"));
            if (container != null) {
                for (String id : List.of("training-1", "training-2")) {
                    // twice: the second one is a run whose cache entry exists, as the JVM sees it after a --debug run
                    List<String> step = concat(container, List.of(id));
                    if (run(step, sink, verbose) != 0) failed.add(String.join(" ", step));
                }
                // As containerd's shim and conmon call the runtime: a detached create with a pid file
                // and a JSON log (FastRun's create path), then start, state and delete in the JVM
                // (the launcher's front end does these without one, where it can).
                String state = work.resolve("run-state").toString(), log = work.resolve("runtime.log").toString();
                List<String> global = List.of("--root", state, "--log", log, "--log-format", "json");
                for (List<String> step : List.of(
                        concat(global, List.of("create", "--bundle", spec.toString(), "--pid-file", work.resolve("pid").toString(), "training-3")),
                        concat(global, List.of("state", "training-3")),
                        concat(global, List.of("start", "training-3")),
                        concat(global, List.of("delete", "--force", "training-3")))) {
                    if (run(step, sink, verbose) != 0) failed.add(String.join(" ", step));
                }
            }
            for (List<String> step : failing) {
                if (run(step, sink, verbose) == 0) failed.add(String.join(" ", step) + " (should have failed)");
            }
        } finally {
            if (server != null) server.stop(0);
            try {
                oci.unpack.Snapshots.unmount(work.resolve("bundle").resolve("rootfs")); // a failed rmbundle step must leave no mount
            } catch (RuntimeException ignored) {
                // nothing mounted
            }
            deleteTree(work);
        }
        return failed;
    }

    /**
     * The `oci run` command line (without its id) for the spec bundle made busybox `true`, or null
     * where no container can run here (not root, no static busybox).
     */
    private static List<String> containerRun(Path bundle, Path state) throws IOException {
        Path busybox = Path.of("/bin/busybox");
        if (!"root".equals(System.getProperty("user.name")) || !Files.isExecutable(busybox)) return null;
        Path config = bundle.resolve("config.json");
        if (!Files.exists(config)) return null;
        Path bin = Files.createDirectories(bundle.resolve("rootfs/bin"));
        Files.copy(busybox, bin.resolve("busybox"));
        for (String d : List.of("proc", "dev", "sys", "tmp")) Files.createDirectories(bundle.resolve("rootfs").resolve(d));
        Files.writeString(config, Files.readString(config)
                .replaceFirst("\"terminal\": true", "\"terminal\": false")
                .replaceFirst("\"args\": \\[\\s*\"sh\"\\s*\\]", "\"args\": [\"/bin/busybox\", \"true\"]"));
        return List.of("--root", state.toString(), "run", "--rm", "-b", bundle.toString());
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static int run(List<String> step, PrintWriter sink, boolean verbose) {
        try {
            int code = Main.run(step.toArray(String[]::new), sink, sink);
            if (verbose) System.err.println("training: oci " + String.join(" ", step) + " -> " + code);
            return code;
        } catch (RuntimeException | Error e) {
            // a step that fails only leaves its classes out of the archive
            if (verbose) System.err.println("training: oci " + String.join(" ", step) + " -> " + e);
            return -1;
        }
    }

    /** The training image: a config and one gzip layer of a tar holding {@code dataBytes} random bytes and /etc/passwd. */
    private static Map<String, byte[]> blobs(int dataBytes) throws IOException, NoSuchAlgorithmException {
        byte[] data = new byte[dataBytes];
        new Random(42).nextBytes(data);
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        tarEntry(tar, "etc/passwd", "root:x:0:0:root:/root:/bin/sh\n".getBytes(StandardCharsets.US_ASCII));
        tarEntry(tar, "data", data);
        tar.write(new byte[1024]);
        byte[] tarBytes = tar.toByteArray();
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz) {{ def.setLevel(Deflater.BEST_SPEED); }}) {
            out.write(tarBytes);
        }
        byte[] layer = gz.toByteArray();
        String arch = switch (System.getProperty("os.arch")) {
            case "aarch64" -> "arm64";
            case "amd64", "x86_64" -> "amd64";
            default -> System.getProperty("os.arch");
        };
        byte[] config = ("{\"architecture\":\"" + arch + "\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"/bin/sh\"],\"Env\":[\"PATH=/bin\"]},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + sha256(tarBytes) + "\"]}}").getBytes(StandardCharsets.UTF_8);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + sha256(config) + "\",\"size\":" + config.length + "},"
                + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" + sha256(layer) + "\",\"size\":" + layer.length + "}]}")
                .getBytes(StandardCharsets.UTF_8);
        Map<String, byte[]> blobs = new HashMap<>();
        blobs.put(sha256(config), config);
        blobs.put(sha256(layer), layer);
        blobs.put("manifest", manifest);
        return blobs;
    }

    /** The few distribution-spec endpoints a pull uses, on a free loopback port. */
    private static HttpServer registry(Map<String, byte[]> blobs) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        byte[] manifest = blobs.get("manifest");
        server.createContext("/v2/", ex -> {
            String path = ex.getRequestURI().getPath();
            String prefix = "/v2/" + REPO + "/";
            if (path.equals("/v2/")) {
                reply(ex, 200, "application/json", "{}".getBytes(StandardCharsets.UTF_8), null);
            } else if (path.startsWith(prefix + "manifests/")) {
                reply(ex, 200, "application/vnd.oci.image.manifest.v1+json", manifest, digestOf(manifest));
            } else if (path.startsWith(prefix + "blobs/") && blobs.containsKey(path.substring(prefix.length() + 6))) {
                reply(ex, 200, "application/octet-stream", blobs.get(path.substring(prefix.length() + 6)), null);
            } else {
                reply(ex, 404, "application/json", "{\"errors\":[{\"code\":\"NAME_UNKNOWN\",\"message\":\"unknown\"}]}".getBytes(StandardCharsets.UTF_8), null);
            }
        });
        server.start();
        return server;
    }

    private static void reply(HttpExchange ex, int status, String type, byte[] body, String digest) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        if (digest != null) ex.getResponseHeaders().set("Docker-Content-Digest", digest);
        boolean head = "HEAD".equals(ex.getRequestMethod());
        ex.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
        ex.close();
    }

    private static String digestOf(byte[] b) {
        try {
            return sha256(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sha256(byte[] b) throws NoSuchAlgorithmException {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    /** One ustar entry for a regular file (mode 0644, owner 0:0). */
    private static void tarEntry(ByteArrayOutputStream tar, String name, byte[] content) throws IOException {
        byte[] h = new byte[512];
        put(h, 0, name);
        put(h, 100, "0000644");
        put(h, 108, "0000000");
        put(h, 116, "0000000");
        put(h, 124, String.format("%011o", content.length));
        put(h, 136, "00000000000");
        for (int i = 148; i < 156; i++) h[i] = ' ';
        h[156] = '0';
        put(h, 257, "ustar");
        put(h, 263, "00");
        int sum = 0;
        for (byte b : h) sum += b & 0xff;
        put(h, 148, String.format("%06o", sum));
        h[154] = 0;
        h[155] = ' ';
        tar.write(h);
        tar.write(content);
        tar.write(new byte[(512 - content.length % 512) % 512]);
    }

    private static void put(byte[] h, int at, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, at, b.length);
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> all = Files.walk(root)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: a temp directory
                }
            });
        } catch (IOException ignored) {
            // nothing to clean
        }
    }
}
