package oci.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "resume", mixinStandardHelpOptions = true,
        description = "Thaw a paused container.")
final class ResumeCommand implements Callable<Integer> {
    @ParentCommand Main main;

    @Parameters(paramLabel = "ID")
    String id;

    @Override
    public Integer call() {
        try {
            main.runtime.containers().freeze(id, false);
            return 0;
        } catch (RuntimeException e) {
            main.runtime.error(e.getMessage());
            throw e;
        }
    }
}
