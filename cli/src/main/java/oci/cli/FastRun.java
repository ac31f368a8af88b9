package oci.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * `oci run` without picocli, for the plain command lines container engines and scripts write.
 * picocli is compiled for Java 5: its classes go through the old verifier and cannot be kept in a
 * class-data archive, and building its model costs a large part of a short run's start-up. Lines
 * that are not plain ({@link PlainCommandLine}) go to picocli as before. MainTest checks that both
 * parsers read the accepted lines alike.
 */
final class FastRun {
    private FastRun() {}

    /** The parsed command, or null when the line is not one this parser reads. */
    static RunCommand parse(String[] args) {
        Main main = new Main();
        main.runtime = new RuntimeOptions();
        RunCommand run = new RunCommand();
        run.main = main;
        try {
            boolean plain = PlainCommandLine.read(args, "run", main, Set.of("-b", "--bundle", "--pid-file", "--console-socket"), Set.of(),
                    Map.of("-b", "--bundle", "-d", "--detach"), new PlainCommandLine.Command() {
                        @Override
                        public boolean option(String name, String value) {
                            switch (name) {
                                case "--bundle" -> run.bundle = Path.of(value);
                                case "--detach" -> run.detach = true;
                                case "--rm" -> run.rm = true;
                                case "--pid-file" -> run.pidFile = Path.of(value);
                                case "--console-socket" -> run.consoleSocket = Path.of(value);
                                case "--no-pivot" -> run.noPivot = true;
                                default -> {
                                    return false;
                                }
                            }
                            return true;
                        }

                        @Override
                        public boolean word(String word) {
                            if (run.id != null) return false;
                            run.id = word;
                            return true;
                        }
                    });
            return plain ? run : null;
        } catch (java.nio.file.InvalidPathException e) {
            return null; // picocli reports it
        }
    }

    /** Runs the command line when this parser reads it; null otherwise (then picocli runs it). */
    static Integer tryRun(String[] args, PrintWriter err) {
        RunCommand run = parse(args);
        if (run == null) return null;
        try {
            return run.call();
        } catch (Exception e) {
            return Main.report(e, "run", err);
        }
    }
}
