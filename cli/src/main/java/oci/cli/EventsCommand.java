package oci.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import oci.runtime.ContainerStats;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** runc's events: resource usage once (--stats) or as a stream of stats and OOM events, one JSON object a line. */
@Command(name = "events", mixinStandardHelpOptions = true,
        description = {"Show a container's resource usage and OOM events, one JSON object a line (runc's format).",
                "Without --stats: stats every --interval and an \"oom\" event at each OOM kill, until the container stops."})
final class EventsCommand implements Callable<Integer> {
    @ParentCommand Main main;
    @Spec CommandSpec spec;

    @Option(names = "--stats", description = "Print the stats once and exit.")
    boolean stats;

    @Option(names = "--interval", paramLabel = "DURATION", description = "Time between stats (Go duration: 5s, 500ms, 1m). Default: 5s.")
    String interval = "5s";

    @Parameters(paramLabel = "ID")
    String id;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        try {
            Duration d = goDuration(interval);
            if (d.isZero() || d.isNegative()) throw new OciException("events: duration interval must be greater than 0");
            if (stats) {
                out.println(ContainerStats.statsEvent(main.runtime.containers(), id));
                out.flush();
                return 0;
            }
            ContainerStats.stream(main.runtime.containers(), id, d, line -> {
                out.println(line);
                out.flush();
            }, w -> {
                err.println("oci: warning: " + w);
                err.flush();
            });
            return 0;
        } catch (RuntimeException e) {
            main.runtime.error(e.getMessage());
            throw e;
        }
    }

    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|μs|ms|s|m|h)");

    /** A Go time.Duration string ("5s", "1m30s", "250ms", "0"). */
    static Duration goDuration(String s) {
        String t = s.strip();
        boolean neg = t.startsWith("-");
        if (neg || t.startsWith("+")) t = t.substring(1);
        if (t.equals("0")) return Duration.ZERO;
        Matcher m = PART.matcher(t);
        double nanos = 0;
        int at = 0;
        while (at < t.length() && m.find(at) && m.start() == at) {
            double n = Double.parseDouble(m.group(1));
            nanos += n * switch (m.group(2)) {
                case "ns" -> 1;
                case "us", "µs", "μs" -> 1e3;
                case "ms" -> 1e6;
                case "s" -> 1e9;
                case "m" -> 60e9;
                default -> 3600e9;
            };
            at = m.end();
        }
        if (at != t.length() || t.isEmpty()) throw new OciException("invalid value \"" + s + "\" for --interval: not a duration (5s, 500ms, 1m)", Main.EXIT_USAGE);
        return Duration.ofNanos((long) (neg ? -nanos : nanos));
    }
}
