package oci.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "pause", mixinStandardHelpOptions = true,
        description = "Freeze every process of a running container (cgroup freezer).")
final class PauseCommand implements Callable<Integer> {
    @ParentCommand Main main;

    @Parameters(paramLabel = "ID")
    String id;

    @Override
    public Integer call() {
        try {
            main.runtime.containers().freeze(id, true);
            return 0;
        } catch (RuntimeException e) {
            main.runtime.error(e.getMessage());
            throw e;
        }
    }
}
