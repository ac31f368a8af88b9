package oci.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import oci.runtime.Criu;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * runc's restore, which needs CRIU: refused with the reason this machine gives ({@link Criu}).
 * runc's options are accepted, so the refusal is about CRIU, not the command line.
 */
@Command(name = "restore", mixinStandardHelpOptions = true,
        description = "Restore a container from a CRIU checkpoint: refused, with the reason (criu missing, or `criu check` failing here).")
final class RestoreCommand implements Callable<Integer> {
    @ParentCommand Main main;

    @Option(names = "--console-socket", paramLabel = "SOCK", description = "Where the restored container's pty master is sent.") Path consoleSocket;
    @Mixin CriuOptions criu;
    @Option(names = {"-b", "--bundle"}, paramLabel = "DIR", description = "The bundle directory.") Path bundle;
    @Option(names = {"-d", "--detach"}, description = "Do not wait for the restored container.") boolean detach;
    @Option(names = "--pid-file", paramLabel = "FILE", description = "Write the restored container's pid here.") Path pidFile;
    @Option(names = "--no-subreaper", description = "Do not act as subreaper.") boolean noSubreaper;
    @Option(names = "--no-pivot", description = "Do not use pivot_root.") boolean noPivot;
    @Option(names = "--lsm-profile", paramLabel = "TYPE:NAME", description = "An LSM profile for the restore (TYPE:NAME).") String lsmProfile;
    @Option(names = "--lsm-mount-context", paramLabel = "CONTEXT", description = "An LSM mount context for the restore.") String lsmMountContext;

    @Parameters(paramLabel = "ID")
    String id;

    @Override
    public Integer call() {
        RuntimeException e = Criu.refusal("restore", id);
        main.runtime.error(e.getMessage());
        throw e;
    }
}
