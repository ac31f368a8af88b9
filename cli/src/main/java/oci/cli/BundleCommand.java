package oci.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import oci.bundle.BundleOptions;
import oci.bundle.Bundler;
import oci.image.Platform;
import oci.image.store.Store;
import oci.image.store.StoredImage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "bundle", mixinStandardHelpOptions = true, sortOptions = false, description = {
        "Make an OCI runtime bundle (DIR/rootfs and DIR/config.json) from an image (pulled first if the store lacks it).",
        "  oci bundle [IMAGE [DIR]] [OPTIONS] [-- ARGS...]",
        "  oci bundle --rootfs-tar FILE [DIR] [OPTIONS] -- COMMAND...",
        "The config follows the image (Entrypoint, Cmd, Env, WorkingDir, User, Volumes, labels) with "
                + "docker-run's defaults; ARGS replace the image's Cmd. DIR defaults to the current directory "
                + "and must be empty unless --force. Without IMAGE: the image pulled or imported last."})
final class BundleCommand implements Callable<Integer> {
    @ParentCommand Main main;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "IMAGE [DIR] [-- ARGS]", description = "The image (name, digest or id prefix), the bundle directory, and after -- the command.")
    List<String> positional = new ArrayList<>();

    @Option(names = "--rootfs-tar", paramLabel = "FILE", description = "Use this rootfs tarball (e.g. from `docker export`; plain, gzip or zstd) instead of an image; give the command after --.")
    Path rootfsTar;

    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", description = "Platform to pick from a multi-platform image (a single-platform image must be for it). Default: this machine's.")
    String platform;

    @Option(names = "--force", description = "Replace the rootfs and config.json of a DIR that is not empty (an overlay rootfs is unmounted first).")
    boolean force;

    @Option(names = "--pull", paramLabel = "always|missing|never", description = "Pull the image from its registry: always, when the store lacks it (default), or never. Layers unpack while they download.")
    String pull;

    @Option(names = "--snapshotter", paramLabel = "overlayfs|native", description = "overlayfs (default): the rootfs is an overlay mount of the store's layer snapshots (each layer unpacked once) with the bundle's own upper dir; remove such a bundle with `oci rmbundle`. native: a full unpack into the bundle.")
    String snapshotter;

    @Mixin RegistryOptions registry = new RegistryOptions();

    @Option(names = "--entrypoint", paramLabel = "CMD", description = "Replace the image's Entrypoint (and, as docker does, its Cmd); \"\" clears it.")
    String entrypoint;

    @Option(names = {"-e", "--env"}, paramLabel = "KEY=VALUE", description = "Set an environment variable (KEY alone: take it from this environment).")
    List<String> env = new ArrayList<>();

    @Option(names = "--env-file", paramLabel = "FILE", description = "Read KEY=VALUE lines from FILE (# comments).")
    List<Path> envFiles = new ArrayList<>();

    @Option(names = {"-u", "--user"}, paramLabel = "USER[:GROUP]", description = "Run as this user: name, uid, name:group, uid:gid... resolved in the image's /etc/passwd and /etc/group.")
    String user;

    @Option(names = {"-w", "--workdir"}, paramLabel = "DIR", description = "Working directory in the container (absolute).")
    String workdir;

    @Option(names = "--hostname", paramLabel = "NAME", description = "Host name in the container (default: the image's name).")
    String hostname;

    @Option(names = {"-t", "--tty"}, description = "Give the process a terminal (process.terminal).")
    boolean tty;

    @Option(names = {"-v", "--volume"}, paramLabel = "SRC:DST[:ro|rw]", description = "Bind-mount an existing host path.")
    List<String> volumes = new ArrayList<>();

    @Option(names = "--mount", paramLabel = "type=bind|tmpfs,...", description = "A mount: type=bind,source=,destination=[,readonly][,bind-propagation=] or type=tmpfs,destination=[,tmpfs-size=][,tmpfs-mode=].")
    List<String> mounts = new ArrayList<>();

    @Option(names = "--tmpfs", paramLabel = "DST[:OPTS]", description = "Mount a tmpfs (nosuid,nodev,noexec unless OPTS say suid, dev, exec).")
    List<String> tmpfs = new ArrayList<>();

    @Option(names = "--read-only", description = "Mount the root filesystem read-only.")
    boolean readOnly;

    @Option(names = "--cap-add", paramLabel = "CAP", description = "Add a capability (CAP_NET_ADMIN or net_admin; ALL).")
    List<String> capAdd = new ArrayList<>();

    @Option(names = "--cap-drop", paramLabel = "CAP", description = "Drop a capability (ALL drops every one).")
    List<String> capDrop = new ArrayList<>();

    @Option(names = "--privileged", description = "All capabilities, no seccomp, no masked paths, all devices allowed, /sys writable.")
    boolean privileged;

    @Option(names = {"--net", "--network"}, paramLabel = "host|none|ns:PATH", description = "Network: the host's, a new empty namespace (default), or join the namespace at PATH.")
    String net;

    @Option(names = "--pid", paramLabel = "host", description = "Share the host's PID namespace.")
    String pid;

    @Option(names = "--ipc", paramLabel = "host", description = "Share the host's IPC namespace.")
    String ipc;

    @Option(names = "--uts", paramLabel = "host", description = "Share the host's UTS namespace (host name).")
    String uts;

    @Option(names = {"-m", "--memory"}, paramLabel = "SIZE", description = "Memory limit (bytes, or with k, m, g units).")
    String memory;

    @Option(names = "--cpus", paramLabel = "N", description = "CPU limit, e.g. 1.5 (a CFS quota per 100ms period).")
    String cpus;

    @Option(names = "--cpuset-cpus", paramLabel = "LIST", description = "CPUs to run on, e.g. 0-3,7.")
    String cpusetCpus;

    @Option(names = "--pids-limit", paramLabel = "N", description = "Most processes at once (0 or less: no limit).")
    Long pidsLimit;

    @Option(names = "--rootless", description = "For a non-root user: a user namespace mapping container root to you, no cgroup limits, runc-spec rootless mounts.")
    boolean rootless;

    @Option(names = "--seccomp", paramLabel = "default|unconfined|FILE", description = "System call filter: the default profile (as docker's), none, or a profile file.")
    String seccomp;

    @Option(names = "--annotation", paramLabel = "KEY=VALUE", description = "Add an annotation (over the image's labels).")
    List<String> annotations = new ArrayList<>();

    @Option(names = "--hook", paramLabel = "STAGE=CMD", description = "Add a hook: prestart, createRuntime, createContainer, startContainer, poststart or poststop = an absolute program path and its arguments.")
    List<String> hooks = new ArrayList<>();

    /** The image is for another platform: its first run goes through the JVM, which explains an ENOEXEC. */
    private boolean foreign;

    @Override
    public Integer call() throws IOException {
        // everything after -- is ARGS; picocli hands those over as trailing positionals
        List<String> raw = spec.commandLine().getParseResult().originalArgs();
        int dashes = raw.indexOf("--");
        int nArgs = dashes < 0 ? 0 : raw.size() - dashes - 1;
        List<String> before = positional.subList(0, positional.size() - nArgs);
        List<String> args = positional.subList(positional.size() - nArgs, positional.size());

        BundleOptions o = options(args);
        PrintWriter out = spec.commandLine().getOut();
        Bundler.Bundle b;
        if (rootfsTar != null) {
            if (before.size() > 1) throw new OciException("bundle: with --rootfs-tar give only DIR before -- (got " + String.join(" ", before) + ")", Main.EXIT_USAGE);
            Path dir = before.isEmpty() ? Path.of(".") : Path.of(before.getFirst());
            b = Bundler.fromRootfsTar(rootfsTar, dir, force, o);
        } else {
            if (before.size() > 2) throw new OciException("bundle: unexpected " + before.get(2) + " (put the command after --)", Main.EXIT_USAGE);
            Path dir = before.size() == 2 ? Path.of(before.get(1)) : Path.of(".");
            Store store = main.openStore();
            b = ImageBundle.bundle(store, registry, ImageBundle.pullPolicy(pull), ImageBundle.snapshotter(snapshotter),
                    platform != null ? Platform.parse(platform) : null, image(store, before.isEmpty() ? null : before.getFirst()),
                    dir, force, o, spec.commandLine().getErr(), this::checkPlatform);
        }
        if (!foreign) prepareRun(b.dir());
        out.println(b.dir());
        out.flush();
        return 0;
    }

    /**
     * The image to bundle: {@code what}, or without it the one pulled or imported last (said on
     * stderr). ImageBundle finds it in the store for this host's platform or --platform's, or
     * pulls it while unpacking when the store lacks it (--pull).
     */
    private String image(Store store, String what) {
        if (what != null) return what;
        var err = spec.commandLine().getErr();
        oci.image.Descriptor last = store.lastNamed();
        if (last == null) {
            throw new OciException("bundle: which image? the store " + store.root() + " is empty: `oci pull IMAGE` or `oci import FILE` first, "
                    + "or `oci bundle --rootfs-tar FILE -- CMD`", Main.EXIT_USAGE);
        }
        what = last.refName() != null ? last.refName() : "sha256:" + store.imageId(last).encoded();
        err.println("oci: bundling " + (last.refName() != null ? Store.familiar(what) : what) + ", the image pulled or imported last");
        err.flush();
        return what;
    }

    /**
     * An image for another architecture is bundled with a warning: its programs fail with ENOEXEC
     * here unless binfmt_misc emulates them, and its run is not prepared.
     */
    private void checkPlatform(StoredImage image) {
        Platform actual = image.config().platform();
        if (actual.architecture() != null && !actual.architecture().isEmpty() && !Platform.host().matches(actual)) {
            foreign = true;
            var err = spec.commandLine().getErr();
            err.println("oci: warning: " + (image.name() != null ? Store.familiar(image.name()) : "the image") + " is for " + actual + ", this host is "
                    + Platform.host() + ": its programs will fail to start (ENOEXEC) unless binfmt_misc runs them in an emulator");
            err.flush();
        }
    }

    /**
     * Lets the first `oci run` of the new bundle start without a JVM: the runtime decides its run
     * now, in this warm JVM, and keeps the decision in its state root (Containers.prepareRun). A
     * cache: a bundle that cannot be prepared (hooks, a terminal, no cgroups here) is run by the JVM.
     */
    private void prepareRun(Path dir) {
        try {
            main.runtime.containers().prepareRun(dir);
        } catch (RuntimeException e) {
            if (main.runtime.debug) System.err.println("oci: debug: run not prepared: " + e.getMessage());
        }
    }

    private BundleOptions options(List<String> args) {
        BundleOptions o = new BundleOptions();
        o.args = new ArrayList<>(args);
        o.entrypoint = entrypoint;
        o.env = env;
        o.envFiles = envFiles;
        o.user = user;
        o.workdir = workdir;
        o.hostname = hostname;
        o.tty = tty;
        o.readOnly = readOnly;
        o.privileged = privileged;
        o.rootless = rootless;
        o.volumes = volumes;
        o.mounts = mounts;
        o.tmpfs = tmpfs;
        o.capAdd = capAdd;
        o.capDrop = capDrop;
        o.net = net;
        o.pid = pid;
        o.ipc = ipc;
        o.uts = uts;
        o.memory = memory;
        o.cpus = cpus;
        o.cpusetCpus = cpusetCpus;
        o.pidsLimit = pidsLimit;
        o.seccomp = seccomp;
        o.annotations = annotations;
        o.hooks = hooks;
        return o;
    }
}
