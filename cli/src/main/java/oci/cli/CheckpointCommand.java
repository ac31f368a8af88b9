package oci.cli;

import java.util.List;
import java.util.concurrent.Callable;
import oci.runtime.ContainerState;
import oci.runtime.Criu;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * runc's checkpoint, which needs CRIU: refused with the reason this machine gives ({@link Criu}).
 * runc's options are accepted, so the refusal is about CRIU, not the command line.
 */
@Command(name = "checkpoint", mixinStandardHelpOptions = true,
        description = "Checkpoint a running container with CRIU: refused, with the reason (criu missing, or `criu check` failing here).")
final class CheckpointCommand implements Callable<Integer> {
    @ParentCommand Main main;

    @Option(names = "--image-path", paramLabel = "DIR") String imagePath;
    @Option(names = "--work-path", paramLabel = "DIR") String workPath;
    @Option(names = "--parent-path", paramLabel = "DIR") String parentPath;
    @Option(names = "--leave-running") boolean leaveRunning;
    @Option(names = "--tcp-established") boolean tcpEstablished;
    @Option(names = "--tcp-skip-in-flight") boolean tcpSkipInFlight;
    @Option(names = "--link-remap") boolean linkRemap;
    @Option(names = "--ext-unix-sk") boolean extUnixSk;
    @Option(names = "--shell-job") boolean shellJob;
    @Option(names = "--lazy-pages") boolean lazyPages;
    @Option(names = "--status-fd", paramLabel = "FD") Integer statusFd;
    @Option(names = "--page-server", paramLabel = "ADDRESS:PORT") String pageServer;
    @Option(names = "--file-locks") boolean fileLocks;
    @Option(names = "--pre-dump") boolean preDump;
    @Option(names = "--manage-cgroups-mode", paramLabel = "MODE") String manageCgroupsMode;
    @Option(names = "--empty-ns", paramLabel = "NS") List<String> emptyNs;
    @Option(names = "--auto-dedup") boolean autoDedup;

    @Parameters(paramLabel = "ID")
    String id;

    @Override
    public Integer call() {
        try {
            ContainerState s = main.runtime.containers().state(id);
            if (s.status().equals("created") || s.status().equals("stopped")) {
                throw new OciException("checkpoint container " + id + ": a container cannot be checkpointed in " + s.status() + " state");
            }
            throw Criu.refusal("checkpoint", id);
        } catch (RuntimeException e) {
            main.runtime.error(e.getMessage());
            throw e;
        }
    }
}
