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
@Command(name = "ps", mixinStandardHelpOptions = true, description = {
        "List the processes of a container, as runc does: the rows of `ps -ef` (or of `ps PS_OPTIONS...`) whose PID is in the container; "
                + "--format json prints the host pids alone.",
        "  oci ps [--format table|json] ID [PS_OPTIONS...]"})
final class PsCommand implements Callable<Integer> {
    enum Format { table, json }

    @ParentCommand Main main;
    @Spec CommandSpec spec;

    @Option(names = {"-f", "--format"}, paramLabel = "FORMAT", description = "${COMPLETION-CANDIDATES}. Default: table.")
    Format format = Format.table;

    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Parameters(index = "1..*", paramLabel = "PS_OPTIONS", description = "Options for ps(1) (default -ef).")
    List<String> psOptions = new java.util.ArrayList<>();

    @Override
    public Integer call() {
        List<Integer> pids = main.runtime.containers().pids(id);
        PrintWriter out = spec.commandLine().getOut();
        if (format == Format.json) {
            out.println(pids.stream().map(String::valueOf).collect(Collectors.joining(",", "[", "]")));
        } else {
            table(pids, out);
        }
        out.flush();
        return 0;
    }

    /** ps's header, then its rows whose PID column is one of {@code pids} (runc's ps does the same). */
    private void table(List<Integer> pids, PrintWriter out) {
        List<String> cmd = new java.util.ArrayList<>(List.of("ps"));
        cmd.addAll(psOptions.isEmpty() ? List.of("-ef") : psOptions);
        List<String> lines;
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            lines = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines().toList();
            if (p.waitFor() != 0) throw new OciException("ps: `" + String.join(" ", cmd) + "` failed: " + String.join(" ", lines));
        } catch (java.io.IOException e) {
            throw new OciException("ps: cannot run " + String.join(" ", cmd) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OciException("ps: interrupted");
        }
        if (lines.isEmpty()) throw new OciException("ps: `" + String.join(" ", cmd) + "` printed nothing");
        int column = java.util.Arrays.asList(lines.getFirst().trim().split("\\s+")).indexOf("PID");
        if (column < 0) throw new OciException("ps: no PID column in the output of `" + String.join(" ", cmd) + "` (add -o pid)");
        out.println(lines.getFirst());
        java.util.Set<String> wanted = pids.stream().map(String::valueOf).collect(Collectors.toSet());
        for (String l : lines.subList(1, lines.size())) {
            String[] f = l.trim().split("\\s+");
            if (f.length > column && wanted.contains(f[column])) out.println(l);
        }
    }
}
