package oci.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import oci.runtime.Containers;
import oci.runtime.ContainerException;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * create + start + wait. The exit code is the container's (128+N when it was killed by signal N);
 * signals `oci run` receives are forwarded to the container's process.
 */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Create and start a container, and wait for it (unless --detach).")
final class RunCommand implements Callable<Integer> {
    @ParentCommand Main main;

    @Option(names = {"-b", "--bundle"}, paramLabel = "DIR", description = "The bundle directory. Default: the current directory.")
    Path bundle = Path.of("");

    @Option(names = {"-d", "--detach"}, description = "Return once the container runs; do not wait for it.")
    boolean detach;

    @Option(names = "--keep", description = "Keep the container after it exits (runc's option). By default a foreground run deletes it, as runc's does.")
    boolean keep;

    /** Accepted for scripts written before runc's default was followed: deleting is the default now. */
    @Option(names = "--rm", hidden = true)
    boolean rm;

    @Option(names = "--pid-file", paramLabel = "FILE", description = "Write the container process's pid to FILE.")
    Path pidFile;

    @Option(names = "--console-socket", paramLabel = "SOCK", description = "Unix socket to send the terminal's master fd to (SCM_RIGHTS), as runc does.")
    Path consoleSocket;

    @Option(names = "--no-pivot", hidden = true)
    boolean noPivot;

    @Option(names = "--no-new-keyring", description = "Keep the caller's session keyring (runc's option); by default the container gets one of its own.")
    boolean noNewKeyring;

    @Parameters(paramLabel = "ID", arity = "0..1", description = "The container id. Default: the bundle directory's name.")
    String id;

    @Override
    public Integer call() throws InterruptedException {
        SignalForwarding signals = detach ? null : SignalForwarding.prepare();
        Path dir = bundle.toAbsolutePath().normalize();
        String name = id != null ? id : dir.getFileName() == null ? "" : dir.getFileName().toString();
        // config.json is read once, here: what the checks below look at is what the create runs.
        Containers.BundleConfig config = Containers.readConfig(dir);
        if (!detach && consoleSocket == null && wantsTerminal(config) && !oci.linux.ProcessCalls.isatty(0)) {
            // the container's shell would wait at its prompt for input that never comes (no end-of-input
            // reaches a pty): refuse, as docker does
            throw new OciException("the input device is not a TTY: " + dir.resolve("config.json") + " asks for a terminal "
                    + "(process.terminal, `oci bundle -t`); run it from a terminal, or bundle without -t");
        }
        refuseForeignProgram(dir, config);
        Containers c = CreateCommand.containers(main.runtime.containers(), noNewKeyring);
        // installed beside the init's start, where this process waits
        if (signals != null) c.besideInitStart(signals.installer());
        try {
            Containers.Created created = c.create(name, dir, config, Containers.Stdio.inherit(), pidFile, consoleSocket, !detach);
            try {
                c.start(name);
            } catch (RuntimeException e) {
                c.delete(name, true);
                throw e;
            }
            if (detach) return 0;
            signals.to(created);
            int code = created.waitFor();
            signals.stop();
            if (!keep) c.delete(name, true);
            return code;
        } catch (ContainerException e) {
            main.runtime.error(e.getMessage());
            throw e;
        }
    }

    /**
     * A program built for another machine fails at its exec with ENOEXEC, which names neither
     * platform; say both before anything is set up (nothing to refuse when binfmt_misc emulates it).
     * {@code config} is the bundle's config.json as {@link Containers#readConfig} read it (null when it
     * cannot be read or parsed: the create reports that).
     */
    static void refuseForeignProgram(Path bundle, Containers.BundleConfig config) {
        if (!java.nio.file.Files.isDirectory(bundle)) {
            throw new OciException("bundle " + bundle.toAbsolutePath().normalize() + (java.nio.file.Files.exists(bundle)
                    ? " is not a directory" : " does not exist") + " (make one with `oci bundle IMAGE DIR` or `oci spec`)");
        }
        oci.bundle.spec.RuntimeSpec.Process p = config == null ? null : config.spec().process;
        if (p == null || p.args == null || p.args.isEmpty()) return;
        oci.bundle.ProgramPlatform.Foreign f = oci.bundle.ProgramPlatform.foreign(config.bundleDir(),
                config.spec().root == null ? null : config.spec().root.path, p.args.get(0), p.env, p.cwd);
        if (f != null) {
            throw new OciException("exec \"" + f.program() + "\": ENOEXEC (Exec format error): the image is for " + f.platform()
                    + ", this host is " + oci.image.Platform.host() + " (no binfmt_misc emulator is registered for it; "
                    + "bundle the image for " + oci.image.Platform.host() + ", e.g. `oci bundle --platform " + oci.image.Platform.host() + " IMAGE`)");
        }
    }

    /** process.terminal of the bundle's config.json; false when it cannot be read (create reports that). */
    private static boolean wantsTerminal(Containers.BundleConfig config) {
        return config != null && config.spec().process != null && Boolean.TRUE.equals(config.spec().process.terminal);
    }
}
