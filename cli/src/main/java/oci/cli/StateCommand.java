package oci.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "state", mixinStandardHelpOptions = true, description = "Print a container's state as runtime-spec state JSON.")
final class StateCommand implements Callable<Integer> {
    @ParentCommand Main main;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "ID")
    String id;

    @Override
    public Integer call() {
        return print(spec.commandLine().getOut());
    }

    /** Prints the state to {@code out}; FastRuntime calls this without picocli's model. */
    int print(java.io.PrintWriter out) {
        try {
            out.println(main.runtime.containers().state(id).toPrettyJson());
            return 0;
        } catch (RuntimeException e) {
            main.runtime.error(e.getMessage());
            throw e;
        }
    }
}
