package oci.cli;

import java.util.List;
import picocli.CommandLine.Option;

/**
 * The CRIU options runc's checkpoint and restore share. They are accepted so that a runc command
 * line is refused for CRIU's sake, not for its syntax; none of them is acted on.
 */
final class CriuOptions {
    @Option(names = "--image-path", paramLabel = "DIR", description = "Where CRIU's image files go (checkpoint) or come from (restore).") String imagePath;
    @Option(names = "--work-path", paramLabel = "DIR", description = "Where CRIU's work files and logs go.") String workPath;
    @Option(names = "--tcp-established", description = "Allow open TCP connections.") boolean tcpEstablished;
    @Option(names = "--ext-unix-sk", description = "Allow external unix sockets.") boolean extUnixSk;
    @Option(names = "--shell-job", description = "Allow shell jobs.") boolean shellJob;
    @Option(names = "--file-locks", description = "Handle file locks.") boolean fileLocks;
    @Option(names = "--manage-cgroups-mode", paramLabel = "MODE", description = "soft, full or strict.") String manageCgroupsMode;
    @Option(names = "--empty-ns", paramLabel = "NS", description = "A namespace to create but not restore.") List<String> emptyNs;
    @Option(names = "--auto-dedup", description = "Deduplicate memory images.") boolean autoDedup;
    @Option(names = "--lazy-pages", description = "Restore memory pages lazily (userfaultfd).") boolean lazyPages;
}
