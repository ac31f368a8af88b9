package oci.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** runc's ps: the processes of a container (host pids, from its cgroup). */
@Command(name = "ps", mixinStandardHelpOptions = true, description = "List the processes of a container (host pids).")
final class PsCommand implements Callable<Integer> {
    enum Format { table, json }

    @ParentCommand Main main;
    @Spec CommandSpec spec;

    @Option(names = {"-f", "--format"}, paramLabel = "FORMAT", description = "${COMPLETION-CANDIDATES}. Default: table.")
    Format format = Format.table;

    @Parameters(paramLabel = "ID")
    String id;

    @Override
    public Integer call() {
        List<Integer> pids = main.runtime.containers().pids(id);
        PrintWriter out = spec.commandLine().getOut();
        if (format == Format.json) {
            out.println(pids.stream().map(String::valueOf).collect(Collectors.joining(",", "[", "]")));
        } else {
            out.println("PID");
            pids.forEach(out::println);
        }
        out.flush();
        return 0;
    }
}
