package oci.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "kill", mixinStandardHelpOptions = true, description = "Send a signal (default TERM) to a container's process.")
final class KillCommand implements Callable<Integer> {
    @ParentCommand Main main;

    @Option(names = {"-a", "--all"}, description = "Signal every process in the container's cgroup.")
    boolean all;

    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Parameters(index = "1", paramLabel = "SIGNAL", arity = "0..1", description = "A name (TERM, SIGKILL) or a number. Default: TERM.")
    String signal = "TERM";

    @Override
    public Integer call() {
        try {
            main.runtime.containers().kill(id, Signals.parse(signal), all);
            return 0;
        } catch (RuntimeException e) {
            main.runtime.error(e.getMessage());
            throw e;
        }
    }
}
