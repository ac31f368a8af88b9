package oci.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a stopped (or created) container: its state and cgroup.")
final class DeleteCommand implements Callable<Integer> {
    @ParentCommand Main main;

    @Option(names = {"-f", "--force"}, description = "Kill the container first if it is running.")
    boolean force;

    @Parameters(paramLabel = "ID")
    String id;

    @Override
    public Integer call() {
        try {
            main.runtime.containers().delete(id, force);
            return 0;
        } catch (RuntimeException e) {
            main.runtime.error(e.getMessage());
            throw e;
        }
    }
}
