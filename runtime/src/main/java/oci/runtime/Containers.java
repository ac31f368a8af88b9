package oci.runtime;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import oci.bundle.spec.RuntimeSpec;
import oci.linux.Errno;
import oci.linux.ErrnoException;
import oci.linux.ProcessCalls;

/**
 * The runtime's operations (runtime-spec runtime.md "Operations"), the way runc does them: each
 * container has a directory in the state root holding its state, a lock, and the exec fifo that
 * `start` opens to let the waiting init exec the user's program.
 *
 * <p>Every operation takes the container's lock, so concurrent commands on one container are
 * serialised; a dead process or a reused pid is recognised by the process start time.
 */
public final class Containers {
    private static final int SIGKILL = 9, SIGUSR1 = 10;

    private final Path root;
    private final Consumer<String> log;
    private final long t0 = System.nanoTime();
    /**
     * The config this instance parsed last, with the bytes it came from: `oci run` creates, starts
     * and deletes in one process, and start and delete only need its hooks; parsing once saves
     * start-up time. Used only while the saved config.json still has these bytes.
     */
    private volatile ParsedConfig lastConfig;
    /** The caller's work beside an init's start (see {@link #besideInitStart}); null: none. */
    private volatile Runnable besideInitStart;
    /** runc's --no-new-keyring (see {@link #keepCallersKeyring}). */
    private volatile boolean newKeyring = true;

    private record ParsedConfig(Path dir, byte[] bytes, RuntimeSpec spec) {}

    /**
     * @param root the state directory (runc's --root)
     * @param log receives debug lines (timings, the plan); may be null
     */
    public Containers(Path root, Consumer<String> log) {
        this.root = root.toAbsolutePath().normalize();
        this.log = log;
    }

    /**
     * runc's --no-new-keyring: containers this instance creates (and later execs in them) keep their
     * caller's session keyring instead of one of their own. Such runs are not cached for replay.
     */
    public Containers keepCallersKeyring() {
        newKeyring = false;
        return this;
    }

    /**
     * Has {@code work} run on a thread of its own once a create of this instance has started its
     * init: this process then waits for the init and for the kernel's move of it into its cgroups,
     * and a core is idle (`oci run` installs its signal handlers there). A foreground run's
     * run-cache entry is written on the same thread afterwards. A failure of {@code work} is its own
     * to report; the create goes on.
     */
    public Containers besideInitStart(Runnable work) {
        besideInitStart = work;
        return this;
    }

    /** /run/oci for root; $XDG_RUNTIME_DIR/oci otherwise. */
    public static Path defaultRoot() {
        if (euid() == 0) return Path.of("/run/oci");
        String xdg = System.getenv("XDG_RUNTIME_DIR");
        return xdg != null && !xdg.isEmpty() ? Path.of(xdg, "oci") : Path.of("/tmp", "oci-" + euid());
    }

