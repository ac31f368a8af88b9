package oci.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;

@Command(name = "start", mixinStandardHelpOptions = true, description = "Start the process of a created container.")
final class StartCommand implements Callable<Integer> {
    @ParentCommand Main main;

    @Parameters(paramLabel = "ID")
    String id;

    @Override
    public Integer call() {
        try {
            main.runtime.containers().start(id);
            return 0;
        } catch (RuntimeException e) {
            main.runtime.error(e.getMessage());
            throw e;
        }
    }
}
