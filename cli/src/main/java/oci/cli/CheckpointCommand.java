package oci.cli;

import java.util.concurrent.Callable;
import oci.runtime.ContainerState;
import oci.runtime.Criu;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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

    @Mixin CriuOptions criu;
    @Option(names = "--parent-path", paramLabel = "DIR", description = "The images of a previous pre-dump.") String parentPath;
    @Option(names = "--leave-running", description = "Leave the container running after the checkpoint.") boolean leaveRunning;
    @Option(names = "--tcp-skip-in-flight", description = "Skip TCP connections not yet established.") boolean tcpSkipInFlight;
    @Option(names = "--link-remap", description = "Allow open files that were unlinked.") boolean linkRemap;
    @Option(names = "--status-fd", paramLabel = "FD", description = "Where CRIU writes a 0 once lazy pages are ready.") Integer statusFd;
    @Option(names = "--page-server", paramLabel = "ADDRESS:PORT", description = "The page server's ADDRESS:PORT.") String pageServer;
    @Option(names = "--pre-dump", description = "Dump memory only; the container keeps running.") boolean preDump;

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
