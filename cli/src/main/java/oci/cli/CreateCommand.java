package oci.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import oci.runtime.Containers;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "create", mixinStandardHelpOptions = true, description = "Create a container from a bundle; its process waits for `oci start`.")
final class CreateCommand implements Callable<Integer> {
    @ParentCommand Main main;

    @Option(names = {"-b", "--bundle"}, paramLabel = "DIR", description = "The bundle directory (config.json + rootfs). Default: the current directory.")
    Path bundle = Path.of("");

    @Option(names = "--pid-file", paramLabel = "FILE", description = "Write the container process's pid to FILE.")
    Path pidFile;

    @Option(names = "--console-socket", paramLabel = "SOCK", description = "Unix socket to send the terminal's master fd to (SCM_RIGHTS), as runc does.")
    Path consoleSocket;

    @Option(names = "--no-pivot", hidden = true, description = "Accepted for runc compatibility (oci falls back to chroot only where pivot_root cannot work).")
    boolean noPivot;

    @Option(names = "--no-new-keyring", description = "Keep the caller's session keyring (runc's option); by default the container gets one of its own.")
    boolean noNewKeyring;

    @Parameters(paramLabel = "ID", description = "The container id.")
    String id;

    @Override
    public Integer call() {
        Containers.BundleConfig config = Containers.readConfig(bundle);
        RunCommand.refuseForeignProgram(bundle, config);
        try {
            containers(main.runtime.containers(), noNewKeyring).create(id, bundle, config, Containers.Stdio.inherit(), pidFile, consoleSocket, false);
            return 0;
        } catch (RuntimeException e) {
            main.runtime.error(e.getMessage());
            throw e;
        }
    }

    static Containers containers(Containers c, boolean noNewKeyring) {
        return noNewKeyring ? c.keepCallersKeyring() : c;
    }
}
