package oci.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import oci.runtime.ContainerState;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "list", mixinStandardHelpOptions = true, description = "List the containers in the state root.")
final class ListCommand implements Callable<Integer> {
    enum Format { table, json }

    @ParentCommand Main main;
    @Spec CommandSpec spec;

    @Option(names = {"-f", "--format"}, paramLabel = "FORMAT", description = "${COMPLETION-CANDIDATES}. Default: table.")
    Format format = Format.table;

    @Option(names = {"-q", "--quiet"}, description = "Print only the ids.")
    boolean quiet;

    @Override
    public Integer call() {
        return list(spec.commandLine().getOut());
    }

    /** The command, printing to {@code out} (FastQuery runs it without picocli). */
    int list(PrintWriter out) {
        List<ContainerState> all = main.runtime.containers().list();
        if (quiet) {
            all.forEach(s -> out.println(s.id()));
        } else if (format == Format.json) {
            // runc's list JSON: id, pid, status, bundle, rootfs-less fields we know, created, owner.
            StringBuilder sb = new StringBuilder("[");
            for (ContainerState s : all) {
                if (sb.length() > 1) sb.append(',');
                sb.append("{\"ociVersion\":").append(RuntimeOptions.quote(s.ociVersion()))
                        .append(",\"id\":").append(RuntimeOptions.quote(s.id()))
                        .append(",\"pid\":").append(s.pid())
                        .append(",\"status\":").append(RuntimeOptions.quote(s.status()))
                        .append(",\"bundle\":").append(RuntimeOptions.quote(s.bundle()))
                        .append(",\"created\":").append(RuntimeOptions.quote(s.created()))
                        .append(",\"owner\":").append(RuntimeOptions.quote(s.owner())).append('}');
            }
            out.println(sb.append(']'));
        } else {
            out.printf("%-20s %-8s %-10s %-40s %-30s %s%n", "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER");
            for (ContainerState s : all) {
                out.printf("%-20s %-8d %-10s %-40s %-30s %s%n", s.id(), s.pid(), s.status(), s.bundle(), s.created(), s.owner());
            }
        }
        out.flush();
        return 0;
    }
}