    /** The effective uid: the owner of /proc/self (no native call on the start path). */
    static int euid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException e) {
            return ProcessCalls.geteuid();
        }
    }

    /** Where the container's standard streams go (INHERIT for the CLI, files in tests). */
    public record Stdio(ProcessBuilder.Redirect in, ProcessBuilder.Redirect out, ProcessBuilder.Redirect err) {
        public static Stdio inherit() {
            return new Stdio(ProcessBuilder.Redirect.INHERIT, ProcessBuilder.Redirect.INHERIT, ProcessBuilder.Redirect.INHERIT);
        }
    }

    /**
     * A container create (or exec) returned: its state; and, when this process waits for it
     * ({@code attached}: it made itself a child subreaper, so the container's process became its
     * child when the setup process exited), the terminal proxy it ends afterwards (0: none).
     */
    public record Created(ContainerState state, boolean attached, long proxy, Containers runtime) {
        /** The container's (or exec'd) process, as seen from the host. */
        public long pid() {
            return state.pid();
        }

        /**
         * Waits for the container's process and returns its exit code (128+N when killed by signal N);
         * then lets the terminal proxy pass on what is left and waits for it, and for the run cache
         * entry that the create began writing. Only for an attached create or exec: otherwise
         * the process is the caller's subreaper's to wait for, as with runc.
         */
        public int waitFor() throws InterruptedException {
            if (!attached) throw new IllegalStateException("container " + state.id() + " was not created attached: its process is not ours to wait for");
            int code;
            try {
                code = ProcessCalls.waitpid((int) state.pid(), false);
            } catch (ErrnoException e) {
                throw new ContainerException("wait for the process of container " + state.id() + ": " + e.getMessage());
            }
            if (proxy > 0) {
                try {
                    ProcessCalls.kill((int) proxy, SIGUSR1);
                    ProcessCalls.waitpid((int) proxy, false);
                } catch (ErrnoException e) {
                    // it left by itself when the pty closed, and was reaped: nothing to end
                }
            }
            Thread writer = runtime.runCacheWriter;
            if (writer != null) writer.join();
            return code;
        }
    }

    private void debug(String what) {
        if (log != null) log.accept("+" + (System.nanoTime() - t0) / 100_000 / 10.0 + "ms " + what);
    }

    // ---------------------------------------------------------------- create

    /**
     * Creates container {@code id} from the bundle: namespaces, mounts and cgroups are set up and
     * the init waits for {@link #start}. Returns once the container is "created".
     */
    public Created create(String id, Path bundle, Stdio stdio, Path pidFile, Path consoleSocket) {
        return create(id, bundle, stdio, pidFile, consoleSocket, false);
    }

    /**
     * As {@link #create(String, Path, Stdio, Path, Path)}; {@code attached} is for a foreground
     * `oci run`: this process then waits for the container's process itself (it becomes a child
     * subreaper, see {@link Created#waitFor}), and a terminal container gets its pty proxied to this
     * process's stdio. Otherwise, as with runc, the container's process is re-parented to the
     * caller's subreaper when this returns, and nothing of ours stays between them.
     */
    public Created create(String id, Path bundle, Stdio stdio, Path pidFile, Path consoleSocket, boolean attached) {
        return create(id, bundle, null, stdio, pidFile, consoleSocket, attached);
    }

    /**
     * Starts, on a daemon thread, the one-time work a create will need after it has read and planned
     * the bundle, longest first: the System.Logger back end that ProcessBuilder.start asks whether to
     * log the start (its first lookup scans every jar of the class path for a LoggerFinder service
     * and sets up java.util.logging: ~70 ms), for a {@code foreground} run linking the downcall it
     * makes (the first errno-capturing one costs 40-80 ms), the lookup of the native init in the
     * runtime jar, the process launcher's classes. With two cores it runs beside the command line's
     * and the config's parsing and the plan's making. The main thread does the same work where it
     * needs it (a class being initialised here makes it wait; what is done is not done twice):
     * results are the same with or without this thread, and a failure here is ignored.
     */
    public static void warmUp(boolean foreground) {
        // An init the front end started is adopted without ProcessBuilder (PrespawnedInit): the
        // steps for a process start are then left out (null), as is a link no call will use.
        boolean spawns = !PrespawnedInit.present();
        Thread.ofPlatform().daemon().name("oci-runtime-warm-up").start(() -> {
            Runnable[] steps = {
                    // Jackson's NumberInput compiles a regex in its static initialiser, which the
                    // first number in config.json otherwise runs on the main thread.
                    () -> {
                        try {
                            Class.forName("com.fasterxml.jackson.core.io.NumberInput", true, Json.class.getClassLoader());
                        } catch (ClassNotFoundException e) {
                            throw new IllegalStateException(e);
                        }
                    },
                    spawns ? () -> System.getLogger("java.lang.ProcessBuilder").isLoggable(System.Logger.Level.DEBUG) : null,
                    // A detached create calls no libc function on its way (a foreground run: prctl
                    // and wait4, both through syscall): linking unused downcalls cost ~20-40 ms of
                    // CPU beside the main thread on two cores.
                    foreground ? ProcessCalls::warmUp : null,
                    () -> {
                        try {
                            InitBinary.warmUp();
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    },
                    spawns ? () -> new ProcessBuilder("true").environment() : null,
                    spawns ? () -> {
                        try {
                            Class.forName("java.lang.ProcessImpl", true, null);
                            Class.forName("java.lang.ProcessHandleImpl", true, null);
                        } catch (ClassNotFoundException e) {
                            throw new IllegalStateException(e);
                        }
                    } : null};
            for (Runnable step : steps) {
                if (step == null) continue;
                try {
                    step.run();
                } catch (RuntimeException | Error ignored) {
                    // the main thread does it again and reports what fails
                }
            }
        });
    }

    /**
     * A bundle's config.json as read once: its bytes and what they say. `oci run` and `oci create`
     * look at it before the create (a terminal, a foreign program) and hand it on, so that it is
     * read and parsed once.
     */
    public record BundleConfig(Path bundleDir, byte[] bytes, RuntimeSpec spec) {}

    /** The config.json of {@code bundle}, read and parsed; null when it cannot be (the create then reports why). */
    public static BundleConfig readConfig(Path bundle) {
        Path bundleDir = bundle.toAbsolutePath().normalize();
        try {
            byte[] bytes = Files.readAllBytes(bundleDir.resolve("config.json"));
            return new BundleConfig(bundleDir, bytes, readSpec(bytes, bundleDir.resolve("config.json").toString()));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * As {@link #create(String, Path, Stdio, Path, Path, boolean)}, from the bundle's config.json as
     * {@link #readConfig} read it (null: read it here).
     */
    public Created create(String id, Path bundle, BundleConfig config, Stdio stdio, Path pidFile, Path consoleSocket, boolean attached) {
        checkId(id);
        Path bundleDir = bundle.toAbsolutePath().normalize();
        RuntimeSpec spec;
        byte[] configBytes;
        try {
            if (config != null && config.bundleDir().equals(bundleDir)) {
                configBytes = config.bytes();
                spec = config.spec();
            } else {
                configBytes = Files.readAllBytes(bundleDir.resolve("config.json"));
                spec = readSpec(configBytes, bundleDir.resolve("config.json").toString());
            }
        } catch (NoSuchFileException e) {
            throw new ContainerException("create container " + id + ": no config.json in bundle " + bundleDir);
        } catch (IOException e) {
            throw new ContainerException("create container " + id + ": read " + bundleDir.resolve("config.json") + ": " + e.getMessage());
        } catch (ContainerException e) {
            throw new ContainerException("create container " + id + ": " + e.getMessage());
        }
        debug("config parsed");
        Path dir = root.resolve(id);
        Decision d;
        try {
            d = decide(id, bundleDir, spec, consoleSocket, attached);
        } catch (ContainerException e) {
            throw new ContainerException("create container " + id + ": " + e.getMessage());
        }
        ContainerPlan plan = d.plan();
        RuntimeSpec.Memory memory = spec.linux == null || spec.linux.resources == null ? null : spec.linux.resources.memory;
        if (memory != null && (memory.kernel != null || memory.kernelTCP != null)) {
            // runc 1.1's choice: configs written for older kernels still run
            warn("create container " + id + ": linux.resources.memory.kernel and kernelTCP are ignored (kernel memory limits "
                    + "were removed from Linux)");
        }
        Cgroups cgroups = d.cgroups();
        List<String> cgroupDirs = d.cgroupDirs();
        boolean rootless = d.rootless();
        debug("plan built (" + plan.init().steps().size() + " steps)");
        try {
            StateFiles.makeRoot(root);
            StateFiles.makeContainerDir(dir);
        } catch (FileAlreadyExistsException e) {
            throw new ContainerException("create container " + id + ": a container with this id already exists in " + root);
        } catch (IOException e) {
            throw new ContainerException("create container " + id + ": create " + dir + ": " + e.getMessage());
        }
        Saved saved = d.saved();
        Process setup = null;
        long[] proxy = {0};
        boolean cgroupMade = false;
        boolean cache = newKeyring && RunCache.cacheable(spec, pidFile, consoleSocket, attached);
        try (Lock lock = lock(dir)) {
            save(dir, saved);
            StateFiles.write(dir.resolve("config.json"), configBytes);
            lastConfig = new ParsedConfig(dir, configBytes, spec);
            if (!rootless) cgroups.create(plan.cgroupPath(), plan.cgroupSettings());
            cgroupMade = true;
            debug("cgroup created");
            Path sync = dir.resolve("init.sync");
            List<Path> joined = cgroups.callers() ? List.of() : cgroups.dirs(plan.cgroupPath());
            CgroupJoin join = null;
            try {
                Path init = InitBinary.path(root);
                // The init the front end started before this JVM, if it is the one to run: its pid
                // is known, so it joins its cgroups while the plan is written.
                PrespawnedInit early = PrespawnedInit.claim(init, stdio);
                if (early != null) join = new CgroupJoin(joined, early.pid());
                StateFiles.write(dir.resolve("plan"), plan.init().serialise());
                if (log != null && System.getenv("OCI_DEBUG_PLAN") != null) log.accept("plan:\n" + plan.init());
                debug("plan written, init binary at hand");
                setup = early != null && early.start(dir.resolve("plan")) ? early : startInit(init, dir.resolve("plan"), stdio);
                debug("init started, pid " + setup.pid() + (setup == early ? " (started early)" : ""));
                if (setup != early) {
                    if (join != null) join.finish(); // (the early init's, gone: its outcome does not matter)
                    join = new CgroupJoin(joined, setup.pid());
                }
                startBesideInit(id, bundleDir, configBytes, spec, cache);
                saved = converse(id, sync, setup, plan, join, saved, spec, proxy, attached);
                awaitSetupExit("create container " + id, setup);
                if (attached && setup == early) early.reap();
            } finally {
                if (join != null) join.finish();
                deleteSync(sync);
            }
            Files.deleteIfExists(dir.resolve("plan"));
            if (pidFile != null) writeAtomically(pidFile, (saved.pid() + "").getBytes(StandardCharsets.US_ASCII));
            save(dir, saved);
            debug("created");
            if (!cache) RunCache.forget(root, bundleDir);
            return new Created(state(dir, saved), attached, proxy[0], this);
        } catch (IOException | RuntimeException e) {
            PendingRunCache pending = pendingRunCache;
            if (pending != null && pending.id().equals(id)) {
                pendingRunCache = null;
                drop(pending);
            }
            abandon(dir, saved, setup, proxy[0], attached, cgroupMade ? cgroupDirs : List.of());
            // A cgroup creation that failed half-way (a value the kernel refused) leaves directories:
            // removed where no process is in them (the path may be shared, with live processes).
            if (!cgroupMade) {
                try {
                    Cgroups.remove(cgroupDirs.stream().map(Path::of).filter(Files::isDirectory)
                            .filter(p -> Cgroups.pids(List.of(p)).isEmpty()).toList());
                } catch (RuntimeException ignored) {
                    // the create error is the one to report
                }
            }
            unmountHostMounts(spec, bundleDir);
            String msg = e instanceof ContainerException ? e.getMessage() : e instanceof ErrnoException ? e.getMessage() : e.toString();
            if (msg.startsWith("create container ")) throw new ContainerException(msg, e);
            throw new ContainerException("create container " + id + ": " + msg, e);
        }
    }

    /** The init, running {@code plan}, started here with an empty environment. */
    private static Process startInit(Path init, Path plan, Stdio stdio) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(init.toString(), plan.toString())
                .redirectInput(stdio.in()).redirectOutput(stdio.out()).redirectError(stdio.err());
        pb.environment().clear();
        return pb.start();
    }

    /**
     * What a foreground create decided, being written for the next run of the bundle by a thread of
     * its own from the init's start on ({@link #startBesideInit}): the writing (~6 ms of CPU: a
     * second decide, the entry) runs while this process waits for the init and the kernel's cgroup
     * move, where a core is idle; begun at the end of the create, it took CPU from the signal
     * handlers' set-up and the start, and a short program's run waited for it. It is kept only if
     * the create and {@link #start} succeed; a
     * create or a start that fails, or a delete without a start, removes it: a bundle is cached once
     * its container ran, as before.
     */
    private record PendingRunCache(String id, Path bundleDir, Thread writer) {}

    /** The caller's work beside the init's start ({@link #besideInitStart}), then the run-cache entry when {@code cache}. */
    private void startBesideInit(String id, Path bundleDir, byte[] configBytes, RuntimeSpec spec, boolean cache) {
        Runnable work = besideInitStart;
        if (work == null && !cache) return;
        Thread t = Thread.ofPlatform().daemon().name("beside-init").start(() -> {
            if (work != null) {
                try {
                    work.run();
                } catch (RuntimeException e) {
                    // the caller's to report
                }
            }
            if (cache) remember(bundleDir, configBytes, spec);
        });
        if (cache) pendingRunCache = new PendingRunCache(id, bundleDir, t);
    }

    private volatile PendingRunCache pendingRunCache;
    private volatile Thread runCacheWriter;

    /** Keeps what a create of this bundle decides for the next foreground run of it ({@link RunCache}); a cache, so a failure only logs. */
    private void remember(Path bundleDir, byte[] configBytes, RuntimeSpec spec) {
        try {
            RunCache.write(root, bundleDir, configBytes, decide(RunCache.ID_MARK, bundleDir, spec, null, true), InitBinary.path(root));
            debug("run cache written");
        } catch (IOException | RuntimeException e) {
            RunCache.forget(root, bundleDir);
            debug("run cache not written: " + e.getMessage());
        }
    }

    /**
     * Decides now what the first foreground `oci run` of {@code bundle} in this state root will do,
     * so that it starts without a JVM ({@link RunCache}): `oci bundle` calls this once the bundle is
     * written. Creates nothing but the cache entry.
     *
     * @throws ContainerException when the bundle could not be run, or not replayed (hooks, a terminal)
     */
    public void prepareRun(Path bundle) {
        Path bundleDir = bundle.toAbsolutePath().normalize();
        try {
            byte[] configBytes = Files.readAllBytes(bundleDir.resolve("config.json"));
            RuntimeSpec spec = readSpec(configBytes, bundleDir.resolve("config.json").toString());
            if (!RunCache.cacheable(spec, null, null, true)) throw new ContainerException("not replayable (hooks or a terminal)");
            RunCache.write(root, bundleDir, configBytes, decide(RunCache.ID_MARK, bundleDir, spec, null, true), InitBinary.path(root));
        } catch (IOException e) {
            throw new ContainerException("prepare the run of " + bundleDir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Everything decided for container {@code id} before anything exists: the cgroups it gets,
     * its plan, and its state as first saved.
     */
    record Decision(ContainerPlan plan, Cgroups cgroups, List<String> cgroupDirs, Saved saved, boolean rootless) {}

    private Decision decide(String id, Path bundleDir, RuntimeSpec spec, Path consoleSocket, boolean attached) {
        boolean rootless = euid() != 0;
        if (rootless) checkRootless(spec);
        Cgroups cgroups = rootless ? Cgroups.detect().callersOwn() : Cgroups.detect();
        if (cgroups.controllers().isEmpty() && !cgroups.unifiedOnly()) {
            throw ContainerException.unsupported("linux.cgroupsPath", "this machine has no cgroup hierarchy mounted under /sys/fs/cgroup");
        }
        ContainerPlan plan = PlanBuilder.build(spec, new PlanBuilder.Context(id, bundleDir, root.resolve(id), cgroups,
                Capabilities.lastCap(), consoleSocket, attached).withNewKeyring(newKeyring));
        if (rootless && !plan.cgroupSettings().isEmpty()) {
            throw new ContainerException("linux.resources: a container run without root gets no cgroup of its own here (it stays "
                    + "in the caller's cgroups), so it cannot have limits or device rules; remove them or run as root");
        }
        boolean pidns = spec.linux != null && spec.linux.namespaces != null
                && spec.linux.namespaces.stream().anyMatch(n -> "pid".equals(n.type) && (n.path == null || n.path.isEmpty()));
        // A rootless container has no cgroup of its own: nothing to join, kill in or remove later.
        List<String> cgroupDirs = rootless ? List.of() : cgroups.dirs(plan.cgroupPath()).stream().map(Path::toString).toList();
        Saved saved = new Saved(spec.ociVersion == null ? RuntimeSpec.VERSION : spec.ociVersion, id, 0, 0, bundleDir.toString(),
                spec.annotations == null ? Map.of() : spec.annotations, Saved.timestamp(Instant.now()), owner(), cgroupDirs, pidns, false, !newKeyring,
                stateOnly(spec));
        return new Decision(plan, cgroups, cgroupDirs, saved, rootless);
    }

    /**
     * Whether the container's later verbs need only its state file (see {@link Saved#stateOnly}): no
     * poststart or poststop hooks to run, no mounts in the host's namespace to undo on delete.
     */
    private static boolean stateOnly(RuntimeSpec spec) {
        boolean hooks = spec.hooks != null && (spec.hooks.poststart != null && !spec.hooks.poststart.isEmpty()
                || spec.hooks.poststop != null && !spec.hooks.poststop.isEmpty());
        boolean hostMounts = spec.root != null && spec.root.path != null && spec.linux != null
                && (spec.linux.namespaces == null || spec.linux.namespaces.stream().noneMatch(n -> "mount".equals(n.type)));
        return !hooks && !hostMounts;
    }

    /** Answers the init's "sync NAME PID" requests. */
    private interface SyncHandler {
        void sync(String what, long pid) throws IOException;
    }

    /**
     * Talks to the init over the sync fifos until it reports "ready" (init.c's protocol) and
     * returns the pid of the container's process it reported; the terminal proxy's pid, if one is
     * reported, goes to {@code proxy[0]}.
     */
    private long talk(String verb, Path sync, Process setup, SyncHandler handler, long[] proxy) throws IOException {
        FileChannel toInit, fromInit;
        try {
            // init.c's connect_runtime: "in" last, then it waits until we hold "out".
            awaitSync(sync, setup);
            toInit = FileChannel.open(sibling(sync, ".in"), StandardOpenOption.READ, StandardOpenOption.WRITE);
            fromInit = FileChannel.open(sibling(sync, ".out"), StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContainerException(verb + ": interrupted");
        }
        // We hold a writer of "out" ourselves, so no end of file comes when the init dies: once it is
        // gone, a line only we write ends the read, after whatever the init sent before. The setup
        // process exits as soon as it has forked the container's process (and sent its pid): from
        // then on, that process is the one watched.
        java.util.concurrent.atomic.AtomicLong reported = new java.util.concurrent.atomic.AtomicLong();
        // A platform thread: the first virtual thread of a JVM starts the virtual-thread scheduler,
        // 3-5 ms on this thread (--debug) while the init's first message waits to be read.
        Thread watchdog = Thread.ofPlatform().daemon().name("init-watchdog").start(() -> {
            try {
                setup.waitFor();
                if (setup.exitValue() == 0) {
                    long pid;
                    while ((pid = reported.get()) == 0) Thread.sleep(1);
                    while (startTime(pid) >= 0) Thread.sleep(1);
                }
                fromInit.write(java.nio.ByteBuffer.wrap(INIT_GONE.getBytes(StandardCharsets.US_ASCII)));
            } catch (InterruptedException | IOException e) {
                // talk is over
            }
        });
        long pid = 0;
        boolean ready = false;
        try (toInit; fromInit; BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(fromInit), StandardCharsets.UTF_8));
             OutputStream out = Channels.newOutputStream(toInit)) {
            for (String line; (line = in.readLine()) != null && !line.equals(INIT_GONE.strip()); ) {
                debug("init: " + line);
                if (line.startsWith("error ")) {
                    throw new ContainerException(verb + ": " + line.substring(6));
                } else if (line.startsWith("pid ")) {
                    pid = Long.parseLong(line.substring(4).trim());
                    reported.set(pid);
                    if (ready) return pid;
                } else if (line.startsWith("proxy ")) {
                    proxy[0] = Long.parseLong(line.substring(6).trim());
                } else if (line.equals("ready")) {
                    // The setup process sends the pid and the container process "ready", on the same
                    // fifo but from two processes: either may come first.
                    ready = true;
                    if (pid > 0) return pid;
                } else if (line.startsWith("sync ")) {
                    String[] w = line.split(" ");
                    try {
                        handler.sync(w[1], w[1].equals("cgroup") || w[1].equals("userns") ? Long.parseLong(w[2]) : pid);
                    } catch (IOException | RuntimeException e) {
                        out.write("fail\n".getBytes(StandardCharsets.US_ASCII));
                        throw e;
                    }
                    out.write("ok\n".getBytes(StandardCharsets.US_ASCII));
                } else {
                    throw new ContainerException(verb + ": unexpected message from init: " + line);
                }
            }
        } finally {
            watchdog.interrupt();
        }
        throw new ContainerException(verb + ": init exited before the container was ready" + exitStatus(setup));
    }

    /**
     * The setup process exits right after it reported the container's pid; once it has, the
     * container's process has been re-parented (to the caller's subreaper, or to us when attached).
     */
    private static void awaitSetupExit(String verb, Process setup) {
        try {
            if (!setup.waitFor(10, TimeUnit.SECONDS)) throw new ContainerException(verb + ": the setup process did not exit");
            if (setup.exitValue() != 0) throw new ContainerException(verb + ": the setup process failed (exit status " + setup.exitValue() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContainerException(verb + ": interrupted");
        }
    }

    /**
     * A foreground run or exec waits for its process itself (runc's `run` does the same): orphans
     * are re-parented to us, the container's process among them once the setup process exits.
     */
    private static void becomeReaper() {
        try {
            ProcessCalls.setChildSubreaper();
        } catch (ErrnoException e) {
            throw new ContainerException("become the child subreaper that waits for the container: " + e.getMessage());
        }
    }

    /**
     * The container's cgroups joined by the init's pid as soon as it is known, on a thread of its
     * own while the init starts and connects; the init's "sync cgroup" waits for it ({@link #await}).
     * The kernel's first move of a process into a cgroup after a quiet spell waits for an RCU grace
     * period (the writer side of cgroup_threadgroup_rwsem): strace -T showed the first cgroup.procs
     * write taking 6-16 ms here, which the init used to wait for after it had started; now the
     * two overlap. Rootless containers stay in the caller's cgroups: nothing to join. `oci exec`
     * joins the container's cgroups (its saved directories) the same way.
     */
    private static final class CgroupJoin {
        private final List<Path> dirs;
        private final long pid;
        private final Thread thread;
        private volatile RuntimeException failure;

        /** Joins {@code dirs} (none: nothing to do, no thread) with {@code pid}. */
        CgroupJoin(List<Path> dirs, long pid) {
            this.dirs = dirs;
            this.pid = pid;
            this.thread = dirs.isEmpty() ? null : Thread.ofPlatform().daemon().name("cgroup-join").start(this::run);
        }

        private void run() {
            try {
                Cgroups.join(dirs, pid);
            } catch (RuntimeException e) {
                failure = e;
            }
        }

        /** Once the init asks: its cgroups joined, or why they could not be. */
        void await(long initPid) {
            if (thread == null) return;
            finish();
            if (failure != null) throw failure;
            // The init reports its own pid, which is the one started; should it ever differ, join that one too.
            if (initPid != pid) Cgroups.join(dirs, initPid);
        }

        /** Waits for the thread (a failed create removes the cgroups afterwards). */
        void finish() {
            if (thread == null) return;
            awaitEnd(thread);
        }
    }

    /** Waits for {@code thread} to end; an interrupt meanwhile is kept for the caller to see. */
    private static void awaitEnd(Thread thread) {
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    private Saved converse(String id, Path sync, Process setup, ContainerPlan plan, CgroupJoin join,
                           Saved saved, RuntimeSpec spec, long[] proxy, boolean attached) throws IOException {
        Saved[] s = {saved};
        long pid = talk("create container " + id, sync, setup, (what, p) -> {
            if (!what.equals("cgroup") && !what.equals("userns") && s[0].pid() != p) s[0] = withPid(s[0], p, startTime(p));
            // The init forks the container's process once its cgroups are joined: from then on it may
            // be re-parented, so a foreground run must be its subreaper by then. Linking that downcall
            // here rather than before the init's start lets it overlap with the start.
            if (what.equals("cgroup") && attached) becomeReaper();
            sync(what, p, plan, join, s[0], spec);
        }, proxy);
        Saved r = s[0].pid() == pid ? s[0] : withPid(s[0], pid, startTime(pid));
        if (r.pidStart() < 0) {
            throw new ContainerException("create container " + id + ": the container process " + pid + " is gone (or unreadable in /proc)");
        }
        return new Saved(r.ociVersion(), r.id(), r.pid(), r.pidStart(), r.bundle(), r.annotations(), r.created(), r.owner(),
                r.cgroupDirs(), r.pidns(), true, r.callersKeyring(), r.stateOnly());
    }

    private void sync(String what, long pid, ContainerPlan plan, CgroupJoin join, Saved saved, RuntimeSpec spec) throws IOException {
        switch (what) {
            case "cgroup" -> join.await(pid);
            case "userns" -> writeIdMaps(pid, plan);
            case "createRuntime" -> {
                byte[] state = new ContainerState(saved.ociVersion(), saved.id(), "creating", saved.pid(), saved.bundle(),
                        saved.annotations(), null, null).toJson();
                if (spec.hooks != null) {
                    Hooks.run(spec.hooks.prestart, "prestart", state);
                    Hooks.run(spec.hooks.createRuntime, "createRuntime", state);
                }
            }
            case "hookState" -> writeHookState(dir(saved).resolve("hook-state.json"), new ContainerState(saved.ociVersion(), saved.id(),
                    "creating", saved.pid(), saved.bundle(), saved.annotations(), null, null).toJson(), plan, spec);
            default -> throw new ContainerException("unexpected sync \"" + what + "\" from init");
        }
        debug("sync " + what + " done");
    }

    /**
     * The state for the hooks the init runs inside the container, which it opens as root of the
     * container's user namespace: that root's host ids own the file, which is theirs alone. In a
     * user namespace joined by path, whose ids are not known here, anyone may read it.
     */
    private static void writeHookState(Path file, byte[] json, ContainerPlan plan, RuntimeSpec spec) throws IOException {
        StateFiles.write(file, json);
        boolean joinsUserns = spec.linux != null && spec.linux.namespaces != null
                && spec.linux.namespaces.stream().anyMatch(n -> "user".equals(n.type) && n.path != null && !n.path.isEmpty());
        long uid = PlanBuilder.hostId(plan.uidMap(), 0), gid = PlanBuilder.hostId(plan.gidMap(), 0);
        if (joinsUserns) {
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        } else if (uid >= 0 && gid >= 0) {
            Files.setAttribute(file, "unix:gid", (int) gid);
            Files.setAttribute(file, "unix:uid", (int) uid);
        }
    }

    /**
     * Written by the parent: the child in the new user namespace cannot map ids itself. Without
     * root, the kernel lets a process map only its own uid and gid (user_namespaces(7)), and the
     * gid map only once setgroups is denied.
     */
    private static void writeIdMaps(long pid, ContainerPlan plan) throws IOException {
        Path proc = Path.of("/proc", Long.toString(pid));
        boolean rootless = euid() != 0;
        try {
            Files.writeString(proc.resolve("uid_map"), plan.uidMap());
            if (rootless) Files.writeString(proc.resolve("setgroups"), "deny");
            Files.writeString(proc.resolve("gid_map"), plan.gidMap());
        } catch (IOException e) {
            if (!rootless) throw e;
            throw new ContainerException("write the user namespace's id maps: " + e.getMessage() + " (without root only one "
                    + "mapping of this user's own uid " + euid() + " and gid is allowed; newuidmap is not supported)");
        }
    }

    /**
     * What a container needs to run without root here: a new user namespace (mapping this user to
     * root inside, as `oci spec --rootless` writes). Cgroup limits are checked once planned.
     */
    private static void checkRootless(RuntimeSpec spec) {
        RuntimeSpec.Linux l = spec.linux;
        boolean newUserns = l != null && l.namespaces != null
                && l.namespaces.stream().anyMatch(n -> "user".equals(n.type) && (n.path == null || n.path.isEmpty()));
        if (!newUserns) {
            throw new ContainerException("running without root needs a new user namespace in linux.namespaces, with "
                    + "uidMappings/gidMappings of your own ids (`oci spec --rootless` or `oci bundle --rootless` writes them)");
        }
    }

    /** Never sent by the init (see talk). */
    private static final String INIT_GONE = "\u0000init gone\n";

    private static Path sibling(Path sync, String suffix) {
        return sync.resolveSibling(sync.getFileName() + suffix);
    }

    /** Waits until the init has made its sync fifos (init.c's connect_runtime makes "in" last). */
    private static void awaitSync(Path sync, Process setup) throws InterruptedException {
        Path in = sibling(sync, ".in");
        while (!Files.exists(in, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            if (!setup.isAlive()) throw new ContainerException("init exited before connecting" + exitStatus(setup));
            Thread.sleep(0, 200_000);
        }
    }

    private static void deleteSync(Path sync) throws IOException {
        Files.deleteIfExists(sibling(sync, ".in"));
        Files.deleteIfExists(sibling(sync, ".out"));
    }

    private static String exitStatus(Process p) {
        try {
            if (p.waitFor(2, TimeUnit.SECONDS)) return " (exit status " + p.exitValue() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "";
    }

    /** Undoes a failed create: the processes, the cgroup, the state directory. */
    private void abandon(Path dir, Saved saved, Process setup, long proxy, boolean attached, List<String> cgroupDirs) {
        if (saved.pid() > 0) signalIfSame(saved.pid(), saved.pidStart(), SIGKILL);
        stopSetup(setup);
        if (attached) reapQuietly(saved.pid(), proxy);
        try {
            killAll(cgroupDirs);
            Cgroups.remove(cgroupDirs.stream().map(Path::of).toList());
        } catch (RuntimeException ignored) {
            // the create error is the one to report
        }
        deleteTree(dir);
    }

    private static void stopSetup(Process setup) {
        if (setup == null) return;
        try {
            if (!setup.waitFor(5, TimeUnit.SECONDS)) setup.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** An attached create or exec that failed: its killed process and the proxy are our children now. */
    private static void reapQuietly(long pid, long proxy) {
        try {
            if (proxy > 0) {
                ProcessCalls.kill((int) proxy, SIGUSR1);
                ProcessCalls.waitpid((int) proxy, false);
            }
        } catch (ErrnoException ignored) {
            // not ours, or gone
        }
        for (int i = 0; pid > 0 && i < 500; i++) {
            try {
                if (ProcessCalls.waitpid((int) pid, true) >= 0) return;
                Thread.sleep(10);
            } catch (ErrnoException e) {
                return; // not (yet, or any more) our child
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    // ---------------------------------------------------------------- exec

    /** The process of the container's config.json: the defaults for `oci exec`. */
    public RuntimeSpec.Process process(String id) {
        RuntimeSpec spec = savedConfig(existing(id));
        if (spec == null || spec.process == null) throw new ContainerException("exec in container " + id + ": its saved config has no process");
        return spec.process;
    }

    /** Reads a runtime-spec process object (runc's exec --process FILE). */
    public static RuntimeSpec.Process readProcess(Path file) {
        try {
            String text = Files.readString(file);
            return SpecBinder.process(Json.parse(text, file.toString()), "process");
        } catch (IOException e) {
            throw new ContainerException("read process file " + file + ": " + e.getMessage());
        }
    }

    /**
     * Runs another process in a created or running container (runc's exec): it joins every
     * namespace and the cgroups of the container's process. Returns when the process runs; when
     * {@code attached}, {@link Created#waitFor} returns its exit code, otherwise it is re-parented to
     * the caller's subreaper.
     */
    public Created exec(String id, RuntimeSpec.Process process, Stdio stdio, Path pidFile, Path consoleSocket, boolean attached) {
        Path dir = existing(id);
        ExecLookups lookups = new ExecLookups(root);
        // A foreground exec's subreaper prctl (at the init's cgroup sync) and its wait4 go through a
        // downcall whose first link took ~50 ms on the main thread (-Xlog:class+load): linked on a
        // thread of its own while the plan is built and the init starts.
        if (attached) Thread.ofPlatform().daemon().name("exec-link").start(ProcessCalls::warmUp);
        String verb = "exec in container " + id;
        String tag = Long.toHexString(System.nanoTime());
        Path sync = dir.resolve("exec-" + tag + ".sync"), planFile = dir.resolve("exec-" + tag + ".plan");
        Process setup = null;
        CgroupJoin join = null;
        long[] proxy = {0};
        long pid = 0;
        try (Lock lock = lock(dir)) {
            Saved saved = load(dir);
            String status = status(dir, saved);
            if (!status.equals("running") && !status.equals("created")) {
                throw new ContainerException(verb + ": cannot exec in a " + status + " container"); // runc's text
            }
            RuntimeSpec spec = savedConfig(dir);
            if (spec == null) throw new ContainerException(verb + ": its saved config.json cannot be read");
            InitPlan plan;
            try {
                plan = PlanBuilder.exec(spec, process, new PlanBuilder.Context(id, Path.of(saved.bundle()), dir, Cgroups.detect(),
                        Capabilities.lastCap(), consoleSocket, attached).withNewKeyring(!saved.callersKeyring()),
                        saved.pid(), sync);
            } catch (ContainerException e) {
                throw new ContainerException(verb + ": " + e.getMessage());
            }
            StateFiles.write(planFile, plan.serialise());
            ProcessBuilder pb = new ProcessBuilder(lookups.init().toString(), planFile.toString())
                    .redirectInput(stdio.in()).redirectOutput(stdio.out()).redirectError(stdio.err());
            pb.environment().clear();
            setup = pb.start();
            // As create does: the cgroups joined while the init starts, and the subreaper made
            // (foreground only) while the init is on its way, before it forks the process.
            List<Path> cgroupDirs = new ArrayList<>(saved.cgroupDirs().size());
            for (String d : saved.cgroupDirs()) cgroupDirs.add(Path.of(d));
            join = new CgroupJoin(cgroupDirs, setup.pid());
            CgroupJoin joining = join;
            pid = talk(verb, sync, setup, (what, p) -> {
                if (!what.equals("cgroup")) throw new ContainerException("unexpected sync \"" + what + "\" from init");
                if (attached) becomeReaper();
                joining.await(p);
            }, proxy);
            awaitSetupExit(verb, setup);
            if (pidFile != null) writeAtomically(pidFile, Long.toString(pid).getBytes(StandardCharsets.US_ASCII));
            return new Created(new ContainerState(saved.ociVersion(), id, "running", pid, saved.bundle(), saved.annotations(),
                    saved.created(), saved.owner()), attached, proxy[0], this);
        } catch (IOException | RuntimeException e) {
            if (pid > 0) signalIfSame(pid, startTime(pid), SIGKILL);
            if (setup != null) setup.destroyForcibly();
            stopSetup(setup);
            if (attached) reapQuietly(pid, proxy[0]);
            String msg = e instanceof ContainerException || e instanceof ErrnoException ? e.getMessage() : e.toString();
            throw new ContainerException(msg.startsWith(verb) ? msg : verb + ": " + msg, e);
        } finally {
            if (join != null) join.finish();
            try {
                deleteSync(sync);
                Files.deleteIfExists(planFile);
            } catch (IOException ignored) {
                // the container directory may be gone
            }
        }
    }

    /**
     * The init binary exec starts once its plan is written, looked up on a thread of its own while
     * it reads the container's state and builds the plan (the first lookup in the runtime jar loads
     * the jar URL handling). Work the exec does anyway, only sooner.
     */
    private static final class ExecLookups {
        private final Path root;
        private final Thread thread;
        private volatile Path init;
        private volatile RuntimeException failure;

        ExecLookups(Path root) {
            this.root = root;
            this.thread = Thread.ofPlatform().daemon().name("exec-lookups").start(this::run);
        }

        private void run() {
            try {
                init = InitBinary.path(root);
            } catch (RuntimeException e) {
                failure = e;
            }
        }

        /** The init binary's path, once found. */
        Path init() {
            awaitEnd(thread);
            if (failure != null) throw failure;
            return init;
        }
    }

    // ---------------------------------------------------------------- start, state, kill, delete, list

    /** Lets a created container's init exec the user's program (runtime.md "start"). */
    public void start(String id) {
        PendingRunCache pending = pendingRunCache;
        if (pending != null && pending.id().equals(id)) {
            pendingRunCache = null;
            try {
                startInit(id);
            } catch (RuntimeException e) {
                drop(pending);
                throw e;
            }
            // Created.waitFor waits for it.
            runCacheWriter = pending.writer();
        } else {
            startInit(id);
        }
    }

    /** A run cache entry whose container did not run: waited for, then removed. */
    private void drop(PendingRunCache pending) {
        try {
            pending.writer().join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        RunCache.forget(root, pending.bundleDir());
    }

    private void startInit(String id) {
        Path dir = existing(id);
        Saved saved;
        try (Lock lock = lock(dir)) {
            saved = load(dir);
            String status = status(dir, saved);
            if (!status.equals("created")) {
                // runc's texts
                throw new ContainerException("start container " + id + ": " + switch (status) {
                    case "stopped" -> "cannot start a container that has stopped";
                    case "running" -> "cannot start an already running container";
                    default -> "cannot start a container in the " + status + " state";
                });
            }
            releaseInit(dir.resolve("exec.fifo"), saved, id);
            Files.deleteIfExists(dir.resolve("exec.fifo"));
            debug("started");
        } catch (IOException e) {
            throw new ContainerException("start container " + id + ": " + e.getMessage(), e);
        }
        RuntimeSpec.Hooks hooks = savedHooks(dir);
        if (hooks != null && hooks.poststart != null) {
            try {
                // The state as the start left it (runtime-spec: poststart runs once the program
                // started), not as it is now: a short program may have exited already.
                Hooks.run(hooks.poststart, "poststart", new ContainerState(saved.ociVersion(), id, "running", saved.pid(),
                        saved.bundle(), saved.annotations(), saved.created(), saved.owner()).toJson());
            } catch (ContainerException e) {
                warn("start container " + id + ": " + e.getMessage());
            }
        }
    }

    /**
     * Lets the init go: its open of the exec fifo for writing is blocked until a reader appears.
     * The fifo is opened read-write (on Linux that never blocks), then one byte is read: the '0'
     * the init writes once released. If the init dies first, a watchdog writes an 'X' itself;
     * the fifo keeps order, so a '0' already written is still read first. Then the rest is read
     * until the init's exec closes its end: a failure between the release and the exec (a
     * startContainer hook, the exec itself) makes the start fail with the init's message.
     */
    private static void releaseInit(Path fifo, Saved saved, String id) throws IOException {
        FileChannel rest;
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicBoolean wroteX = new java.util.concurrent.atomic.AtomicBoolean();
        try (FileChannel ch = FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            // Not interrupted when done: an interrupt would close the channel under us.
            Thread.ofVirtual().start(() -> {
                try {
                    while (!done.get() && alive(saved)) Thread.sleep(50);
                    if (done.get()) return;
                    wroteX.set(true);
                    ch.write(java.nio.ByteBuffer.wrap(new byte[] {'X'}));
                } catch (InterruptedException | IOException e) {
                    // start finished: nothing to watch
                }
            });
            try {
                java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1);
                if (ch.read(b) != 1 || b.get(0) != '0') {
                    throw new ContainerException("start container " + id + ": its init exited before the start (pid "
                            + saved.pid() + " started at " + saved.pidStart() + ", now " + startTime(saved.pid()) + ")");
                }
            } finally {
                done.set(true);
            }
            // A reader that is not a writer (the open does not wait: we still write), so that the
            // init's end, closed by its exec, ends the read below once ours is closed.
            rest = FileChannel.open(fifo, StandardOpenOption.READ);
        }
        // The init holds its end until the exec (runc's start waits for that too): anything it
        // writes meanwhile is why it failed (init.c's tell_start).
        try (rest) {
            String why = new String(Channels.newInputStream(rest).readAllBytes(), StandardCharsets.UTF_8);
            // The watchdog's 'X' (the init died meanwhile) comes after whatever the init wrote.
            if (wroteX.get() && why.endsWith("X")) why = why.substring(0, why.length() - 1);
            why = why.strip();
            if (!why.isEmpty()) throw new ContainerException("start container " + id + ": " + why);
        }
    }

    /** The container's state (runtime.md "query state"). */
    public ContainerState state(String id) {
        Path dir = existing(id);
        try (Lock lock = lock(dir)) {
            return state(dir, load(dir));
        } catch (IOException e) {
            throw new ContainerException("state of container " + id + ": " + e.getMessage(), e);
        }
    }

    /** Sends {@code signal} to the container's process, or with {@code all} to every process in its cgroup. */
    public void kill(String id, int signal, boolean all) {
        Path dir = existing(id);
        try (Lock lock = lock(dir)) {
            Saved saved = load(dir);
            String status = status(dir, saved);
            // runc's texts and codes, which engines match on: "container not running" for a stopped
            // container; with --all, every process left in its cgroup, whatever its status (none
            // once it stopped: no error, as runc).
            if (all) {
                for (int pid : Cgroups.pids(saved.cgroupDirs().stream().map(Path::of).toList())) {
                    try {
                        ProcessCalls.kill(pid, signal);
                    } catch (ErrnoException e) {
                        if (e.errno() != Errno.ESRCH) throw e;
                    }
                }
            } else if (!status.equals("created") && !status.equals("running") && !status.equals("paused")
                    || !signalIfSame(saved.pid(), saved.pidStart(), signal)) {
                throw new ContainerException("kill container " + id + ": container not running");
            }
            // A frozen process cannot die (cgroup v1): thawed for a KILL, as runc does.
            if (status.equals("paused") && signal == SIGKILL && freezer(saved) != null) setFreezer(freezer(saved), "THAWED");
        } catch (IOException e) {
            throw new ContainerException("kill container " + id + ": " + e.getMessage(), e);
        }
    }

    /**
     * Removes a stopped container (runtime.md "delete"); a created one is killed first, a running one
     * only with {@code force}. With {@code force}, a container that does not exist is no error (as
     * runc: engines delete what may be gone already).
     */
    public void delete(String id, boolean force) {
        checkId(id);
        PendingRunCache pending = pendingRunCache;
        if (pending != null && pending.id().equals(id)) {
            // deleted without a start
            pendingRunCache = null;
            drop(pending);
        }
        if (force && !Files.isRegularFile(root.resolve(id).resolve("state.json"))) {
            // runc removes a directory a failed create left without its state, too
            deleteTree(root.resolve(id));
            return;
        }
        Path dir = existing(id);
        RuntimeSpec.Hooks hooks;
        Saved saved;
        try (Lock lock = lock(dir)) {
            saved = load(dir);
            String status = status(dir, saved);
            if ((status.equals("running") || status.equals("paused")) && !force) {
                // runc's text
                throw new ContainerException("delete container " + id + ": cannot delete container " + id + " that is not stopped: "
                        + status + " (stop it first, or use --force)");
            }
            if (!status.equals("stopped")) {
                signalIfSame(saved.pid(), saved.pidStart(), SIGKILL);
                // A frozen process cannot die: thaw it once the kill is pending.
                if (freezer(saved) != null && Files.isDirectory(freezer(saved))) setFreezer(freezer(saved), "THAWED");
                waitGone(saved.pid(), saved.pidStart());
            }
            List<Path> cg = saved.cgroupDirs().stream().map(Path::of).toList();
            if (!saved.pidns()) killAll(saved.cgroupDirs());
            Cgroups.remove(cg);
            RuntimeSpec spec = savedSpec(dir);
            unmountHostMounts(spec, Path.of(saved.bundle()));
            hooks = spec == null ? null : spec.hooks;
            deleteTree(dir);
        } catch (IOException e) {
            throw new ContainerException("delete container " + id + ": " + e.getMessage(), e);
        }
        if (hooks != null && hooks.poststop != null) {
            try {
                Hooks.run(hooks.poststop, "poststop", new ContainerState(saved.ociVersion(), id, "stopped", 0,
                        saved.bundle(), saved.annotations(), null, null).toJson());
            } catch (ContainerException e) {
                warn("delete container " + id + ": " + e.getMessage());
            }
        }
    }

    /** The host pids of every process in the container's cgroup (runc's ps). */
    public List<Integer> pids(String id) {
        Path dir = existing(id);
        try (Lock lock = lock(dir)) {
            return Cgroups.pids(load(dir).cgroupDirs().stream().map(Path::of).toList());
        } catch (IOException e) {
            throw new ContainerException("list processes of container " + id + ": " + e.getMessage(), e);
        }
    }

    /** Every container in the state root, by id. */
    public List<ContainerState> list() {
        List<ContainerState> out = new ArrayList<>();
        if (!Files.isDirectory(root)) return out;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
            for (Path d : ds) {
                if (!Files.isRegularFile(d.resolve("state.json"))) continue;
                try {
                    Saved s = load(d);
                    out.add(state(d, s));
                } catch (IOException | RuntimeException e) {
                    // a container being deleted while we list it
                }
            }
        } catch (IOException e) {
            throw new ContainerException("list containers in " + root + ": " + e.getMessage(), e);
        }
        out.sort(Comparator.comparing(ContainerState::id));
        return out;
    }

    // ---------------------------------------------------------------- for the verbs in classes of their own (update, events)

    /** A container as read under its lock: its state directory, saved state and status. */
    record Current(Path dir, Saved saved, String status) {}

    /** The body of {@link #locked}. */
    interface LockedBody<T> {
        T apply(Current c) throws IOException;
    }

    /** Runs {@code body} on container {@code id} while holding its lock (ResourceUpdate, ContainerStats). */
    <T> T locked(String id, String verb, LockedBody<T> body) {
        Path dir = existing(id);
        try (Lock lock = lock(dir)) {
            Saved saved = load(dir);
            return body.apply(new Current(dir, saved, status(dir, saved)));
        } catch (IOException e) {
            throw new ContainerException(verb + " container " + id + ": " + e.getMessage(), e);
        }
    }

    /** Whether the container's process is still the one saved, without the lock (a long watch). */
    static boolean stillRunning(Saved s) {
        return alive(s);
    }

    // ---------------------------------------------------------------- helpers

    private void warn(String msg) {
        if (log != null) log.accept("warning: " + msg);
        System.err.println("oci: warning: " + msg);
    }

    private static void checkId(String id) {
        if (!validId(id)) {
            throw new ContainerException("invalid container id \"" + id + "\": use letters, digits, _ . + - (at most 128)");
        }
    }

    /**
     * Whether {@code id} is a container id: a letter or digit, then at most 127 letters, digits, _ . + -
     * (the regex [A-Za-z0-9][A-Za-z0-9_.+-]{0,127} it replaces cost the create ~5 ms of CPU: compiling
     * it was the JVM's first lambda set-up).
     */
    static boolean validId(String id) {
        if (id == null || id.isEmpty() || id.length() > 128) return false;
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
            if (!alnum && (i == 0 || (c != '_' && c != '.' && c != '+' && c != '-'))) return false;
        }
        return true;
    }

    private Path existing(String id) {
        checkId(id);
        Path dir = root.resolve(id);
        // runc's text, which engines match on
        if (!Files.isRegularFile(dir.resolve("state.json"))) throw new ContainerException("container does not exist: " + id + " (in " + root + ")");
        return dir;
    }

    /**
     * The container's lock, held for the whole of one operation. A file lock orders processes; the
     * JVM refuses a second lock on the same file from another thread (OverlappingFileLockException:
     * `oci run`'s signal forwarding vs its own delete), so threads first queue on an in-JVM lock.
     */
    private record Lock(java.util.concurrent.locks.ReentrantLock local, FileChannel channel) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            try {
                channel.close();
            } finally {
                local.unlock();
            }
        }
    }

    private static final java.util.concurrent.ConcurrentHashMap<Path, java.util.concurrent.locks.ReentrantLock> LOCAL_LOCKS =
            new java.util.concurrent.ConcurrentHashMap<>();

    private static Lock lock(Path dir) throws IOException {
        java.util.concurrent.locks.ReentrantLock local = LOCAL_LOCKS.computeIfAbsent(dir, d -> new java.util.concurrent.locks.ReentrantLock());
        local.lock();
        FileChannel ch = null;
        try {
            ch = StateFiles.openLock(dir.resolve("lock"));
            ch.lock();
            return new Lock(local, ch);
        } catch (IOException | RuntimeException e) {
            if (ch != null) ch.close();
            local.unlock();
            throw e;
        }
    }

    private static void save(Path dir, Saved s) throws IOException {
        StateFiles.writeAtomically(dir.resolve("state.json"), s.toJson().getBytes(StandardCharsets.UTF_8));
    }

    private static Saved load(Path dir) throws IOException {
        try {
            return Saved.fromJson(Files.readString(dir.resolve("state.json")), dir.resolve("state.json").toString());
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            throw new ContainerException("container " + dir.getFileName() + " does not exist (deleted meanwhile)");
        }
    }

    /** config.json read without Jackson's databind (see {@link Json}). */
    static RuntimeSpec readSpec(byte[] json, String what) {
        return SpecBinder.spec(Json.parse(new String(json, StandardCharsets.UTF_8), what));
    }

    /** The hooks of the container's saved config.json (null when it has none or cannot be read). */
    private RuntimeSpec.Hooks savedHooks(Path dir) {
        RuntimeSpec spec = savedSpec(dir);
        return spec == null ? null : spec.hooks;
    }

    /** The container's saved config.json, parsed (null when it cannot be read). */
    private RuntimeSpec savedSpec(Path dir) {
        ParsedConfig last = lastConfig;
        if (last != null && last.dir().equals(dir)) {
            try {
                if (java.util.Arrays.equals(last.bytes(), Files.readAllBytes(dir.resolve("config.json")))) return last.spec();
            } catch (IOException e) {
                return null;
            }
        }
        return savedConfig(dir);
    }

    /**
     * Without a mount namespace of its own, the container's mounts were made in the host's, under
     * its rootfs (PlanBuilder): once it is gone, everything mounted below the rootfs is detached,
     * deepest first. The rootfs itself, if a mount point, is the caller's and stays.
     */
    static void unmountHostMounts(RuntimeSpec spec, Path bundle) {
        if (spec == null || spec.root == null || spec.root.path == null || spec.linux == null) return;
        if (spec.linux.namespaces != null && spec.linux.namespaces.stream().anyMatch(n -> "mount".equals(n.type))) return;
        String rootfs;
        try {
            rootfs = bundle.resolve(spec.root.path).toRealPath().toString();
        } catch (IOException e) {
            return;
        }
        List<String> below = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] f = line.split(" ");
                if (f.length < 5) continue;
                String mp = unescapeMountinfo(f[4]);
                if (mp.startsWith(rootfs + "/")) below.add(mp);
            }
        } catch (IOException e) {
            return;
        }
        below.sort(Comparator.comparingInt(String::length).reversed());
        for (String mp : below) {
            try {
                ProcessCalls.umount2(mp, ProcessCalls.MNT_DETACH);
            } catch (ErrnoException e) {
                // detached already with its parent, or gone
            }
        }
    }

    /** A mountinfo path field: space, tab, newline and backslash are octal escapes there. */
    private static String unescapeMountinfo(String s) {
        if (s.indexOf('\\') < 0) return s;
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static RuntimeSpec savedConfig(Path dir) {
        try {
            return readSpec(Files.readAllBytes(dir.resolve("config.json")), "saved config.json");
        } catch (IOException | ContainerException e) {
            return null;
        }
    }

    private static void writeAtomically(Path target, byte[] data) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.write(tmp, data);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private Path dir(Saved s) {
        return root.resolve(s.id());
    }

    private static Saved withPid(Saved s, long pid, long start) {
        return new Saved(s.ociVersion(), s.id(), pid, start, s.bundle(), s.annotations(), s.created(), s.owner(),
                s.cgroupDirs(), s.pidns(), s.ready(), s.callersKeyring(), s.stateOnly());
    }

    private static ContainerState state(Path dir, Saved s) {
        String status = status(dir, s);
        return new ContainerState(s.ociVersion(), s.id(), status, status.equals("stopped") ? 0 : s.pid(), s.bundle(),
                s.annotations(), s.created(), s.owner());
    }

    private static String status(Path dir, Saved s) {
        if (!s.ready()) return s.pid() > 0 && !alive(s) ? "stopped" : "creating";
        if (!alive(s)) return "stopped";
        if (Files.exists(dir.resolve("exec.fifo"))) return "created";
        return frozen(s) ? "paused" : "running";
    }

    /** The container's directory in the v1 freezer hierarchy, or its v2 one (cgroup.freeze). */
    private static Path freezer(Saved s) {
        return Cgroups.freezer(s.cgroupDirs());
    }

    private static boolean frozen(Saved s) {
        return Cgroups.frozen(freezer(s));
    }

    /** Freezes (pause) or thaws (resume) every process of the container: runc's pause and resume. */
    public void freeze(String id, boolean freeze) {
        String verb = (freeze ? "pause" : "resume") + " container " + id;
        Path dir = existing(id);
        try (Lock lock = lock(dir)) {
            Saved saved = load(dir);
            String status = status(dir, saved);
            // runc's texts
            if (!status.equals(freeze ? "running" : "paused")) throw new ContainerException(verb + ": " + (freeze ? "container not running" : "container not paused"));
            Path f = freezer(saved);
            if (f == null) throw new ContainerException(verb + ": no freezer cgroup on this machine");
            setFreezer(f, freeze ? "FROZEN" : "THAWED");
        } catch (IOException e) {
            throw new ContainerException(verb + ": " + e.getMessage(), e);
        }
    }

    private static void setFreezer(Path f, String state) throws IOException {
        Cgroups.setFrozen(f, state.equals("FROZEN"));
    }

    private static boolean alive(Saved s) {
        return s.pid() > 0 && startTime(s.pid()) == s.pidStart();
    }

    /** Field 22 of /proc/PID/stat (start time in clock ticks), or -1 if the process is gone or a zombie. */
    static long startTime(long pid) {
        try {
            String stat = Cgroups.readVirtual(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            if (f[0].equals("Z") || f[0].equals("X")) return -1;
            return Long.parseLong(f[19]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Signals {@code pid} only if it is still the process that started at {@code start} (pidfd: no reuse race). */
    private static boolean signalIfSame(long pid, long start, int signal) {
        if (pid <= 0) return false;
        int fd;
        try {
            fd = ProcessCalls.pidfdOpen((int) pid);
        } catch (ErrnoException e) {
            return false;
        }
        try {
            if (startTime(pid) != start) return false;
            ProcessCalls.pidfdSendSignal(fd, signal);
            return true;
        } catch (ErrnoException e) {
            if (e.errno() == Errno.ESRCH) return false;
            throw new ContainerException("signal process " + pid + ": " + e.getMessage());
        } finally {
            ProcessCalls.close(fd);
        }
    }

    private static void waitGone(long pid, long start) {
        for (int i = 0; i < 1000 && pid > 0 && startTime(pid) == start; i++) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Without a pid namespace the container's other processes outlive its pid 1: kill them all. */
    private static void killAll(List<String> cgroupDirs) {
        List<Path> dirs = cgroupDirs.stream().map(Path::of).filter(Files::isDirectory).toList();
        Cgroups.kill(dirs); // cgroup v2's cgroup.kill where there is one; the loop below confirms
        for (int round = 0; round < 100; round++) {
            List<Integer> pids = Cgroups.pids(dirs);
            if (pids.isEmpty()) return;
            for (int p : pids) {
                try {
                    ProcessCalls.kill(p, SIGKILL);
                } catch (ErrnoException ignored) {
                    // already gone
                }
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Removes a container's state directory. Another command on the container (an exec's sync
     * fifos, a state file being replaced) may make or remove a file while we walk: walk again until
     * the directory is gone, for a bounded time.
     */
    private static void deleteTree(Path dir) {
        for (int attempt = 0; attempt < 100 && Files.exists(dir, LinkOption.NOFOLLOW_LINKS); attempt++) {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            } catch (IOException | UncheckedIOException raced) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private static String owner() {
        int uid = euid();
        if (uid == 0) return "root";
        try (InputStream in = Files.newInputStream(Path.of("/etc/passwd"))) {
            for (String l : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String[] f = l.split(":");
                if (f.length > 2 && f[2].equals(Integer.toString(uid))) return f[0];
            }
        } catch (IOException ignored) {
            // fall through
        }
        return Integer.toString(uid);
    }
}
