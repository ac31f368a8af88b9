package oci.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import oci.runtime.Criu;
import picocli.CommandLine.Command;
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

    @Option(names = "--console-socket", paramLabel = "SOCK") Path consoleSocket;
    @Option(names = "--image-path", paramLabel = "DIR") String imagePath;
    @Option(names = "--work-path", paramLabel = "DIR") String workPath;
    @Option(names = "--tcp-established") boolean tcpEstablished;
    @Option(names = "--ext-unix-sk") boolean extUnixSk;
    @Option(names = "--shell-job") boolean shellJob;
    @Option(names = "--file-locks") boolean fileLocks;
    @Option(names = "--manage-cgroups-mode", paramLabel = "MODE") String manageCgroupsMode;
    @Option(names = {"-b", "--bundle"}, paramLabel = "DIR") Path bundle;
    @Option(names = {"-d", "--detach"}) boolean detach;
    @Option(names = "--pid-file", paramLabel = "FILE") Path pidFile;
    @Option(names = "--no-subreaper") boolean noSubreaper;
    @Option(names = "--no-pivot") boolean noPivot;
    @Option(names = "--empty-ns", paramLabel = "NS") List<String> emptyNs;
    @Option(names = "--auto-dedup") boolean autoDedup;
    @Option(names = "--lazy-pages") boolean lazyPages;
    @Option(names = "--lsm-profile", paramLabel = "TYPE:NAME") String lsmProfile;
    @Option(names = "--lsm-mount-context", paramLabel = "CONTEXT") String lsmMountContext;

    @Parameters(paramLabel = "ID")
    String id;

    @Override
    public Integer call() {
        RuntimeException e = Criu.refusal("restore", id);
        main.runtime.error(e.getMessage());
        throw e;
    }
}
